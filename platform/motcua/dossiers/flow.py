"""Moving a dossier's workflow on: bind the runtime, then turn the engine's new state into
task rows, status, deadlines, documents and history. Runs inside the caller's transaction
after the engine step succeeded, so a failing step leaves nothing half-written.

What a completed step causes is decided by the meaning of the chosen outcome and by the
step's declared ``document`` (contract: bpmn-dialect.md), never by a key's or label's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from motcua.calendar.working_time import WorkingCalendar
from motcua.catalog.operations import procedure_in_force
from motcua.db import db
from motcua.dossiers.models import Dossier, DossierStatus, IssuedDocument
from motcua.dossiers.rules import (
    Act,
    completion_effects,
    next_status,
    owes_refusal,
    reconsiders_refusal,
)
from motcua.engine.runtime import Runtime, next_timer_at, ready_user_tasks
from motcua.errors import Invalid, field_error
from motcua.history.models import EventAction, HistoryEvent
from motcua.history.operations import Actor, record
from motcua.org.models import Agency, User
from motcua.processes.checks import StepConfig
from motcua.processes.meanings import Meaning, Outcome
from motcua.processes.operations import CompiledVersion, compiled
from motcua.tasks.models import Task, TaskState


def bind_runtime(dossier: Dossier, version: CompiledVersion, calendar: WorkingCalendar,
                 now: datetime) -> Runtime:
    steps = version.steps

    def step_due(spiff_task: SpiffTask) -> datetime | None:
        cached = spiff_task.internal_data.get("motcua_due")
        if cached:
            return datetime.fromisoformat(cached)
        step = steps.get(spiff_task.task_spec.bpmn_id or "")
        minutes = step.allotted_minutes if step else 0
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
    """One engine step: what the officer (or a timer) did, and everything it caused. It is
    what completing a task returns, so callers never query for it afterwards."""

    dossier: Dossier
    now: datetime
    actor: Actor | None
    completed: Task | None = None
    outcome: Outcome | None = None
    # The reason an outcome meaning refuse, supplement or back carries, and what the
    # applicant must add (the step's ``missing_field``), as printed on form 02.
    reason: str | None = None
    missing: list[dict[str, str]] = field(default_factory=list)
    assignee_username: str | None = None
    # Timers that fired (BPMN id, name), when a timer moved the dossier.
    timers: list[tuple[str, str]] = field(default_factory=list)
    created: list[Task] = field(default_factory=list)
    cancelled: list[Task] = field(default_factory=list)
    documents: list[IssuedDocument] = field(default_factory=list)
    events: list[HistoryEvent] = field(default_factory=list)

    @property
    def meaning(self) -> Meaning | None:
        """The chosen outcome's meaning; a step without outcomes moves the dossier on."""
        if self.outcome is not None:
            return self.outcome.meaning
        return Meaning.FORWARD if self.completed is not None else None


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
    # The reads on the way (an officer, a unit, documents issued before) need nothing of this
    # step, so they must not flush it half-made: each changed row gets one UPDATE.
    with db.session.no_autoflush:
        rows = list(dossier.tasks)
        open_rows = {t.spiff_task_id: t for t in rows if t.is_open}
        ready = ready_user_tasks(workflow)
        ready_ids = {str(t.id) for t in ready}
        for spiff_id, row in open_rows.items():
            if spiff_id not in ready_ids:
                row.state = TaskState.CANCELLED
                step.cancelled.append(row)
        assignee = _next_assignee(step.assignee_username)
        for spiff_task in ready:
            if str(spiff_task.id) not in open_rows:
                step.created.append(_new_task(dossier, version, runtime, spiff_task, rows,
                                              assignee, step))
        dossier.current_step = ", ".join(t.name for t in step.created) or (
            None if workflow.is_completed() else dossier.current_step)
        dossier.workflow_state = runtime.dump(workflow)
        dossier.timer_due_at = next_timer_at(workflow)
        still_open = [row for sid, row in open_rows.items() if sid in ready_ids] + step.created
        issue: list[tuple[str, str | None, dict[str, Any]]] = []
        was_running = clock_runs(dossier)
        before = dossier.status
        _completion_effects(dossier, version, calendar, step, issue)
        _status(dossier, workflow, step, still_open, issue)
        count_clock(dossier, calendar, step.now, was_running, before)
    db.session.flush()
    _record(dossier, step, calendar, issue)


