"""Dossier verbs: receive (create), read, history, public lookup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import undefer

from motcua.calendar.operations import load_calendar
from motcua.catalog.operations import get_procedure, require_open
from motcua.db import db, for_update, lock_for_write
from motcua.dossiers.access import can_see
from motcua.dossiers.codes import next_code
from motcua.dossiers.flow import (
    ENGINE_ERRORS,
    Advance,
    bind_runtime,
    engine_failure,
    issued_document,
    sync,
)
from motcua.dossiers.models import Dossier, HistoryEvent
from motcua.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from motcua.org.models import Agency, Membership, User
from motcua.processes.operations import compiled, version_in_effect
from motcua.schema_errors import validate
from motcua.tasks.models import OPEN_STATES, Task


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
    if desk_code:
        desk = db.session.scalar(select(Agency).where(Agency.code == desk_code))
        if desk is None or not _has_receivers(desk.id):
            raise field_error("desk", f"Không có Bộ phận Một cửa {desk_code}")
        return desk
    return _nearest_desk(procedure.agency)


def _has_receivers(agency_id: int) -> bool:
    return db.session.scalar(select(Membership.id).where(
        Membership.agency_id == agency_id, Membership.role == "receiver").limit(1)) is not None


def _nearest_desk(agency: Agency) -> Agency:
    """The one-stop desk closest up the tree from the competent agency."""
    cursor: Agency | None = agency
    while cursor is not None:
        for candidate in [cursor, *sorted(cursor.children, key=lambda a: a.code)]:
            if _has_receivers(candidate.id):
                return candidate
        cursor = cursor.parent
    raise Invalid("Không tìm thấy Bộ phận Một cửa nào tiếp nhận thủ tục này")


def create_dossier(user: User, body: dict[str, Any], now: datetime) -> Dossier:
    procedure = get_procedure(body["procedure"]) if body.get("procedure") else None
    if procedure is None:
        raise field_error("procedure", "Thiếu mã thủ tục")
    require_open(procedure)
    channel = body["channel"]
    desk = _desk_for(user, channel, body.get("desk"), procedure)
    version = version_in_effect(procedure)
    runnable = compiled(version.id)
    data = body.get("data") or {}
    schema = runnable.form_schema(runnable.start_form)
    if schema is not None:
        problems = validate(data, schema, root="data")
        if problems:
            raise Invalid("Tờ khai chưa hợp lệ", problems)
    applicant = dict(body.get("applicant") or {})
    if user.kind == "applicant":
        applicant.setdefault("name", user.full_name)
        applicant.setdefault("email", user.email)
        applicant.setdefault("phone", user.phone)
    if not applicant.get("name"):
        raise field_error("applicant.name", "Thiếu tên tổ chức, cá nhân")
    calendar = load_calendar()
    lock_for_write()
    dossier = Dossier(
        code=next_code(procedure.agency, now), procedure=procedure, process_version=version,
        agency_id=procedure.agency_id, desk_id=desk.id, channel=channel, status="received",
        handling_unit_id=procedure.handling_unit_id or procedure.agency_id,
        time_limit_minutes=procedure.time_limit_minutes,
        applicant_name=applicant["name"], applicant_id_number=applicant.get("id_number"),
        applicant_phone=applicant.get("phone"), applicant_email=applicant.get("email"),
        applicant_address=applicant.get("address"),
        applicant_user_id=user.id if user.kind == "applicant" else None, data=data,
        received_documents=body.get("documents"),
        received_at=now, clock_started_at=calendar.next_working_minute(now),
        due_at=calendar.add(now, procedure.time_limit_minutes)
        if procedure.time_limit_minutes else None,
        created_by_id=user.id, workflow_state={},
    )
    db.session.add(dossier)
    db.session.flush()
    runtime = bind_runtime(dossier, runnable, calendar, now)
    try:
        workflow = runtime.start({**data, "dossier": {"code": dossier.code, "channel": channel}})
    except ENGINE_ERRORS as exc:
        raise engine_failure(exc) from exc
    step = Advance(actor=user, now=now)
    sync(dossier, workflow, runtime, calendar, step)
    db.session.add(HistoryEvent(
        dossier_id=dossier.id, at=now, actor_id=user.id, action="received",
        to_step=", ".join(t.name for t in step.created), unit_id=desk.id,
        note={"direct": "Trực tiếp", "postal": "Bưu chính", "online": "Trực tuyến"}[channel]))
    db.session.flush()
    return dossier


def get_dossier(user: User, code: str) -> Dossier:
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or not can_see(user, dossier):
        raise NotFound(f"Không có hồ sơ {code}")
    return dossier


def lock_dossier(which: int | ColumnElement[bool]) -> Dossier:
    """Serialise changes to one dossier (by id, or by a condition such as "the dossier of
    this task"): row lock (PostgreSQL) or the write lock (SQLite), then re-read it so we work
    on what is committed."""
    lock_for_write()
    condition = Dossier.id == which if isinstance(which, int) else which
    stmt = for_update(select(Dossier).where(condition)).options(
        undefer(Dossier.workflow_state))
    dossier = db.session.scalar(stmt.execution_options(populate_existing=True))
    if dossier is None:
        raise NotFound("Hồ sơ không còn tồn tại")
    return dossier


FINISHED = ("refused", "stopped", "returned")


def stop_dossier(user: User, code: str, reason: str, now: datetime) -> Dossier:
    """Stop processing (the applicant asked, or the agency decided, with reasons): the
    workflow ends, open tasks are cancelled, the stop notice is issued."""
    dossier = get_dossier(user, code)
    own_application = user.kind == "applicant" and dossier.applicant_user_id == user.id
    agency_decides = dossier.agency_id in user.agencies_with("leader", "admin")
    at_desk = dossier.desk_id in user.agencies_with("receiver")
    if not (own_application or agency_decides or at_desk):
        raise Forbidden("Chỉ người nộp, Bộ phận Một cửa hoặc lãnh đạo cơ quan được dừng hồ sơ")
    if not reason.strip():
        raise field_error("reason", "Cần ghi rõ lý do dừng giải quyết")
    dossier = lock_dossier(dossier.id)
    if dossier.status in FINISHED:
        raise Conflict(f"Hồ sơ đã kết thúc ({dossier.status})")
    for task in db.session.scalars(select(Task).where(
            Task.dossier_id == dossier.id, Task.state.in_(OPEN_STATES))):
        task.state = "cancelled"
    who = "tổ chức, cá nhân" if own_application else user.full_name
    dossier.status = "stopped"
    dossier.finished_at = now
    dossier.timer_due_at = None
    dossier.current_step = None
    db.session.add(HistoryEvent(dossier_id=dossier.id, at=now, actor_id=user.id,
                                action="stopped", note=reason.strip(), to_step="Dừng xử lý"))
    db.session.add(issued_document(dossier, "stop", now, user, None, reason=reason.strip(),
                                   requested_by=who))
    db.session.flush()
    return dossier


def history(dossier: Dossier) -> list[HistoryEvent]:
    return list(db.session.scalars(
        select(HistoryEvent).where(HistoryEvent.dossier_id == dossier.id)
        .order_by(HistoryEvent.id)))


def lookup(code: str) -> Dossier:
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code.strip()))
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}")
    return dossier


def may_extend(user: User, dossier: Dossier) -> bool:
    """Who may apologise and set a new appointment: an officer holding (or able to pick up)
    one of its open tasks, or a leader or admin of its agency."""
    if dossier.agency_id in user.agencies_with("leader", "admin"):
        return True
    pairs = user.roles_at()
    return any(t.assignee_id == user.id or (t.assignee_id is None and (t.role, t.unit_id) in pairs)
               for t in open_tasks(dossier))


def open_tasks(dossier: Dossier) -> list[Task]:
    return list(db.session.scalars(select(Task).where(
        Task.dossier_id == dossier.id, Task.state.in_(OPEN_STATES)).order_by(Task.id)))


def extend_due(user: User, code: str, reason: str, new_due: datetime | None,
               now: datetime) -> Dossier:
    """Apology and new appointment (Mẫu 04): the dossier will be late, so the agency records
    the reason and a later appointment; the due time changes and the letter is issued."""
    dossier = get_dossier(user, code)
    if not may_extend(user, dossier):
        raise Forbidden("Chỉ cán bộ đang xử lý hồ sơ hoặc lãnh đạo cơ quan được hẹn lại ngày trả")
    problems = []
    if not reason.strip():
        problems.append({"field": "reason", "message": "Cần ghi rõ lý do chậm trả kết quả"})
    if new_due is None:
        problems.append({"field": "new_due", "message": "Chọn ngày, giờ hẹn trả mới"})
    if problems:
        raise Invalid("Chưa hẹn lại được ngày trả kết quả", problems)
    assert new_due is not None
    dossier = lock_dossier(dossier.id)
    if dossier.status in FINISHED or dossier.status == "done":
        raise Conflict("Hồ sơ đã có kết quả hoặc đã kết thúc, không cần hẹn lại")
    if dossier.due_at is None:
        raise Conflict("Hồ sơ đang chờ bổ sung: thời hạn tạm dừng, chưa có ngày hẹn để đổi")
    if new_due <= dossier.due_at or new_due <= now:
        raise field_error("new_due", "Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này")
    original = dossier.due_at
    signer = db.session.scalar(
        select(User.full_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.agency_id == dossier.agency_id, Membership.role == "leader",
               User.is_active.is_(True)).order_by(User.id).limit(1))
    dossier.due_at = new_due
    db.session.add(HistoryEvent(dossier_id=dossier.id, at=now, actor_id=user.id,
                                action="extended", note=reason.strip(), due_at=new_due))
    db.session.add(issued_document(dossier, "apology", now, user, None, reason=reason.strip(),
                                   original_due_at=original.isoformat(),
                                   new_due_at=new_due.isoformat(), signer=signer))
    db.session.add(HistoryEvent(dossier_id=dossier.id, at=now, actor_id=user.id,
                                action="document", outcome="apology"))
    db.session.flush()
    return dossier
