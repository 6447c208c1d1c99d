"""Task verbs: the worklist, claim, and complete — what happens when an officer completes
a task is ``complete`` below."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Integer, bindparam, or_, select, tuple_

from motcua import clock
from motcua.calendar.operations import load_calendar
from motcua.db import db
from motcua.dossiers.access import can_see
from motcua.dossiers.flow import (
    ENGINE_ERRORS,
    Advance,
    bind_runtime,
    config_of,
    engine_failure,
    sync,
)
from motcua.dossiers.models import Dossier
from motcua.dossiers.operations import lock_dossier
from motcua.errors import Conflict, Invalid, NotFound
from motcua.forms.conform import conform, size_problems
from motcua.history.models import EventAction
from motcua.history.operations import Actor, record
from motcua.org.models import User
from motcua.processes.checks import StepConfig
from motcua.processes.meanings import NEEDS_REASON, Outcome
from motcua.processes.operations import CompiledVersion, compiled
from motcua.tasks.models import OPEN_STATES, Task, TaskState
from motcua.tasks.worklist import WorklistFilter, open_tasks

MAX_PAGE = 200


def worklist(user: User, *, procedure: str | None = None, limit: int = 50,
             offset: int = 0) -> list[Task]:
    """Open tasks ``user`` may work on: theirs, or unassigned for one of their role+units,
    soonest due first (the API's worklist; the page adds filters, see tasks/worklist.py)."""
    return open_tasks(user, WorklistFilter(procedure=procedure), clock.now(),
                      limit=min(max(limit, 1), MAX_PAGE), offset=max(offset, 0))


@cache
def _visible() -> ColumnElement[bool]:
    """Tasks of the user's role+units (even if a colleague holds them), theirs, or done by
    them: a colleague's task answers 409, another unit's 404. The user comes as bound
    parameters (``_seen_by``), so a statement using it is built and keyed once."""
    me = bindparam("user_id", type_=Integer)
    return or_(Task.assignee_id == me, Task.completed_by_id == me,
               tuple_(Task.role, Task.unit_id).in_(bindparam("pairs", expanding=True)))


def _seen_by(user: User) -> dict[str, Any]:
    return {"user_id": user.id, "pairs": [(m.role, m.agency_id) for m in user.memberships]}


@cache
def _dossier_of_visible_task() -> ColumnElement[bool]:
    """The dossier of task ``task_id``, if the user may see that task."""
    return Dossier.id == select(Task.dossier_id).where(
        Task.id == bindparam("task_id"), _visible()).scalar_subquery()


def get_task(user: User, task_id: int) -> Task:
    """A task the user may act on or could see; anything else is absent."""
    task = db.session.scalar(select(Task).where(Task.id == task_id, _visible()),
                             _seen_by(user))
    if task is None:
        raise NotFound(f"Không có công việc {task_id}")
    return task


def may_read_dossier(user: User, task: Task) -> bool:
    """May the user read the dossier behind a task they can see? A colleague of the same role
    and unit who neither holds nor held it sees its header only, unless the dossier's own
    visibility rule lets them read it."""
    if task.assignee_id == user.id or task.completed_by_id == user.id:
        return True
    if task.is_open and task.assignee_id is None:
        return True
    return can_see(user, task.dossier)


def _locked(user: User, task_id: int) -> tuple[Dossier, Task]:
    """Lock the dossier of a task the user may see (one statement), then re-read the task."""
    try:
        dossier = lock_dossier(_dossier_of_visible_task(), task_id=task_id, **_seen_by(user))
    except NotFound:
        raise NotFound(f"Không có công việc {task_id}") from None
    task = next((t for t in dossier.tasks if t.id == task_id), None)
    if task is None:
        raise NotFound(f"Không có công việc {task_id}")
    return dossier, task


def acting_as(user: User, task: Task) -> Actor:
    """The membership the user acts in on the task, as the history records it: the task's
    role at its unit when they hold it; else (a task assigned to an officer who has since
    moved) the membership they do hold, of the same role first, so that the audit sees a
    completion outside the lane's role and unit instead of a membership nobody held."""
    held = sorted(user.memberships, key=lambda m: (m.role != task.role, m.agency_id))
    if any(m.role == task.role and m.agency_id == task.unit_id for m in held):
        return Actor(user, task.role, task.unit_id)
    if held:
        return Actor(user, held[0].role, held[0].agency_id)
    return Actor(user, None, None)


def _require_actionable(user: User, task: Task) -> None:
    if task.state not in OPEN_STATES:
        raise Conflict("Công việc đã được hoàn thành hoặc hủy")
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise Conflict(f"Công việc đang do {_holder(task)} xử lý")


def claim(user: User, task_id: int, now: datetime) -> Task:
    dossier, task = _locked(user, task_id)
    _require_actionable(user, task)
    if task.assignee_id != user.id:
        task.assignee_id = user.id
        task.state = TaskState.CLAIMED
        task.claimed_at = now
        record(dossier.id, EventAction.CLAIMED, now, actor=acting_as(user, task),
               step=task.element_id, step_name=task.name, unit_id=task.unit_id,
               task_id=task.id)
    db.session.flush()
    return task


@dataclass(frozen=True)
class Checked:
    """A completion that passed every check: the outcome chosen, its reason and what the
    applicant must add, read only through the fields the step declares, and the step's data
    as kept (``forms.conform``: without the keys its form drops)."""

    outcome: Outcome | None
    reason: str | None
    note: str | None
    data: dict[str, Any]
    missing: list[dict[str, str]] = field(default_factory=list)


def check_completion(version: CompiledVersion, config: StepConfig, outcome: str | None,
                     data: Mapping[str, Any], note: str | None) -> Checked:
    """Every reason a completion would be refused, all at once (``Invalid`` with each field
    named); nothing is changed. Pages call it before asking for a confirmation."""
    problems: list[dict[str, str]] = []
    chosen = config.outcome(outcome)
    if config.outcomes and chosen is None:
        problems.append({"field": "outcome", "message":
                         f"Kết quả phải là một trong: {', '.join(config.outcome_keys)}"})
    elif not config.outcomes and outcome is not None:
        problems.append({"field": "outcome", "message": "Bước này không nhận kết quả"})
    kept, found = conform(dict(data), version.form_schema(config.form))
    problems.extend(found)
    data = kept
    note = (note or "").strip() or None
    reason = _reason(config, data, note)
    if chosen is not None and chosen.meaning in NEEDS_REASON and not reason:
        where = f"data.{config.reason_field}" if config.reason_field else "note"
        if not any(p["field"] == where for p in problems):
            problems.append({"field": where, "message":
                             f"Cần ghi lý do khi chọn \u201c{chosen.label}\u201d"})
    if problems:
        raise Invalid("Chưa hoàn thành được bước: xem các trường được đánh dấu", problems)
    return Checked(chosen, reason if chosen and chosen.meaning in NEEDS_REASON else None, note,
                   kept, _missing(version, config, data))


def _reason(config: StepConfig, data: Mapping[str, Any], note: str | None) -> str | None:
    if not config.reason_field:
        return note
    value = data.get(config.reason_field)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _missing(version: CompiledVersion, config: StepConfig,
             data: Mapping[str, Any]) -> list[dict[str, str]]:
    """What the applicant must add, as form 02 prints it: each item of the declared list, its
    first text as the paper's name and the rest as details under the form's own titles."""
    if not config.missing_field:
        return []
    items = data.get(config.missing_field)
    schema = version.form_schema(config.form) or {}
    spec = (schema.get("properties") or {}).get(config.missing_field) or {}
    item_props = (spec.get("items") or {}).get("properties") or {}
    lines = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str) and item.strip():
            lines.append({"name": item.strip(), "details": ""})
        elif isinstance(item, Mapping):
            values = [(item_props.get(k, {}).get("title") or k, v) for k, v in item.items()
                      if v not in (None, "")]
            if values:
                (_, name), rest = values[0], values[1:]
                lines.append({"name": str(name),
                              "details": "; ".join(f"{t}: {v}" for t, v in rest)})
    return lines


