"""Dossier verbs: create, read, history, stop, apology and new appointment (the public
lookup is ``dossiers.lookup``).
Receiving at the desk (create, then complete the desk's step) is ``tasks.reception``."""

from __future__ import annotations

from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import FIRST_YEAR, LAST_YEAR, TZ
from motcua.catalog.operations import get_procedure, require_open
from motcua.db import db, for_update, is_postgresql, lock_for_write
from motcua.dossiers.access import can_see
from motcua.dossiers.applicant import checked_applicant
from motcua.dossiers.codes import next_code
from motcua.dossiers.flow import (
    ENGINE_ERRORS,
    Advance,
    bind_runtime,
    clock_runs,
    count_clock,
    engine_failure,
    issued_document,
    start_clock,
    sync,
)
from motcua.dossiers.models import CHANNELS, FINISHED, Channel, Dossier, DossierStatus
from motcua.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from motcua.forms.conform import conform
from motcua.history.models import EventAction, HistoryEvent
from motcua.history.operations import Actor, events_of, note_locked, record
from motcua.org.models import Agency, Membership, User
from motcua.processes.operations import compiled, version_in_effect
from motcua.tasks.models import OPEN_STATES, Task, TaskState

CHANNEL_NOTES = {Channel.DIRECT: "Trực tiếp", Channel.POSTAL: "Bưu chính",
                 Channel.ONLINE: "Trực tuyến"}


def _desk_for(user: User, channel: str, desk_code: str | None, procedure: Any) -> Agency:
    if channel in ("direct", "postal"):
        if not user.has_role("receiver"):
            raise Forbidden("Chỉ cán bộ Bộ phận Một cửa được tiếp nhận hồ sơ trực tiếp/bưu chính")
        desks = {a for a in user.agencies_with("receiver")}
        if not desk_code:
            if len(desks) != 1:
                raise field_error("desk", "Chọn Bộ phận Một cửa tiếp nhận")
            return db.session.get_one(Agency, next(iter(desks)))
        desk = db.session.scalar(select(Agency).where(Agency.code == desk_code))
        if desk is None or desk.id not in desks:
            raise field_error("desk", f"Bạn không làm việc tại Bộ phận Một cửa {desk_code}")
        return desk
    if user.kind != "applicant":
        raise Forbidden("Hồ sơ trực tuyến do tổ chức, cá nhân nộp bằng tài khoản công dân")
    return online_desk(procedure.agency, desk_code)


def online_desk(agency: Agency, desk_code: str | None) -> Agency:
    """The one-stop desk a dossier submitted online goes to: the one named (any agency with
    receivers), else the nearest one up the tree from the competent ``agency``."""
    if desk_code:
        desk = db.session.scalar(select(Agency).where(Agency.code == desk_code))
        if desk is None or not has_receivers(desk.id):
            raise field_error("desk", f"Không có Bộ phận Một cửa {desk_code}")
        return desk
    return nearest_desk(agency)


def has_receivers(agency_id: int) -> bool:
    return db.session.scalar(select(Membership.id).where(
        Membership.agency_id == agency_id, Membership.role == "receiver").limit(1)) is not None


def nearest_desk(agency: Agency) -> Agency:
    """The one-stop desk closest up the tree from the competent agency."""
    cursor: Agency | None = agency
    while cursor is not None:
        for candidate in [cursor, *sorted(cursor.children, key=lambda a: a.code)]:
            if has_receivers(candidate.id):
                return candidate
        cursor = cursor.parent
    raise Invalid("Không tìm thấy Bộ phận Một cửa nào tiếp nhận thủ tục này")


