"""Dossiers of the sample province with a few events each, and the ways a database
superuser could alter their history: in a maintenance session (the triggers lifted), raw SQL
on ``history_event`` and on the audit's own tree tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.history.chain import GENESIS, event_fields, link
from motcua.history.maintenance import maintenance_session
from motcua.history.models import HistoryEvent
from support.walk import Walker

PROCEDURE = "2.000488"
START_FORM = "to-khai-ly-lich-tu-phap"


def new_dossier(walker: Walker, steps: int = 2) -> str:
    """A dossier received (and, with ``steps`` ≥ 2, accepted and assigned): its code."""
    code: str = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    if steps >= 1:
        walker.complete("mc.lan", code, "accept")
    if steps >= 2:
        walker.complete("tp.hung", code, None, assignee="cv.mai")
    return code


def dossier_id(code: str) -> int:
    found = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
    assert found is not None
    return found


def events(code: str) -> list[HistoryEvent]:
    return list(db.session.scalars(
        select(HistoryEvent).where(HistoryEvent.dossier_id == dossier_id(code))
        .order_by(HistoryEvent.seq, HistoryEvent.id).execution_options(populate_existing=True)))


def tamper(sql: str, **params: Any) -> None:
    """Raw SQL with the history's triggers lifted, committed (as far as the test goes)."""
    with maintenance_session(db.session.connection()):
        db.session.execute(text(sql), params)
    db.session.commit()
    db.session.expire_all()


def event_id(code: str, position: int) -> int:
    return events(code)[position - 1].id


def rewrite(code: str, position: int, note: str) -> None:
    """Edit an event's note and recompute every hash from it on, as a forger with the
    code would: the chain reads intact again."""
    tamper("UPDATE history_event SET note = :note WHERE id = :id",
           note=note, id=event_id(code, position))
    relink(code)


def relink(code: str) -> None:
    previous = GENESIS
    with maintenance_session(db.session.connection()):
        for event in events(code):
            digest = link(previous, event_fields(event))
            if digest != event.hash:
                db.session.execute(text("UPDATE history_event SET hash = :hash WHERE id = :id"),
                                   {"hash": digest, "id": event.id})
            previous = digest
    db.session.commit()
    db.session.expire_all()


def insert_copy(code: str, position: int, **changes: Any) -> None:
    """A forged event: a copy of the one at ``position`` with ``changes`` (its seq, hash...)."""
    source = events(code)[position - 1]
    columns = {c.name: getattr(source, c.key) for c in HistoryEvent.__table__.columns
               if c.name != "id"}
    columns.update(changes)
    row = HistoryEvent(**columns)
    db.session.add(row)
    db.session.commit()