def complete(user: User, task_id: int, outcome: str | None, data: dict[str, Any],
             now: datetime, note: str | None = None) -> Advance:
    """Check the step's form, outcome and reason, run the engine one step, and hand over.
    Returns what it did: the tasks created and cancelled, the documents issued, the events."""
    too_large = size_problems(data)
    if too_large:  # before any lock is taken
        raise Invalid("Dữ liệu của bước quá lớn", too_large)
    dossier, task = _locked(user, task_id)
    _require_actionable(user, task)
    version = compiled(dossier.process_version_id)
    config = config_of(version, task)
    checked = check_completion(version, config, outcome, data, note)
    data = checked.data
    calendar = load_calendar()
    runtime = bind_runtime(dossier, version, calendar, now)
    try:
        workflow = runtime.load(dossier.workflow_state)
        runtime.complete(workflow, UUID(task.spiff_task_id), {**data, "outcome": outcome})
    except LookupError as exc:
        raise Conflict("Công việc không còn ở trạng thái chờ xử lý") from exc
    except ENGINE_ERRORS as exc:
        raise engine_failure(exc) from exc
    task.state = TaskState.COMPLETED
    task.assignee_id = task.assignee_id or user.id
    task.completed_at = now
    task.completed_by_id = user.id
    task.completed_by = user
    task.outcome = outcome
    task.reason = checked.reason
    task.note = checked.note
    task.data = data
    step = Advance(dossier=dossier, now=now, actor=acting_as(user, task),
                   completed=task, outcome=checked.outcome, reason=checked.reason,
                   missing=checked.missing,
                   assignee_username=data.get(config.assignee_field)
                   if config.assignee_field else None)
    task.meaning = step.meaning
    sync(dossier, workflow, runtime, calendar, step)
    db.session.flush()
    return step


def _holder(task: Task) -> str:
    return task.assignee.full_name if task.assignee else "người khác"
