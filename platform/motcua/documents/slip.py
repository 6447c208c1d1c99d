"""Mẫu 06, the process control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ), built live
from the dossier's history: one row per hand-over, with who gave it, who took it, when, and
whether the step finished early, on time or late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from motcua.db import db
from motcua.documents.formatting import short_time
from motcua.dossiers.models import Dossier
from motcua.history.models import EventAction, HistoryEvent
from motcua.history.operations import events_of
from motcua.org.models import Agency, User
from motcua.processes.meanings import Meaning
from motcua.tasks.models import Task

TIMING_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
ROLE_LABELS = {"receiver": "Bộ phận Một cửa", "specialist": "Chuyên viên",
               "unit_head": "Lãnh đạo phòng", "leader": "Lãnh đạo cơ quan", "clerk": "Văn thư"}


@dataclass(frozen=True)
class SlipRow:
    unit: str
    step: str
    given_at: datetime | None
    giver: str
    received_at: datetime | None
    receiver: str
    result: str
    note: str


def control_slip(dossier: Dossier) -> list[SlipRow]:
    events = events_of(dossier.id)
    tasks = {t.id: t for t in db.session.scalars(
        select(Task).where(Task.dossier_id == dossier.id)
        .options(joinedload(Task.unit), joinedload(Task.assignee), joinedload(Task.completed_by)))}
    rows = []
    for event in events:
        # Each hand-over names the task rows it created: who took the dossier next.
        nexts = [tasks[i] for i in event.to_tasks or [] if i in tasks]
        row = _row(dossier, event, nexts)
        if row is not None:
            rows.append(row)
    return rows


def _row(dossier: Dossier, event: HistoryEvent, nexts: list[Task]) -> SlipRow | None:
    receiver = "; ".join(_holder(t) for t in nexts) or (event.to_step or "")
    received_at = min((t.claimed_at or t.started_at for t in nexts), default=None)
    if event.action == EventAction.RECEIVED:
        # At the desk the officer who entered it took it; online, the desk step's holder.
        officer = event.actor if event.actor and event.actor.kind != "applicant" else None
        return SlipRow(
            unit=_name(event.unit) or dossier.desk.name, step="Tiếp nhận hồ sơ",
            given_at=dossier.received_at, giver=f"Tổ chức, cá nhân: {dossier.applicant_name}",
            received_at=event.at, receiver=officer.full_name if officer else receiver,
            result="", note=event.note or "")
    if event.action in (EventAction.COMPLETED, EventAction.TIMER):
        if event.action == EventAction.TIMER:
            giver, step = "Hệ thống (hết thời gian chờ)", event.note or ""
        else:
            giver, step = _name(event.actor), event.step_name or event.from_step or ""
        if not nexts and dossier.status == "returned" and dossier.finished_at == event.at:
            # The last step handed the result back to the applicant.
            receiver = f"Tổ chức, cá nhân: {dossier.applicant_name}"
            received_at = event.at
        note = event.note or ""
        if event.meaning == Meaning.BACK:
            note = f"Trả lại: {note}" if note else "Trả lại"
        return SlipRow(
            unit=_name(event.unit), step=step, given_at=event.at, giver=giver,
            received_at=received_at, receiver=receiver,
            result=TIMING_LABELS.get(event.timing or "", ""), note=note)
    if event.action == EventAction.STOPPED:
        return SlipRow(unit=dossier.agency.name, step="Dừng giải quyết hồ sơ",
                       given_at=event.at, giver=_name(event.actor), received_at=None,
                       receiver="", result="", note=event.note or "")
    if event.action == EventAction.EXTENDED:
        new_due = f"Hẹn trả mới: {short_time(event.due_at)}" if event.due_at else ""
        return SlipRow(unit=dossier.agency.name, step="Xin lỗi, hẹn lại ngày trả kết quả",
                       given_at=event.at, giver=_name(event.actor), received_at=None,
                       receiver="", result="",
                       note="; ".join(p for p in (event.note or "", new_due) if p))
    return None


def _holder(task: Task) -> str:
    person = task.completed_by or task.assignee
    if person is not None:
        return person.full_name
    role = ROLE_LABELS.get(task.role, task.role)
    return f"{role} — {task.unit.name}" if task.unit else role


def _name(who: User | Agency | None) -> str:
    if who is None:
        return ""
    return who.full_name if isinstance(who, User) else who.name
