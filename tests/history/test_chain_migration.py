"""The audit migration links the histories already written: downgraded past it and upgraded
again, a database holds exactly the positions and hashes ``record`` wrote, the folded names
and the counters from the documents issued, and its history is append-only again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from motcua.clock import set_clock
from motcua.db import db
from support.api import Api
from support.clock import FakeClock, local
from support.database import app_on_empty_database
from support.paths import SAMPLES, load_json, passwords
from support.sample import load_province
from support.walk import Walker

BEFORE = "b7e2a9c4d1f0"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    with app_on_empty_database(request.param, tmp_path) as app:
        set_clock(app, FakeClock(local(2026, 3, 16, 9, 0)))
        yield app


def _snapshot(conn: sa.Connection) -> dict[str, Any]:
    events = conn.execute(sa.text(
        "SELECT id, seq, hash FROM history_event ORDER BY id")).all()
    dossiers = conn.execute(sa.text(
        "SELECT code, applicant_name_search, supplement_count, apology_count FROM dossier "
        "ORDER BY code")).all()
    return {"events": [tuple(e) for e in events], "dossiers": [tuple(d) for d in dossiers]}


def test_existing_histories_are_linked_as_record_links_them(fresh_app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    upgrade()
    org = load_province(load_json(SAMPLES / "org.json"))
    walker = Walker(Api(fresh_app.test_client(), passwords(org["users"])), SAMPLES / "forms")
    for name in ("Nguyễn Văn Bình", "ĐẶNG  Thị Ánh"):
        code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap",
                             applicant={"name": name, "id_number": "001090012345"})["code"]
        walker.complete("mc.lan", code, "accept")
        walker.complete("tp.hung", code, assignee="cv.mai")
        walker.complete("cv.mai", code, "supplement", note="Thiếu bản sao")
    db.session.remove()
    with db.engine.connect() as conn:
        written = _snapshot(conn)
    assert len(written["events"]) > 6
    assert sorted(d[1:] for d in written["dossiers"]) == [("dang thi anh", 1, 0),
                                                          ("nguyen van binh", 1, 0)]

    downgrade(revision=BEFORE)
    upgrade()
    with db.engine.connect() as conn:
        assert _snapshot(conn) == written
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE history_event SET note = 'sửa' WHERE seq = 1"))
