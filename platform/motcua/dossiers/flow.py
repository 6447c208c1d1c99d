"""Moving a dossier's workflow on: bind the runtime, then turn the engine's new state into
task rows, status, deadlines, documents and history. Runs inside the caller's transaction
after the engine step succeeded, so a failing step leaves nothing half-written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import select

from motcua.calendar.working_time import WorkingCalendar
from motcua.db import db
from motcua.dossiers.models import Dossier, HistoryEvent, IssuedDocument
from motcua.engine.runtime import Runtime, next_timer_at, ready_user_tasks
from motcua.errors import Invalid, field_error
from motcua.org.models import Agency, User
from motcua.processes.operations import CompiledVersion, compiled
from motcua.tasks.models import OPEN_STATES, Task

# Outcomes that end a dossier as refused when they lead straight to an end event.
REFUSAL_OUTCOMES = frozenset({"refuse", "reject"})


def bind_runtime(dossier: Dossier, version: CompiledVersion, calendar: WorkingCalendar,
                 now: datetime) -> Runtime:
    steps = version.steps

    def step_due(spiff_task: SpiffTask) -> datetime | None:
        cached = spiff_task.internal_data.get("motcua_due")
        if cached:
            return datetime.fromisoformat(cached)
        step = steps.get(spiff_task.task_spec.bpmn_id or "")
        minutes = step["allotted_minutes"] if step else 0
        if not minutes:
            return None
        due = calendar.add(now, minutes)
        # Kept on the engine task so the task row and a boundary timer agree.
        spiff_task.internal_data["motcua_due"] = due.isoformat()
        return due

    return Runtime(version.bundle, clock=lambda: now, step_due=step_due,
                   dossier_due=lambda: dossier.due_at)


def engine_failure(exc: Exception) -> Invalid:
    """A step that fails at run time: report the BPMN element, keep nothing."""
    task_spec = getattr(exc, "task_spec", None)
    element = getattr(task_spec, "bpmn_id", None) or getattr(task_spec, "name", None)
    message = str(exc.args[0]) if exc.args else exc.__class__.__name__
    detail: dict[str, Any] = {"element_id": element, "message": message}
    line = getattr(exc, "line_number", None)
    if line:
        detail["line"] = line
    return Invalid(f"Quy trình lỗi khi chạy tại bước {element}: {message}", [detail])


ENGINE_ERRORS = (SpiffWorkflowException, ValueError, TypeError, KeyError)


@dataclass
class Advance:
    """What one engine step did; filled by ``sync``."""

    actor: User | None
    now: datetime
    completed: Task | None = None
    assignee_username: str | None = None
    note: str | None = None
    created: list[Task] = field(default_factory=list)
    cancelled: list[Task] = field(default_factory=list)


def resolve_unit(selector: str, dossier: Dossier) -> int:
    if selector == "@desk":
        return dossier.desk_id
    if selector == "@agency":
        return dossier.agency_id
    if selector == "@handling":
        return dossier.handling_unit_id
    agency_id = db.session.scalar(select(Agency.id).where(Agency.code == selector))
    if agency_id is None:
        raise Invalid(f"Không có cơ quan {selector} cho bước liên thông",
                      [{"field": "unit", "message": f"Cơ quan không tồn tại: {selector}"}])
    return agency_id


def is_eligible(user: User, role: str, unit_id: int) -> bool:
    return (role, unit_id) in user.roles_at()


def sync(dossier: Dossier, workflow: BpmnWorkflow, runtime: Runtime, calendar: WorkingCalendar,
         step: Advance) -> None:
    version = compiled(dossier.process_version_id)
    open_rows = {t.spiff_task_id: t for t in db.session.scalars(
        select(Task).where(Task.dossier_id == dossier.id, Task.state.in_(OPEN_STATES)))}
    ready = ready_user_tasks(workflow)
    ready_ids = {str(t.id) for t in ready}
    for spiff_id, row in open_rows.items():
        if spiff_id not in ready_ids:
            row.state = "cancelled"
            step.cancelled.append(row)
    assignee = _next_assignee(step.assignee_username)
    for spiff_task in ready:
        if str(spiff_task.id) in open_rows:
            continue
        config = version.steps.get(spiff_task.task_spec.bpmn_id or "")
        if config is None:
            raise Invalid(f"Bước {spiff_task.task_spec.bpmn_id} không có cấu hình vai trò")
        unit_id = resolve_unit(config["unit"], dossier)
        row = Task(
            dossier_id=dossier.id, procedure_id=dossier.procedure_id,
            spiff_task_id=str(spiff_task.id),
            element_id=config["element_id"], name=config["name"], role=config["role"],
            unit_id=unit_id, state="ready", form_key=config.get("form"),
            outcomes=[list(o) for o in config.get("outcomes", [])],
            document=config.get("document"), allotted_minutes=config["allotted_minutes"],
            started_at=step.now, due_at=runtime.step_due(spiff_task),
        )
        came_back, previous = _done_before(dossier, row.element_id)
        row.reopened = came_back
        row.assignee_id = _assign(row, assignee, previous)
        db.session.add(row)
        step.created.append(row)
    # Every change to the dossier row before anything flushes: one UPDATE per step.
    dossier.current_step = ", ".join(t.name for t in step.created) or (
        None if workflow.is_completed() else dossier.current_step)
    dossier.workflow_state = runtime.dump(workflow)
    dossier.timer_due_at = next_timer_at(workflow)
    still_open = [row for sid, row in open_rows.items() if sid in ready_ids] + step.created
    _apply_status(dossier, workflow, calendar, step, {row.document for row in still_open})
    _record(dossier, step, calendar)


def _next_assignee(username: str | None) -> User | None:
    if not username:
        return None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        raise field_error("data.assignee", f"Không có cán bộ {username}")
    return user


def _done_before(dossier: Dossier, element_id: str) -> tuple[bool, User | None]:
    """Was this step completed before in the dossier (so it came back), and by whom?"""
    earlier = db.session.execute(
        select(Task.completed_by_id).where(
            Task.dossier_id == dossier.id, Task.element_id == element_id,
            Task.state == "completed").order_by(Task.id.desc()).limit(1)).first()
    if earlier is None:
        return False, None
    return True, db.session.get(User, earlier[0]) if earlier[0] is not None else None


def _assign(row: Task, chosen: User | None, previous: User | None) -> int | None:
    if chosen is not None:
        if not is_eligible(chosen, row.role, row.unit_id):
            raise field_error("data.assignee", f"{chosen.full_name} không có vai trò "
                              f"{row.role} tại đơn vị xử lý bước \"{row.name}\"")
        return chosen.id
    # A step sent back goes to whoever did it before, if they still can.
    if previous is not None and is_eligible(previous, row.role, row.unit_id):
        return int(previous.id)
    return None


def _apply_status(dossier: Dossier, workflow: BpmnWorkflow, calendar: WorkingCalendar,
                  step: Advance, open_docs: set[str | None]) -> None:
    completed = step.completed
    if completed is not None and completed.document == "supplement":
        # The complete dossier is back: the legal clock restarts from zero.
        dossier.clock_started_at = calendar.next_working_minute(step.now)
        dossier.due_at = calendar.add(step.now, dossier.time_limit_minutes)
    if workflow.is_completed():
        refused = completed is not None and completed.outcome in REFUSAL_OUTCOMES
        dossier.status = "refused" if refused else "returned"
        dossier.finished_at = step.now
    elif "supplement" in open_docs:
        # The clock stops: there is no appointment until the complete dossier is back.
        dossier.status = "supplement_requested"
        dossier.due_at = None
    elif (completed is not None and completed.document == "result") or dossier.status == "done":
        dossier.status = "done"
    elif completed is None and dossier.status == "received":
        dossier.status = "received"
    else:
        dossier.status = "processing"


def _record(dossier: Dossier, step: Advance, calendar: WorkingCalendar) -> None:
    completed = step.completed
    to_step = ", ".join(t.name for t in step.created) or _end_label(dossier.status)
    if completed is not None:
        db.session.add(HistoryEvent(
            dossier_id=dossier.id, at=step.now, actor_id=step.actor.id if step.actor else None,
            action="completed", step=completed.element_id, step_name=completed.name,
            from_step=completed.name, to_step=to_step, unit_id=completed.unit_id,
            outcome=completed.outcome, note=step.note, started_at=completed.started_at,
            due_at=completed.due_at, task_id=completed.id,
            timing=calendar.timing(completed.due_at, step.now)))
        kind = _document_on_completion(completed, dossier)
        if kind:
            _issue(dossier, kind, completed.element_id, step)
    for row in step.created:
        if row.document == "supplement":
            _issue(dossier, "supplement", row.element_id, step)


def _document_on_completion(task: Task, dossier: Dossier) -> str | None:
    if task.outcome in REFUSAL_OUTCOMES and dossier.status == "refused":
        return "refusal"
    if task.document in (None, "supplement"):
        return None
    if task.document == "receipt" and task.outcome not in (None, "accept"):
        return None
    return task.document


def issued_document(dossier: Dossier, kind: str, at: datetime, actor: User | None,
                    step: str | None, **fields: Any) -> IssuedDocument:
    """A standard document with a snapshot of the dossier fields it prints, plus ``fields``."""
    return IssuedDocument(
        dossier_id=dossier.id, kind=kind, issued_at=at, issued_by_id=actor.id if actor else None,
        step=step,
        content={"code": dossier.code, "procedure": dossier.procedure.name,
                 "applicant": dossier.applicant,
                 "received_at": dossier.received_at.isoformat(),
                 "due_at": dossier.due_at.isoformat() if dossier.due_at else None, **fields})


def _issue(dossier: Dossier, kind: str, element_id: str, step: Advance) -> None:
    db.session.add(issued_document(
        dossier, kind, step.now, step.actor, element_id,
        data=(step.completed.data if step.completed else None) or {}))
    db.session.add(HistoryEvent(
        dossier_id=dossier.id, at=step.now, actor_id=step.actor.id if step.actor else None,
        action="document", step=element_id, outcome=kind))


_END_LABELS = {"refused": "Kết thúc: từ chối", "returned": "Kết thúc: đã trả kết quả",
               "stopped": "Kết thúc: dừng xử lý"}


def _end_label(status: str) -> str | None:
    return _END_LABELS.get(status)