def _new_task(dossier: Dossier, version: CompiledVersion, runtime: Runtime,
              spiff_task: SpiffTask, rows: list[Task], assignee: User | None,
              step: Advance) -> Task:
    config = version.step(spiff_task.task_spec.bpmn_id or "")
    if config is None:
        raise Invalid(f"Bước {spiff_task.task_spec.bpmn_id} không có cấu hình vai trò")
    previous = _last_completion(rows, config.element_id)
    unit_id = resolve_unit(config.unit, dossier)
    row = Task(
        dossier_id=dossier.id, dossier=dossier, procedure_id=dossier.procedure_id,
        spiff_task_id=str(spiff_task.id),
        element_id=config.element_id, name=config.name, role=config.role,
        unit_id=unit_id, unit=db.session.get_one(Agency, unit_id), state=TaskState.READY,
        form_key=config.form, outcomes=[o.as_list() for o in config.outcomes],
        document=config.document, allotted_minutes=config.allotted_minutes,
        started_at=step.now, due_at=runtime.step_due(spiff_task),
    )
    if step.meaning is Meaning.BACK and step.completed is not None:
        row.reopened = True
        row.returned_from_id = step.completed.id
        # Sent back to the refusing step or one before it: the refusal is reconsidered.
        if reconsiders_refusal(step.meaning, previous.id if previous else None,
                               dossier.refusal_task_id):
            dossier.refusal_task_id = None
    # A step done before goes to whoever did it, if they still can. The row holds the officer
    # and the unit themselves: the answer shows them without reading again.
    done_by = _officer(previous.completed_by_id) if previous and previous.completed_by_id else None
    row.assignee = _assign(row, assignee, done_by)
    row.assignee_id = row.assignee.id if row.assignee else None
    # The collection is read-only: the row is added on its own, and kept in the list so the
    # rest of the step sees it.
    dossier.tasks.append(row)
    db.session.add(row)
    return row


def _officer(user_id: int) -> User:
    """A user with their memberships: from the session, or in one statement."""
    return db.session.get_one(User, user_id, options=[joinedload(User.memberships)])


def _next_assignee(username: str | None) -> User | None:
    if not username:
        return None
    user = db.session.scalars(select(User).where(User.username == username)
                              .options(joinedload(User.memberships))).unique().one_or_none()
    if user is None or not user.is_active:
        raise field_error("data.assignee", f"Không có cán bộ {username}")
    return user


def _last_completion(rows: list[Task], element_id: str) -> Task | None:
    done = [t for t in rows if t.element_id == element_id and t.state == TaskState.COMPLETED]
    return done[-1] if done else None


def _assign(row: Task, chosen: User | None, previous: User | None) -> User | None:
    if chosen is not None:
        if not is_eligible(chosen, row.role, row.unit_id):
            raise field_error("data.assignee", f"{chosen.full_name} không có vai trò "
                              f"{row.role} tại đơn vị xử lý bước \"{row.name}\"")
        return chosen
    if previous is not None and is_eligible(previous, row.role, row.unit_id):
        return previous
    return None


# ---------------------------------------------------------------------- the legal clock

def start_clock(dossier: Dossier, calendar: WorkingCalendar, at: datetime) -> None:
    """The legal clock (re)starts from zero at ``at``: the appointment is the time limit
    later, in working time, and it is the one the on-time rules count against."""
    dossier.clock_started_at = calendar.next_working_minute(at)
    due = calendar.add(at, dossier.time_limit_minutes) if dossier.time_limit_minutes else None
    dossier.due_at = dossier.first_due_at = due


def clock_runs(dossier: Dossier) -> bool:
    """The legal clock runs from its (re)start until a supplement request, the result, or
    the end."""
    return (dossier.clock_started_at is not None and dossier.finished_at is None
            and dossier.result_at is None
            and dossier.status != DossierStatus.SUPPLEMENT_REQUESTED)


