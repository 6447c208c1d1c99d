"""The aggregation's filters, read once from a query string for the API and the page alike:
agency (with the agencies below it), procedure, officer, period of reception, grouping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, select

from motcua.audit.scope import agency_in_scope, require_auditor
from motcua.calendar.working_time import FIRST_YEAR, LAST_YEAR, TZ
from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.dossiers.access import subtree
from motcua.dossiers.models import Dossier
from motcua.errors import Invalid, NotFound
from motcua.history.models import EventAction, HistoryEvent
from motcua.org.models import Agency, User

GROUPS = ("agency", "procedure", "officer")
GROUP_WORDS = {"agency": "Cơ quan", "procedure": "Thủ tục", "officer": "Cán bộ"}
# A period longer than this is refused: it would replay more than a report needs.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Filters:
    group: str = "agency"
    agency: Agency | None = None
    agency_ids: frozenset[int] | None = None
    procedure: Procedure | None = None
    officer: User | None = None
    start: date | None = None
    end: date | None = None

    def where(self) -> list[ColumnElement[bool]]:
        """The dossiers these filters select, as conditions on ``Dossier``."""
        found: list[ColumnElement[bool]] = []
        if self.agency_ids is not None:
            found.append(Dossier.agency_id.in_(sorted(self.agency_ids)))
        if self.procedure is not None:
            found.append(Dossier.procedure_id == self.procedure.id)
        if self.start is not None:
            found.append(Dossier.received_at >= _local_midnight(self.start))
        if self.end is not None:
            found.append(Dossier.received_at < _local_midnight(self.end + timedelta(days=1)))
        if self.officer is not None:
            found.append(Dossier.id.in_(acted_on(self.officer.id)))
        return found

    def query_args(self) -> dict[str, str]:
        """These filters as the query string that reads them back."""
        args = {"group": self.group}
        if self.agency is not None:
            args["agency"] = self.agency.code
        if self.procedure is not None:
            args["procedure"] = self.procedure.code
        if self.officer is not None:
            args["officer"] = self.officer.username
        if self.start is not None:
            args["from"] = self.start.isoformat()
        if self.end is not None:
            args["to"] = self.end.isoformat()
        return args


def acted_on(user_id: int) -> ColumnElement[int]:
    """The dossiers an officer received or completed a step of."""
    return select(HistoryEvent.dossier_id).where(  # type: ignore[return-value]
        HistoryEvent.actor_id == user_id,
        HistoryEvent.action.in_((EventAction.RECEIVED, EventAction.COMPLETED)))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=TZ)


def _date(args: Mapping[str, str], key: str) -> date | None:
    text = (args.get(key) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    # A year outside those a period accepts elsewhere: midnight of 0001-01-01 in the
    # province is before the first instant a datetime holds in UTC.
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Invalid(f"Ngày không hợp lệ: {text[:40]}", [
            {"field": key, "message": "Ngày phải có dạng YYYY-MM-DD, năm từ "
                                      f"{FIRST_YEAR} đến {LAST_YEAR}"}])
    return day


def parse_filters(user: User, args: Mapping[str, str]) -> Filters:
    """Filters from ``args``; an auditor only (403), an unknown agency, procedure or officer
    is 404, a malformed date, period or grouping 422 naming its field."""
    require_auditor(user)
    group = (args.get("group") or "agency").strip()
    problems = []
    if group not in GROUPS:
        problems.append({"field": "group", "message": f"Nhóm theo một trong: {', '.join(GROUPS)}"})
    start, end = _date(args, "from"), _date(args, "to")
    if start is not None and end is not None:
        if end < start:
            problems.append({"field": "to", "message": "Ngày kết thúc trước ngày bắt đầu"})
        elif (end - start).days > MAX_DAYS:
            problems.append({"field": "to", "message": "Khoảng thời gian tối đa 3 năm"})
    if problems:
        raise Invalid("Điều kiện lọc không hợp lệ", problems)
    agency = agency_in_scope(user, args.get("agency") or None)
    procedure = None
    # No code or username holds a NUL, and PostgreSQL refuses to compare with one.
    if code := (args.get("procedure") or "").strip():
        procedure = (db.session.scalar(select(Procedure).where(Procedure.code == code))
                     if "\x00" not in code else None)
        if procedure is None:
            raise NotFound(f"Không có thủ tục {code[:64]}")
    officer = None
    if username := (args.get("officer") or "").strip():
        officer = (db.session.scalar(select(User).where(User.username == username))
                   if "\x00" not in username else None)
        if officer is None:
            raise NotFound(f"Không có cán bộ {username[:64]}")
    return Filters(group=group, agency=agency,
                   agency_ids=frozenset(subtree({agency.id})) if agency else None,
                   procedure=procedure, officer=officer, start=start, end=end)
