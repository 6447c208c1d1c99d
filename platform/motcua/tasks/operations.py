"""Task verbs: the worklist, claim, and complete — what happens when an officer completes
a task is ``complete`` below."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select, tuple_

from motcua import clock
from motcua.calendar.operations import load_calendar
from motcua.db import db
from motcua.dossiers.flow import ENGINE_ERRORS, Advance, bind_runtime, engine_failure, sync
from motcua.dossiers.models import Dossier, HistoryEvent
from motcua.dossiers.operations import lock_dossier
from motcua.errors import Conflict, Invalid, NotFound
from motcua.org.models import User
from motcua.processes.operations import CompiledVersion, compiled
from motcua.schema_errors import validate
from motcua.tasks.models import OPEN_STATES, Task
from motcua.tasks.worklist import WorklistFilter, open_tasks

MAX_PAGE = 200


def worklist(user: User, *, procedure: str | None = None, limit: int = 50,
             offset: int = 0) -> list[Task]:
    """Open tasks ``user`` may work on: theirs, or unassigned for one of their role+units,
    soonest due first (the API's worklist; the page adds filters, see tasks/worklist.py)."""
    return open_tasks(user, WorklistFilter(procedure=procedure), clock.now(),
                      limit=min(max(limit, 1), MAX_PAGE), offset=max(offset, 0))


def _visible(user: User) -> Any:
    """Tasks of the user's role+units (even if a colleague holds them), theirs, or done by
    them: a colleague's task answers 409, another unit's 404."""
    pairs = [(m.role, m.agency_id) for m in user.memberships]
    clauses = [Task.assignee_id == user.id, Task.completed_by_id == user.id]
    if pairs:
        clauses.append(tuple_(Task.role, Task.unit_id).in_(pairs))
    return or_(*clauses)


def get_task(user: User, task_id: int) -> Task:
    """A task the user may act on or could see; anything else is absent."""
    task = db.session.scalar(select(Task).where(Task.id == task_id, _visible(user)))
    if task is None:
        raise NotFound(f"Không có công việc {task_id}")
    return task


def _locked(user: User, task_id: int) -> tuple[Dossier, Task]:
    """Lock the dossier of a task the user may see (one statement), then re-read the task."""
    owner = select(Task.dossier_id).where(Task.id == task_id, _visible(user)).scalar_subquery()
    try:
        dossier = lock_dossier(Dossier.id == owner)
    except NotFound:
        raise NotFound(f"Không có công việc {task_id}") from None
    task = db.session.scalar(select(Task).where(Task.id == task_id)
                             .execution_options(populate_existing=True))
    assert task is not None
    return dossier, task


def claim(user: User, task_id: int, now: datetime) -> Task:
    dossier, task = _locked(user, task_id)
    if task.state not in OPEN_STATES:
        raise Conflict("Công việc đã được hoàn thành hoặc hủy")
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise Conflict(f"Công việc đang do {_holder(task)} xử lý")
    if task.assignee_id != user.id:
        task.assignee_id = user.id
        task.state = "claimed"
        task.claimed_at = now
        db.session.add(HistoryEvent(dossier_id=dossier.id, at=now, actor_id=user.id,
                                    action="claimed", step=task.element_id,
                                    step_name=task.name, unit_id=task.unit_id))
    db.session.flush()
    return task


def complete(user: User, task_id: int, outcome: str | None, data: dict[str, Any],
             now: datetime) -> tuple[Dossier, list[Task]]:
    """Validate the step's form and outcome, run the engine one step, and hand over."""
    dossier, task = _locked(user, task_id)
    if task.state not in OPEN_STATES:
        raise Conflict("Công việc đã được hoàn thành hoặc hủy")
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise Conflict(f"Công việc đang do {_holder(task)} xử lý")
    version = compiled(dossier.process_version_id)
    _check_input(version, task, outcome, data)
    calendar = load_calendar()
    runtime = bind_runtime(dossier, version, calendar, now)
    step_config = version.steps.get(task.element_id, {})
    try:
        workflow = runtime.load(dossier.workflow_state)
        runtime.complete(workflow, UUID(task.spiff_task_id), {**data, "outcome": outcome})
    except LookupError as exc:
        raise Conflict("Công việc không còn ở trạng thái chờ xử lý") from exc
    except ENGINE_ERRORS as exc:
        raise engine_failure(exc) from exc
    task.state = "completed"
    task.assignee_id = task.assignee_id or user.id
    task.completed_at = now
    task.completed_by_id = user.id
    task.outcome = outcome
    task.data = data
    assignee_field = step_config.get("assignee_field")
    step = Advance(actor=user, now=now, completed=task,
                   assignee_username=data.get(assignee_field) if assignee_field else None,
                   note=_note(data))
    sync(dossier, workflow, runtime, calendar, step)
    db.session.flush()
    return dossier, step.created


def _holder(task: Task) -> str:
    return task.assignee.full_name if task.assignee else "người khác"


def _check_input(version: CompiledVersion, task: Task, outcome: str | None,
                 data: dict[str, Any]) -> None:
    keys = [key for key, _label in task.outcomes]
    if keys and outcome not in keys:
        raise Invalid("Chọn một kết quả xử lý hợp lệ", [{
            "field": "outcome",
            "message": f"Kết quả phải là một trong: {', '.join(keys)}"}])
    if not keys and outcome is not None:
        raise Invalid("Bước này không có lựa chọn kết quả", [{
            "field": "outcome", "message": "Bước này không nhận kết quả"}])
    schema = version.form_schema(task.form_key)
    if schema is not None:
        problems = validate(data, schema, root="data")
        if problems:
            raise Invalid("Biểu mẫu chưa hợp lệ", problems)


def _note(data: dict[str, Any]) -> str | None:
    for key in ("note", "opinion", "y_kien", "reason", "ly_do", "comment"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