def count_clock(dossier: Dossier, calendar: WorkingCalendar, at: datetime, was_running: bool,
                before: DossierStatus) -> None:
    """Keep the counters the statistics read: a supplement request counted when the dossier
    starts waiting for one, and the working minutes the clock ran added when it stops."""
    waiting = dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    if waiting and before != DossierStatus.SUPPLEMENT_REQUESTED:
        dossier.supplement_count = (dossier.supplement_count or 0) + 1
    if was_running and not clock_runs(dossier) and dossier.clock_started_at is not None:
        dossier.clocked_minutes = ((dossier.clocked_minutes or 0)
                                   + calendar.elapsed(dossier.clock_started_at, at))


def _stop_clock(dossier: Dossier) -> None:
    # There is no appointment until the complete dossier is back.
    dossier.due_at = dossier.first_due_at = None


def _completion_effects(dossier: Dossier, version: CompiledVersion, calendar: WorkingCalendar,
                        step: Advance, issue: list[tuple[str, str | None, dict[str, Any]]]
                        ) -> None:
    """What the completed step's outcome and declared document cause (``rules``), applied in
    their order to the dossier: a receipt prints the appointment just set."""
    task = step.completed
    if task is None:
        return
    effects = completion_effects(
        step.meaning, task.document, task.element_id,
        clock_running=dossier.clock_started_at is not None,
        receipt_issued=lambda: _issued_before(dossier, "receipt"),
        declares_supplement=version.declares_supplement,
        created=[(row.element_id, row.document) for row in step.created])
    for effect in effects:
        if effect.act is Act.START_CLOCK:
            start_clock(dossier, calendar, step.now)
        elif effect.act is Act.STOP_CLOCK:
            _stop_clock(dossier)
        elif effect.act is Act.MARK_REFUSAL:
            dossier.refusal_task_id = task.id
        else:
            kind = effect.kind or ""
            issue.append((kind, effect.element_id, _content(dossier, step, kind)))


def _content(dossier: Dossier, step: Advance, kind: str) -> dict[str, Any]:
    if kind == "supplement":
        return _supplement_content(step)
    if kind == "receipt":
        return _receipt_content(dossier, step)
    if kind == "refusal":
        return _refusal_content(dossier, step)
    return _step_content(step)


def _status(dossier: Dossier, workflow: BpmnWorkflow, step: Advance, still_open: list[Task],
            issue: list[tuple[str, str | None, dict[str, Any]]]) -> None:
    task = step.completed
    ended = workflow.is_completed()
    status = next_status(
        dossier.status, ended=ended, refused=dossier.refusal_task_id is not None,
        supplement_waiting=any(row.document == "supplement" for row in still_open),
        issues_result=task is not None and task.document == "result",
        completed=task is not None, clock_running=dossier.clock_started_at is not None)
    dossier.status = status
    if status == DossierStatus.DONE and dossier.result_at is None:
        dossier.result_at = step.now
    if ended:
        dossier.finished_at = step.now
        dossier.timer_due_at = None
        if owes_refusal(status, issued_now=any(kind == "refusal" for kind, _, _ in issue),
                        issued_for_it=lambda: _refusal_issued(dossier)):
            element = task.element_id if task else None
            issue.append(("refusal", element, _refusal_content(dossier, step)))
    elif status == DossierStatus.SUPPLEMENT_REQUESTED:
        _stop_clock(dossier)


def _issued_before(dossier: Dossier, kind: str) -> bool:
    return db.session.scalar(select(IssuedDocument.id).where(
        IssuedDocument.dossier_id == dossier.id, IssuedDocument.kind == kind).limit(1)) is not None


def _refusal_issued(dossier: Dossier) -> bool:
    """Form 03 was issued for the refusal in force (by a step that issues it)."""
    refusing = db.session.get(Task, dossier.refusal_task_id) if dossier.refusal_task_id else None
    if refusing is None or refusing.completed_at is None:
        return False
    return db.session.scalar(select(IssuedDocument.id).where(
        IssuedDocument.dossier_id == dossier.id, IssuedDocument.kind == "refusal",
        IssuedDocument.issued_at >= refusing.completed_at).limit(1)) is not None


# ---------------------------------------------------------------------- documents

def _receipt_content(dossier: Dossier, step: Advance) -> dict[str, Any]:
    in_force = procedure_in_force(dossier.procedure, dossier.received_at)
    return {"documents": list(dossier.received_documents or []),
            "sets": dossier.received_sets,
            "fee": in_force.fee if in_force is not None else dossier.procedure.fee,
            "note": step.completed.note if step.completed else None}