def create_dossier(user: User, body: dict[str, Any], now: datetime) -> Advance:
    """A new dossier, started on the process version in effect, its first tasks open. The
    legal clock runs from reception for a dossier handed in at the desk or by post; for an
    online dossier it starts when the desk accepts it (Hậu Giang 405/2023 art. 7.1)."""
    procedure = get_procedure(body["procedure"]) if body.get("procedure") else None
    if procedure is None:
        raise field_error("procedure", "Thiếu mã thủ tục")
    # The procedure as in force at reception (local date): open, time limit, agency, unit.
    in_force = require_open(procedure, now)
    if body.get("channel") not in CHANNELS:
        raise field_error("channel", "Hình thức nộp phải là trực tiếp, bưu chính hoặc trực tuyến")
    channel = Channel(body["channel"])
    if channel is Channel.ONLINE and in_force.online_level == "none":
        raise field_error("channel", f"Thủ tục {procedure.code} không cung cấp dịch vụ công "
                          "trực tuyến: hồ sơ nộp trực tiếp hoặc qua bưu chính")
    desk = _desk_for(user, channel, body.get("desk"), in_force)
    version = version_in_effect(procedure, now.astimezone(TZ).date())
    runnable = compiled(version.id)
    data, problems = conform(body.get("data") or {}, runnable.form_schema(runnable.start_form))
    given = dict(body.get("applicant") or {})
    if user.kind == "applicant":
        given.setdefault("name", user.full_name)
        given.setdefault("email", user.email)
        given.setdefault("phone", user.phone)
    applicant, wrong = checked_applicant(given)
    if problems or wrong:
        raise Invalid("Tờ khai chưa hợp lệ" if problems else
                      "Thông tin người nộp hồ sơ chưa hợp lệ", [*problems, *wrong])
    calendar = load_calendar()
    lock_for_write()
    dossier = Dossier(
        code=next_code(in_force.agency, now), procedure_id=procedure.id, procedure=procedure,
        process_version_id=version.id, process_version=version,
        agency_id=in_force.agency_id, desk_id=desk.id, channel=channel,
        status=DossierStatus.RECEIVED,
        handling_unit_id=in_force.handling_unit_id or in_force.agency_id,
        time_limit_minutes=in_force.time_limit_minutes,
        applicant_name=applicant["name"], applicant_id_number=applicant["id_number"],
        applicant_phone=applicant["phone"], applicant_email=applicant["email"],
        applicant_address=applicant["address"],
        applicant_user_id=user.id if user.kind == "applicant" else None, data=data,
        received_documents=body.get("documents"), received_sets=body.get("sets"),
        received_at=now, created_by_id=user.id, workflow_state={}, tasks=[],
    )
    if channel is not Channel.ONLINE:
        start_clock(dossier, calendar, now)
    db.session.add(dossier)
    db.session.flush()
    # A row nobody else can see yet (and SQLite's write lock is held): it is ours.
    note_locked(dossier.id)
    runtime = bind_runtime(dossier, runnable, calendar, now)
    try:
        workflow = runtime.start({**data, "dossier": {"code": dossier.code, "channel": channel}})
    except ENGINE_ERRORS as exc:
        raise engine_failure(exc) from exc
    actor = (Actor(user, "applicant", None) if user.kind == "applicant"
             else Actor(user, "receiver", desk.id))
    step = Advance(dossier=dossier, actor=actor, now=now)
    sync(dossier, workflow, runtime, calendar, step)
    step.events.insert(0, record(
        dossier.id, EventAction.RECEIVED, now, actor=actor, unit_id=desk.id,
        to_step=", ".join(t.name for t in step.created),
        to_steps=[t.element_id for t in step.created], to_tasks=[t.id for t in step.created],
        note=CHANNEL_NOTES[channel]))
    db.session.flush()
    return step


def _by_code(code: str) -> Dossier | None:
    # No code holds a NUL, and PostgreSQL refuses to compare with one (a 500).
    if "\x00" in code:
        return None
    return db.session.scalar(select(Dossier).where(Dossier.code == code))


def get_dossier(user: User, code: str) -> Dossier:
    dossier = _by_code(code)
    if dossier is None or not can_see(user, dossier):
        raise NotFound(f"Không có hồ sơ {code}")
    return dossier


def lock_dossier(which: int | ColumnElement[bool], **params: Any) -> Dossier:
    """Serialise changes to one dossier (by id, or by a condition such as "the dossier of
    this task", built once, with its bound ``params``): row lock (PostgreSQL) or the write
    lock (SQLite), then re-read it and its tasks so we work on what is committed. Only the
    holder of the lock writes history."""
    dossier = _lock(which, params, skip_locked=False)
    if dossier is None:
        raise NotFound("Hồ sơ không còn tồn tại")
    return dossier


