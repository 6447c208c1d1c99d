"""Mẫu 07, the tracking book (Sổ theo dõi hồ sơ) of a one-stop desk, and the volume/number
the receipt (Mẫu 01) quotes from it. One volume per calendar year (local time); a dossier's
number is its rank among the desk's dossiers of that year, ordered by (received_at, id).
Both documents count with ``book_number``, so they always agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from motcua.calendar.working_time import FIRST_YEAR, LAST_YEAR, TZ
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.errors import Invalid
from motcua.history.models import EventAction, HistoryEvent
from motcua.org.models import Agency, User
from motcua.tasks.models import Task

MAX_DAYS = 366
PAGE_ROWS = 100  # a page of the book is about 10 printed sheets and 3 s of WeasyPrint

STATUS_NOTES = {"supplement_requested": "Đang chờ bổ sung", "refused": "Từ chối",
                "stopped": "Dừng giải quyết"}


@dataclass(frozen=True)
class BookEntry:
    volume: int
    number: int


def _year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=TZ)


def book_number(desk_id: int, received_at: datetime, dossier_id: int) -> BookEntry:
    """One COUNT: the desk's dossiers of the year up to and including this one."""
    year = received_at.astimezone(TZ).year
    number = db.session.scalar(select(func.count(Dossier.id)).where(
        Dossier.desk_id == desk_id, Dossier.received_at >= _year_start(year),
        or_(Dossier.received_at < received_at,
            and_(Dossier.received_at == received_at, Dossier.id <= dossier_id))))
    return BookEntry(year, int(number or 0))


def book_entry(dossier: Dossier) -> BookEntry:
    return book_number(dossier.desk_id, dossier.received_at, dossier.id)


def may_read_book(user: User, desk: Agency) -> bool:
    """Its receivers, leaders and admins of the desk or of an agency above it, auditors and
    system administrators."""
    if user.has_role("auditor", "sysadmin"):
        return True
    if desk.id in user.agencies_with("receiver"):
        return True
    heads = user.agencies_with("leader", "admin")
    cursor: Agency | None = desk
    while cursor is not None:
        if cursor.id in heads:
            return True
        cursor = cursor.parent
    return False


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, day after end 00:00) in local time."""
        return (datetime.combine(self.start, time(), TZ),
                datetime.combine(self.end + timedelta(days=1), time(), TZ))


def parse_period(start: str | None, end: str | None, today: date) -> Period:
    """From YYYY-MM-DD strings. Without ``from``: the first day of the month of ``to`` (or of
    today); without ``to``: the last day of the month of ``from``."""
    problems: list[dict[str, str]] = []
    first = _parse_day(start, "from", problems) if start else None
    last = _parse_day(end, "to", problems) if end else None
    if problems:
        raise Invalid("Ngày không hợp lệ: dùng dạng năm-tháng-ngày, ví dụ 2026-03-01", problems)
    first = first or (last or today).replace(day=1)
    last = last or _month_end(first)
    if last < first:
        raise Invalid("Ngày kết thúc phải từ ngày bắt đầu trở đi",
                      [{"field": "to", "message": "Trước ngày bắt đầu"}])
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f"Mỗi lần chỉ xem, in tối đa {MAX_DAYS} ngày",
                      [{"field": "to", "message": f"Quá {MAX_DAYS} ngày"}])
    return Period(first, last)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _parse_day(value: str, field: str, problems: list[dict[str, str]]) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append({"field": field, "message": f"Không đọc được ngày \"{value[:20]}\""})
        return None
    return day


@dataclass(frozen=True)
class BookRow:
    entry: BookEntry
    dossier: Dossier
    sets: int
    transferred_at: datetime | None
    result_at: datetime | None
    returned_at: datetime | None
    note: str


@dataclass(frozen=True)
class BookPage:
    rows: list[BookRow]
    total: int
    page: int
    pages: int


def book_page(desk: Agency, period: Period, page: int) -> BookPage:
    start, end = period.bounds
    in_period = and_(Dossier.desk_id == desk.id, Dossier.received_at >= start,
                     Dossier.received_at < end)
    total = int(db.session.scalar(select(func.count(Dossier.id)).where(in_period)) or 0)
    pages = max(1, -(-total // PAGE_ROWS))
    page = min(max(page, 1), pages)
    dossiers = list(db.session.scalars(
        select(Dossier).where(in_period).order_by(Dossier.received_at, Dossier.id)
        .options(joinedload(Dossier.procedure), joinedload(Dossier.agency))
        .limit(PAGE_ROWS).offset((page - 1) * PAGE_ROWS)))
    ids = [d.id for d in dossiers]
    transferred = _transferred(ids)
    results = _results(ids)
    rows, entry = [], None
    for dossier in dossiers:
        year = dossier.received_at.astimezone(TZ).year
        if entry is None or entry.volume != year:
            entry = book_entry(dossier)  # one count per year on the page
        else:
            entry = BookEntry(year, entry.number + 1)
        rows.append(BookRow(
            entry, dossier, dossier.received_sets or 1, transferred.get(dossier.id),
            results.get(dossier.id),
            dossier.finished_at if dossier.status == "returned" else None,
            STATUS_NOTES.get(dossier.status, "")))
    return BookPage(rows, total, page, pages)


def _transferred(ids: list[int]) -> dict[int, Any]:
    """When each dossier first reached a unit other than its desk."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Task.dossier_id, func.min(Task.started_at)).join(Dossier, Dossier.id ==
                                                                 Task.dossier_id)
        .where(Task.dossier_id.in_(ids), Task.unit_id != Dossier.desk_id)
        .group_by(Task.dossier_id)).all())


def _results(ids: list[int]) -> dict[int, Any]:
    """When the result came back: the step that issues the result was completed."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(HistoryEvent.dossier_id, func.min(HistoryEvent.at))
        .join(Task, Task.id == HistoryEvent.task_id)
        .where(HistoryEvent.dossier_id.in_(ids), HistoryEvent.action == EventAction.COMPLETED,
               Task.document == "result")
        .group_by(HistoryEvent.dossier_id)).all())
