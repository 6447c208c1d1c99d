"""One funnel for history: ``record`` writes only under the dossier's lock; the worker's
overdue marks take that lock too; states are refused by the database itself when unknown;
a dossier's history is never deleted with it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.dossiers.operations import lock_dossier
from motcua.dossiers.worker import mark_overdue
from motcua.history.maintenance import maintenance_session
from motcua.history.models import EventAction, HistoryEvent
from motcua.history.operations import record
from support.clock import FakeClock
from support.walk import Walker


def _dossier(code: str) -> Dossier:
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier is not None
    return dossier


def test_history_is_written_only_under_the_dossiers_lock(walker: Walker, clock: FakeClock,
                                                         app: Flask) -> None:
    dossier = _dossier(walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"])
    db.session.commit()
    with pytest.raises(RuntimeError, match="without its lock"):
        record(dossier.id, EventAction.ERROR, clock(), note="x")
    lock_dossier(dossier.id)
    event = record(dossier.id, EventAction.ERROR, clock(), note="x")
    db.session.flush()
    assert event.id is not None
    db.session.rollback()
    # The lock ends with the transaction, and so does the right to write.
    with pytest.raises(RuntimeError):
        record(dossier.id, EventAction.ERROR, clock(), note="x")


def test_overdue_marks_name_the_step_and_its_task(walker: Walker, clock: FakeClock,
                                                  api: Any) -> None:
    code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    task = walker.task("mc.lan", code)
    clock.advance(days=2)
    assert mark_overdue(clock()) == 1
    db.session.commit()
    assert mark_overdue(clock()) == 0  # marked once
    [overdue] = [e for e in api.get("mc.lan", f"/dossiers/{code}/history").get_json()
                 if e["action"] == "overdue"]
    assert (overdue["step"], overdue["timing"]) == ("Task_Receive", "late")
    event = db.session.scalar(select(HistoryEvent).where(HistoryEvent.action == "overdue"))
    assert event is not None and event.task_id == task["id"]


def test_a_dossiers_history_is_not_deleted_with_it(walker: Walker) -> None:
    dossier = _dossier(walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"])
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("DELETE FROM dossier WHERE id = :id"), {"id": dossier.id})
        db.session.flush()
    db.session.rollback()


def test_the_maintenance_session_ends_when_its_block_raises(walker: Walker) -> None:
    """On both databases: an error inside the block, caught by the caller, leaves the rest
    of the transaction with the history append-only again."""
    walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")
    db.session.commit()
    with pytest.raises(ValueError), maintenance_session(db.session.connection()):
        db.session.execute(text("UPDATE history_event SET note = 'sửa trong bảo trì'"))
        raise ValueError("the caller's own error")
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text("UPDATE history_event SET note = 'sửa sau bảo trì'"))
    db.session.rollback()


@pytest.mark.parametrize(("table", "column"), [
    ("dossier", "status"), ("task", "state"), ("history_event", "action"),
    ("task", "meaning"), ("history_event", "meaning"),
])
def test_unknown_states_are_refused_by_the_database(walker: Walker, table: str,
                                                    column: str) -> None:
    walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")
    db.session.commit()
    # The history is append-only: in a maintenance session, its CHECK constraints still hold.
    with maintenance_session(db.session.connection()), pytest.raises(IntegrityError):
        db.session.execute(text(f"UPDATE {table} SET {column} = 'bogus'"))
        db.session.flush()
    db.session.rollback()