def try_lock_dossier(dossier_id: int) -> Dossier | None:
    """``lock_dossier``, but None at once when another transaction holds the dossier (the
    worker leaves it for its next round)."""
    return _lock(dossier_id, {}, skip_locked=True)


def _lock(which: int | ColumnElement[bool], params: dict[str, Any], *,
          skip_locked: bool) -> Dossier | None:
    lock_for_write()
    if isinstance(which, int):
        which, params = _by_id(), {"dossier_id": which}
    stmt = _locking(which, skip_locked, is_postgresql())
    dossier = db.session.scalar(stmt, params)
    if dossier is not None:
        note_locked(dossier.id)
        # Its tasks by a statement built once: a selectinload builds and keys its own each
        # time, which cost more than the lock's other two statements together.
        set_committed_value(dossier, "tasks", list(
            db.session.scalars(_tasks_of(), {"dossier_id": dossier.id})))
    return dossier


@cache
def _tasks_of() -> Select[Task]:
    return (select(Task).where(Task.dossier_id == bindparam("dossier_id")).order_by(Task.id)
            .execution_options(populate_existing=True))


@cache
def _by_id() -> ColumnElement[bool]:
    return Dossier.id == bindparam("dossier_id")


@lru_cache(maxsize=16)
def _locking(condition: ColumnElement[bool], skip_locked: bool,
             _postgresql: bool) -> Select[Dossier]:
    """The locking read of the dossier matching ``condition``, built once per condition and
    backend (the row lock is PostgreSQL's): building and keying it costs more than running
    it. It brings what a step reads besides: the papers received and the procedure (both
    printed on the documents it issues); only the dossier's row is locked."""
    stmt = for_update(select(Dossier).where(condition), skip_locked=skip_locked, of=Dossier)
    return stmt.options(
        undefer(Dossier.workflow_state), undefer(Dossier.received_documents),
        joinedload(Dossier.procedure, innerjoin=True),
    ).execution_options(populate_existing=True)


def _stop_actor(user: User, dossier: Dossier) -> Actor | None:
    """The membership in which ``user`` may stop the dossier (None: they may not)."""
    if user.kind == "applicant" and dossier.applicant_user_id == user.id:
        return Actor(user, "applicant", None)
    for role in ("leader", "admin"):
        if dossier.agency_id in user.agencies_with(role):
            return Actor(user, role, dossier.agency_id)
    if dossier.desk_id in user.agencies_with("receiver"):
        return Actor(user, "receiver", dossier.desk_id)
    return None


def stop_dossier(user: User, code: str, reason: str, now: datetime) -> Dossier:
    """Stop processing (the applicant asked, or the agency decided, with reasons): the
    workflow ends, open tasks are cancelled, the stop notice is issued."""
    dossier = get_dossier(user, code)
    actor = _stop_actor(user, dossier)
    if actor is None:
        raise Forbidden("Chỉ người nộp, Bộ phận Một cửa hoặc lãnh đạo cơ quan được dừng hồ sơ")
    if not reason.strip():
        raise field_error("reason", "Cần ghi rõ lý do dừng giải quyết")
    dossier = lock_dossier(dossier.id)
    if dossier.status in FINISHED:
        raise Conflict(f"Hồ sơ đã kết thúc ({dossier.status})")
    for task in dossier.tasks:
        if task.is_open:
            task.state = TaskState.CANCELLED
    who = "tổ chức, cá nhân" if actor.role == "applicant" else user.full_name
    was_running, before = clock_runs(dossier), dossier.status
    dossier.status = DossierStatus.STOPPED
    dossier.finished_at = now
    count_clock(dossier, load_calendar(), now, was_running, before)
    dossier.timer_due_at = None
    dossier.current_step = None
    record(dossier.id, EventAction.STOPPED, now, actor=actor, note=reason.strip(),
           to_step="Dừng xử lý")
    db.session.add(issued_document(dossier, "stop", now, user, None, reason=reason.strip(),
                                   requested_by=who))
    record(dossier.id, EventAction.DOCUMENT, now, actor=actor, document="stop")
    db.session.flush()
    return dossier


