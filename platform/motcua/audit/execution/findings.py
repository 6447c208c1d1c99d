"""A finding of the execution check, what the replay reads of a dossier and of its events,
and the names its messages print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import select

from motcua.db import db
from motcua.documents.formatting import short_time
from motcua.documents.slip import ROLE_LABELS
from motcua.org.models import Agency, User


class Rule(StrEnum):
    LATE_STEP = "late_step"
    LATE_DOSSIER = "late_dossier"
    OUTSIDE_MODEL = "outside_model"  # a hand-over (or a completion) the model does not allow
    BACK_OUTSIDE_MODEL = "back_outside_model"  # sent back to a step that is not an earlier one
    OUTSIDE_LANE = "outside_lane"
    LATE_WITHOUT_APOLOGY = "late_without_apology"
    CLOCK_STOP = "clock_stop"
    MULTI_SUPPLEMENT = "multi_supplement"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


RULE_WORDS = {
    Rule.LATE_STEP: "Bước quá hạn",
    Rule.LATE_DOSSIER: "Hồ sơ quá hạn",
    Rule.OUTSIDE_MODEL: "Chuyển bước ngoài quy trình",
    Rule.BACK_OUTSIDE_MODEL: "Trả lại ngoài quy trình",
    Rule.OUTSIDE_LANE: "Người xử lý ngoài vai trò, đơn vị của bước",
    Rule.LATE_WITHOUT_APOLOGY: "Quá hạn không xin lỗi",
    Rule.CLOCK_STOP: "Tạm dừng tính thời gian (bổ sung hồ sơ)",
    Rule.MULTI_SUPPLEMENT: "Yêu cầu bổ sung nhiều lần",
}
SEVERITY_WORDS = {Severity.ERROR: "Lỗi", Severity.WARNING: "Cảnh báo",
                  Severity.INFO: "Thông tin"}


@dataclass(frozen=True)
class Finding:
    rule: Rule
    severity: Severity
    message: str
    element_id: str | None = None
    step_no: str | None = None
    # The event's position in the dossier's history (its ``seq``).
    event: int | None = None
    # Working minutes (late by, or a clock stop's length); a stop's calendar minutes.
    minutes: int | None = None
    calendar_minutes: int | None = None
    # The officer the finding is about (the aggregation per officer counts by it).
    officer_id: int | None = None

    @property
    def counts(self) -> bool:
        """Errors and warnings make a dossier one "with findings"; information does not."""
        return self.severity is not Severity.INFO

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"rule": self.rule.value, "severity": self.severity.value,
                                 "message": self.message}
        for key in ("element_id", "step_no", "event", "minutes", "calendar_minutes"):
            value = getattr(self, key)
            if value is not None:
                found[key] = value
        return found


class Facts(NamedTuple):
    """What the replay reads of a dossier itself."""

    id: int
    code: str
    agency_id: int
    procedure_id: int
    process_version_id: int
    status: str
    received_at: datetime
    first_due_at: datetime | None
    finished_at: datetime | None
    # When its result was ready: handling is judged then (returning it is not counted).
    result_at: datetime | None


class Event(NamedTuple):
    """One history event with the task row it names (``task_*``: None when it names none)."""

    dossier_id: int
    seq: int
    at: datetime
    action: str
    step: str | None
    step_name: str | None
    to_steps: list[str] | None
    to_tasks: list[int] | None
    meaning: str | None
    document: str | None
    due_at: datetime | None
    actor_id: int | None
    actor_role: str | None
    actor_unit_id: int | None
    task_id: int | None
    task_role: str | None
    task_unit_id: int | None
    task_document: str | None


class Names:
    """Officers' and agencies' names for the messages, each read once per run."""

    def __init__(self) -> None:
        self._agencies: dict[int, str] | None = None
        self._users: dict[int, str] = {}

    def agency(self, agency_id: int | None) -> str:
        if agency_id is None:
            return "không rõ đơn vị"
        if self._agencies is None:
            self._agencies = {i: n for i, n in db.session.execute(select(Agency.id, Agency.name))}
        return self._agencies.get(agency_id, f"đơn vị #{agency_id}")

    def officer(self, user_id: int | None) -> str:
        if user_id is None:
            return "không rõ người xử lý"
        if user_id not in self._users:
            name = db.session.scalar(select(User.full_name).where(User.id == user_id))
            self._users[user_id] = name or f"người dùng #{user_id}"
        return self._users[user_id]

    def membership(self, role: str | None, unit_id: int | None) -> str:
        role_word = ROLE_LABELS.get(role or "", role or "không rõ vai trò")
        return f"{role_word} tại {self.agency(unit_id)}"


def when(value: datetime | None) -> str:
    return short_time(value)


def calendar_text(minutes: int) -> str:
    """A calendar duration (24-hour days), as opposed to working time."""
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} ngày" if days else "", f"{hours} giờ" if hours else "",
             f"{mins} phút" if mins else ""]
    return " ".join(p for p in parts if p) or "0 phút"
