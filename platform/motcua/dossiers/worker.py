"""What ``motcua worker`` does each round: fire due timers, mark overdue tasks. Rows are
claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers share the load."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import undefer

from motcua.calendar.operations import load_calendar
from motcua.db import db, for_update, lock_for_write
from motcua.dossiers.flow import ENGINE_ERRORS, Advance, bind_runtime, sync
from motcua.dossiers.models import Dossier, HistoryEvent
from motcua.processes.operations import compiled
from motcua.tasks.models import OPEN_STATES, Task


def fire_due_timers(now: datetime, limit: int = 100) -> int:
    """Fire the timers of up to ``limit`` dossiers whose earliest timer is due."""
    lock_for_write()
    dossiers = db.session.scalars(for_update(
        select(Dossier).where(Dossier.timer_due_at.is_not(None), Dossier.timer_due_at <= now)
        .options(undefer(Dossier.workflow_state))
        .order_by(Dossier.timer_due_at).limit(limit), skip_locked=True)).all()
    calendar = load_calendar()
    fired = 0
    for dossier in dossiers:
        runtime = bind_runtime(dossier, compiled(dossier.process_version_id), calendar, now)
        try:
            workflow = runtime.load(dossier.workflow_state)
            elements = runtime.fire_due_timers(workflow)
        except ENGINE_ERRORS as exc:
            # One broken dossier must not stop the others: park its timer and say why.
            dossier.timer_due_at = None
            db.session.add(HistoryEvent(dossier_id=dossier.id, at=now, action="error",
                                        note=f"Lỗi bộ hẹn giờ: {exc}"))
            continue
        step = Advance(actor=None, now=now)
        sync(dossier, workflow, runtime, calendar, step)
        db.session.add(HistoryEvent(
            dossier_id=dossier.id, at=now, action="timer", note=f"{len(elements)} hẹn giờ",
            to_step=", ".join(t.name for t in step.created) or None))
        fired += 1
    db.session.flush()
    return fired


def mark_overdue(now: datetime, limit: int = 1000) -> int:
    lock_for_write()
    tasks = db.session.scalars(for_update(
        select(Task).where(Task.state.in_(OPEN_STATES), Task.overdue.is_(False),
                           Task.due_at.is_not(None), Task.due_at < now)
        .order_by(Task.due_at).limit(limit), skip_locked=True)).all()
    for task in tasks:
        task.overdue = True
        db.session.add(HistoryEvent(
            dossier_id=task.dossier_id, at=now, action="overdue", step=task.element_id,
            step_name=task.name, unit_id=task.unit_id, due_at=task.due_at, timing="late"))
    db.session.flush()
    return len(tasks)
