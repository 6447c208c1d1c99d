"""The procedure_revision migration backfills one revision per procedure from its row and
decision (and a second one for a procedure replaced by a later decision), on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from motcua.catalog.models import RevisionStatus
from motcua.catalog.operations import get_procedure, procedure_in_force, revisions
from motcua.db import db
from support.database import app_on_empty_database

BEFORE = "a1c3e5d7f902"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with app_on_empty_database(request.param, tmp_path) as app:
        yield app


def _insert(conn: sa.Connection, table_name: str, **values: Any) -> int:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    return int(conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one())


def _procedure(conn: sa.Connection, code: str, decision: int, agency: int, status: str = "active",
               replaced_by: int | None = None) -> int:
    return _insert(conn, "procedure", code=code, name=f"Thủ tục {code}", field="Hộ tịch",
                   agency_id=agency, handling_unit_id=None, time_limit="5d",
                   time_limit_minutes=2400, fee="", online_level="none", legal_basis=[],
                   documents=[{"name": "Tờ khai", "original": 1, "copy": 0}],
                   steps=[{"no": "3.1", "work": "Thẩm định"}], status=status,
                   decision_id=decision, replaced_by_id=replaced_by)


def test_existing_procedures_get_their_revisions(empty_app: Flask) -> None:
    from flask_migrate import upgrade

    upgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        agency = _insert(conn, "agency", code="000.00.12.H99", name="Sở Tư pháp", kind="Sở")
        decisions = {}
        for number, effective in (("1/QĐ", date(2026, 1, 5)), ("2/QĐ", date(2026, 2, 1)),
                                  ("3/QĐ", date(2026, 3, 1))):
            decisions[number] = _insert(
                conn, "decision", number=number, date=effective, effective=effective,
                issuer="UBND tỉnh", signer="", title="", source="{}", source_sha256="0" * 64,
                imported_at=datetime(2026, 1, 1, tzinfo=UTC))
        kept = _procedure(conn, "1.000001", decisions["1/QĐ"], agency)
        later = _procedure(conn, "1.000003", decisions["2/QĐ"], agency)
        _procedure(conn, "1.000002", decisions["1/QĐ"], agency, "replaced", later)
        _procedure(conn, "1.000004", decisions["3/QĐ"], agency, "abolished")
        same = _procedure(conn, "1.000006", decisions["1/QĐ"], agency)
        _procedure(conn, "1.000005", decisions["1/QĐ"], agency, "replaced", same)
    upgrade()

    def history(code: str) -> list[tuple[str, date, RevisionStatus, str | None]]:
        return [(r.decision.number, r.effective, r.status,
                 r.replaced_by.code if r.replaced_by else None)
                for r in revisions(get_procedure(code))]

    assert history("1.000001") == [("1/QĐ", date(2026, 1, 5), RevisionStatus.ACTIVE, None)]
    # Replaced by a later decision: in force until that decision's date, replaced from it.
    assert history("1.000002") == [
        ("1/QĐ", date(2026, 1, 5), RevisionStatus.ACTIVE, None),
        ("2/QĐ", date(2026, 2, 1), RevisionStatus.REPLACED, "1.000003")]
    assert history("1.000003") == [("2/QĐ", date(2026, 2, 1), RevisionStatus.ACTIVE, None)]
    assert history("1.000004") == [("3/QĐ", date(2026, 3, 1), RevisionStatus.ABOLISHED, None)]
    # Replaced within its own decision: one revision, already replaced.
    assert history("1.000005") == [("1/QĐ", date(2026, 1, 5), RevisionStatus.REPLACED, "1.000006")]
    revision = procedure_in_force(get_procedure("1.000001"), date(2026, 1, 5))
    assert revision is not None and revision.procedure_id == kept
    assert (revision.steps, revision.documents, revision.time_limit_minutes) == (
        [{"no": "3.1", "work": "Thẩm định"}], [{"name": "Tờ khai", "original": 1, "copy": 0}],
        2400)
    replaced = procedure_in_force(get_procedure("1.000002"), date(2026, 1, 31))
    assert replaced is not None and replaced.status is RevisionStatus.ACTIVE
    # The CHECK constraint refuses a status outside RevisionStatus.
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE procedure_revision SET status = 'suspended'"))
