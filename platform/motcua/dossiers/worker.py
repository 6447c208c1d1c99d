"""What ``motcua worker`` does each round: fire due timers, mark overdue tasks. Each dossier
is locked as a request would lock it (FOR UPDATE SKIP LOCKED on PostgreSQL, so several
workers share the load and a dossier an officer is completing waits for the next round)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from motcua.calendar.operations import load_calendar
from motcua.db import db
from motcua.dossiers.flow import ENGINE_ERRORS, Advance, bind_runtime, sync
from motcua.dossiers.models import Dossier
from motcua.dossiers.operations import try_lock_dossier
from motcua.history.models import EventAction, Timing
from motcua.history.operations import record
from motcua.processes.operations import compiled
from motcua.tasks.models import OPEN_STATES, Task


def fire_due_timers(now: datetime, limit: int = 100) -> int:
    """Fire the timers of up to ``limit`` dossiers whose earliest timer is due."""
    ids = db.session.scalars(
        select(Dossier.id).where(Dossier.timer_due_at.is_not(None), Dossier.timer_due_at <= now)
        .order_by(Dossier.timer_due_at).limit(limit)).all()
    calendar = load_calendar()
    fired = 0
    for dossier_id in ids:
        dossier = try_lock_dossier(dossier_id)
        if dossier is None or dossier.timer_due_at is None or dossier.timer_due_at > now:
            continue  # another worker or a request has it, or it moved meanwhile
        runtime = bind_runtime(dossier, compiled(dossier.process_version_id), calendar, now)
        try:
            workflow = runtime.load(dossier.workflow_state)
            timers = runtime.fire_due_timers(workflow)
        except ENGINE_ERRORS as exc:
            # One broken dossier must not stop the others: park its timer and say why.
            dossier.timer_due_at = None
            record(dossier.id, EventAction.ERROR, now, note=f"Lỗi bộ hẹn giờ: {exc}")
            continue
        sync(dossier, workflow, runtime, calendar,
             Advance(dossier=dossier, actor=None, now=now, timers=timers))
        fired += 1
    db.session.flush()
    return fired


def mark_overdue(now: datetime, limit: int = 1000) -> int:
    """Mark open tasks past their due time, each under its dossier's lock."""
    rows = db.session.execute(
        select(Task.id, Task.dossier_id).where(
            Task.state.in_(OPEN_STATES), Task.overdue.is_(False), Task.due_at.is_not(None),
            Task.due_at < now).order_by(Task.due_at).limit(limit)).all()
    by_dossier: dict[int, set[int]] = {}
    for task_id, dossier_id in rows:
        by_dossier.setdefault(dossier_id, set()).add(task_id)
    marked = 0
    for dossier_id, task_ids in by_dossier.items():
        dossier = try_lock_dossier(dossier_id)
        if dossier is None:
            continue
        for task in dossier.tasks:
            if task.id not in task_ids or not task.is_open or task.overdue \
                    or task.due_at is None or task.due_at >= now:
                continue
            task.overdue = True
            record(dossier.id, EventAction.OVERDUE, now, step=task.element_id,
                   step_name=task.name, unit_id=task.unit_id, due_at=task.due_at,
                   timing=Timing.LATE, task_id=task.id)
            marked += 1
    db.session.flush()
    return marked
