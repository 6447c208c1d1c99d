"""The month of dossiers the indicator tests count (``indicator_month``): each made through
the API at the desk, then shaped directly on its row (dates, counters, status, channel,
agency, files), which is fine for the indicators' arithmetic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from indicator_month import CASES, EXTRA_DECISION, SO_TU_PHAP, XA, Case
from sqlalchemy import select, update

from motcua.catalog.models import Procedure
from motcua.catalog.operations import import_decision
from motcua.db import db
from motcua.dossiers.attachments import Upload, save_attachments
from motcua.dossiers.models import AttachmentKind, Dossier
from motcua.org.models import Agency, User
from support.api import Api, new_dossier
from support.clock import FakeClock, local


def _ids(model: Any, codes: list[str]) -> dict[str, int]:
    rows = db.session.execute(select(model.code, model.id).where(model.code.in_(codes)))
    return {code: id_ for code, id_ in rows}


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def shape(code: str, case: Case, agencies: dict[str, int], procedures: dict[str, int],
          officer: User) -> None:
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier is not None
    for kind in case.files:  # through the desk's own funnel, which counts them
        save_attachments(dossier, [Upload(f"{kind}.pdf", PDF)], officer, case.received,
                         AttachmentKind(kind))
    db.session.execute(update(Dossier).where(Dossier.id == dossier.id).values(
        received_at=case.received, first_due_at=case.due, due_at=case.due,
        finished_at=case.finished, status=case.status, clocked_minutes=case.minutes,
        supplement_count=case.supplements, channel=case.channel,
        agency_id=agencies[case.agency], procedure_id=procedures[case.procedure]))


@pytest.fixture
def month(api: Api, sample: Any, clock: FakeClock) -> dict[str, str]:
    """The cases above, made and shaped; the clock moved to 2 April. Case name → code."""
    text = json.dumps(EXTRA_DECISION)
    import_decision(json.loads(text), text)
    codes = {name: new_dossier(api)["code"] for name in CASES}
    agencies = _ids(Agency, [SO_TU_PHAP, XA])
    procedures = _ids(Procedure, ["2.000488", "2.000505"])
    officer = db.session.scalars(select(User).where(User.username == "mc.lan")).one()
    for name, case in CASES.items():
        shape(codes[name], case, agencies, procedures, officer)
    db.session.commit()
    clock.set(local(2026, 4, 2, 9))
    return codes