def history(dossier: Dossier) -> list[HistoryEvent]:
    return events_of(dossier.id)


def extension_actor(user: User, dossier: Dossier) -> Actor | None:
    """Who may apologise and set a new appointment, in which membership: a leader or admin
    of its agency, or an officer holding (or able to pick up) one of its open tasks."""
    for role in ("leader", "admin"):
        if dossier.agency_id in user.agencies_with(role):
            return Actor(user, role, dossier.agency_id)
    pairs = user.roles_at()
    for t in open_tasks(dossier):
        if t.assignee_id == user.id or (t.assignee_id is None and (t.role, t.unit_id) in pairs):
            return Actor(user, t.role, t.unit_id)
    return None


def may_extend(user: User, dossier: Dossier) -> bool:
    return extension_actor(user, dossier) is not None


def open_tasks(dossier: Dossier) -> list[Task]:
    return [t for t in dossier.tasks if t.state in OPEN_STATES]


def extend_due(user: User, code: str, reason: str, new_due: datetime | None,
               now: datetime) -> Dossier:
    """Apology and new appointment (Mẫu 04): the dossier will be late, so the agency records
    the reason and a later appointment. ``due_at`` moves; ``first_due_at``, the appointment
    the on-time rules count against, does not."""
    dossier = get_dossier(user, code)
    actor = extension_actor(user, dossier)
    if actor is None:
        raise Forbidden("Chỉ cán bộ đang xử lý hồ sơ hoặc lãnh đạo cơ quan được hẹn lại ngày trả")
    problems = []
    if not reason.strip():
        problems.append({"field": "reason", "message": "Cần ghi rõ lý do chậm trả kết quả"})
    if new_due is None:
        problems.append({"field": "new_due", "message": "Chọn ngày, giờ hẹn trả mới"})
    elif not FIRST_YEAR <= new_due.year <= LAST_YEAR:
        # The page reads any ISO moment; kept, 9999-12-31 made every view of the dossier
        # overflow counting working time to it.
        problems.append({"field": "new_due",
                         "message": f"Năm phải trong khoảng {FIRST_YEAR}–{LAST_YEAR}"})
    if problems:
        raise Invalid("Chưa hẹn lại được ngày trả kết quả", problems)
    assert new_due is not None
    dossier = lock_dossier(dossier.id)
    if dossier.status in FINISHED or dossier.status == DossierStatus.DONE:
        raise Conflict("Hồ sơ đã có kết quả hoặc đã kết thúc, không cần hẹn lại")
    if dossier.due_at is None:
        if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
            raise Conflict("Hồ sơ đang chờ bổ sung: thời hạn tạm dừng, chưa có ngày hẹn để đổi")
        if dossier.clock_started_at is None:
            raise Conflict("Hồ sơ trực tuyến chưa được Bộ phận Một cửa tiếp nhận: "
                           "chưa có ngày hẹn để đổi")
        raise Conflict("Thủ tục không quy định thời hạn giải quyết: không có ngày hẹn để đổi")
    if new_due <= dossier.due_at or new_due <= now:
        raise field_error("new_due", "Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này")
    original = dossier.due_at
    signer = db.session.scalar(
        select(User.full_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.agency_id == dossier.agency_id, Membership.role == "leader",
               User.is_active.is_(True)).order_by(User.id).limit(1))
    dossier.due_at = new_due
    dossier.apology_count = (dossier.apology_count or 0) + 1
    record(dossier.id, EventAction.EXTENDED, now, actor=actor, note=reason.strip(),
           due_at=new_due)
    db.session.add(issued_document(dossier, "apology", now, user, None, reason=reason.strip(),
                                   original_due_at=original.isoformat(),
                                   new_due_at=new_due.isoformat(), signer=signer))
    record(dossier.id, EventAction.DOCUMENT, now, actor=actor, document="apology")
    db.session.flush()
    return dossier