def _supplement_content(step: Advance) -> dict[str, Any]:
    task = step.completed
    return {"reason": step.reason or (task.note if task else None),
            "missing": step.missing, "contact": task.completed_by_id if task else None}


def _refusal_content(dossier: Dossier, step: Advance) -> dict[str, Any]:
    refusing = (db.session.get(Task, dossier.refusal_task_id)
                if dossier.refusal_task_id else step.completed)
    reasons = [r for r in (refusing.reason if refusing else None,) if r]
    if not reasons and step.completed is not None and step.completed.reason:
        reasons.append(step.completed.reason)
    return {"reasons": reasons, "refused_at_step": refusing.element_id if refusing else None}


def _step_content(step: Advance) -> dict[str, Any]:
    task = step.completed
    return {"reason": step.reason, "note": task.note if task else None}


def issued_document(dossier: Dossier, kind: str, at: datetime, actor: User | None,
                    step: str | None, task_id: int | None = None,
                    **fields: Any) -> IssuedDocument:
    """A standard document with a snapshot of the dossier fields it prints, plus ``fields``."""
    return IssuedDocument(
        dossier_id=dossier.id, kind=kind, issued_at=at, issued_by_id=actor.id if actor else None,
        step=step, task_id=task_id,
        content={"code": dossier.code, "procedure": dossier.procedure.name,
                 "applicant": dossier.applicant,
                 "received_at": dossier.received_at.isoformat(),
                 "due_at": dossier.due_at.isoformat() if dossier.due_at else None, **fields})


# ---------------------------------------------------------------------- history

def _record(dossier: Dossier, step: Advance, calendar: WorkingCalendar,
            issue: list[tuple[str, str | None, dict[str, Any]]]) -> None:
    completed = step.completed
    to_step = ", ".join(t.name for t in step.created) or _end_label(dossier.status)
    to_steps = [t.element_id for t in step.created]
    to_tasks = [t.id for t in step.created]
    if completed is not None:
        step.events.append(record(
            dossier.id, EventAction.COMPLETED, step.now, actor=step.actor,
            step=completed.element_id, step_name=completed.name, from_step=completed.name,
            to_step=to_step, to_steps=to_steps, to_tasks=to_tasks,
            unit_id=completed.unit_id, outcome=completed.outcome, meaning=step.meaning,
            note=step.reason or completed.note, started_at=completed.started_at,
            due_at=completed.due_at, task_id=completed.id,
            timing=calendar.timing(completed.due_at, step.now)))
    for index, (timer_id, name) in enumerate(step.timers):
        # The tasks a round of timers opened go with the last timer that fired.
        last = index == len(step.timers) - 1
        step.events.append(record(
            dossier.id, EventAction.TIMER, step.now, step=timer_id, step_name=name,
            note=name, to_step=to_step if last else None, to_steps=to_steps if last else None,
            to_tasks=to_tasks if last else None))
    user = step.actor.user if step.actor else None
    for kind, at_step, content in issue:
        document = issued_document(dossier, kind, step.now, user, at_step,
                                   task_id=completed.id if completed else None, **content)
        db.session.add(document)
        step.documents.append(document)
        step.events.append(record(
            dossier.id, EventAction.DOCUMENT, step.now, actor=step.actor, step=at_step,
            document=kind, task_id=completed.id if completed else None))


_END_LABELS = {DossierStatus.REFUSED: "Kết thúc: từ chối",
               DossierStatus.RETURNED: "Kết thúc: đã trả kết quả",
               DossierStatus.STOPPED: "Kết thúc: dừng xử lý"}


def _end_label(status: str) -> str | None:
    return _END_LABELS.get(DossierStatus(status))


def reopened_from(task: Task) -> Task | None:
    """The completed task whose "back" outcome sent the dossier back to ``task``."""
    return task.returned_from if task.reopened else None


def config_of(version: CompiledVersion, task: Task) -> StepConfig:
    config = version.step(task.element_id)
    if config is None:
        raise Invalid(f"Bước {task.element_id} không còn trong quy trình của hồ sơ")
    return config
