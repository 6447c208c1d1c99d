"""The periodic report the provincial regulations ask for, on the province's calendar
(``setting("report_period")``): weekly or monthly (Cao Bằng 05/2020 art. 19.5), quarterly
(Thanh Hóa art. 18), half-yearly, or between fixed dates (``setting("report_dates")``, Hậu
Giang 405/2023 art. 17: 30/6 and 30/11, a period running from the day after the previous
date to the date, so one of them spans the new year).

A period has an id that names it whatever the calendar in force: ``2026-W12`` (ISO week),
``2026-03`` (month), ``2026-Q1``, ``2026-H1``, or ``2026-06-30`` (the end date of a period
between fixed dates)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from motcua.audit.models import TreeHead
from motcua.audit.reports.statistics import (
    Row,
    Statistics,
    StatsQuery,
    rate_items,
    statistics,
    today,
)
from motcua.audit.settings import setting
from motcua.calendar.working_time import FIRST_YEAR, LAST_YEAR
from motcua.db import db
from motcua.documents.book import Period
from motcua.errors import Invalid, field_error
from motcua.org.models import Agency

KINDS = ("weekly", "monthly", "quarterly", "half_year", "dates")
KIND_WORDS = {"weekly": "Hằng tuần", "monthly": "Hằng tháng", "quarterly": "Hằng quý",
              "half_year": "6 tháng", "dates": "Theo ngày chốt số liệu"}
LISTED = 24  # periods on the list page, the current one first
_ROMAN = ("I", "II", "III", "IV")
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")
_IDS = {
    "weekly": re.compile(r"^(\d{4})-W(\d{2})$"),
    "monthly": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarterly": re.compile(r"^(\d{4})-Q([1-4])$"),
    "half_year": re.compile(r"^(\d{4})-H([12])$"),
    "dates": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
}


@dataclass(frozen=True)
class ReportPeriod:
    id: str
    kind: str
    start: date
    end: date  # inclusive

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def label(self) -> str:
        if self.kind == "weekly":
            week = self.start.isocalendar()
            return f"Tuần {week.week:02d}/{week.year}"
        if self.kind == "monthly":
            return f"Tháng {self.start.month:02d}/{self.start.year}"
        if self.kind == "quarterly":
            return f"Quý {_ROMAN[(self.start.month - 1) // 3]}/{self.start.year}"
        if self.kind == "half_year":
            half = "đầu" if self.start.month == 1 else "cuối"
            return f"6 tháng {half} năm {self.start.year}"
        return f"Kỳ chốt số liệu ngày {self.end:%d/%m/%Y}"

    @property
    def span(self) -> str:
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label,
                "from": self.start.isoformat(), "to": self.end.isoformat()}


def parse_dates(values: list[str]) -> list[tuple[int, int]]:
    """"d/m" strings to sorted (month, day), each a real day of a leap year (29/2 is kept:
    it closes the period on 28/2 in other years). Raises ``Invalid`` naming ``report_dates``."""
    out = set()
    for value in values:
        match = _DAY_MONTH.match(str(value))
        day, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(2024, month)[1]):
            raise field_error("report_dates", f"Ngày chốt \"{str(value)[:12]}\" không hợp lệ: "
                                              "ghi ngày/tháng, ví dụ 30/6")
        out.add((month, day))
    if not out:
        raise field_error("report_dates", "Cần ít nhất một ngày chốt số liệu")
    return sorted(out)


def _closing(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_of(kind: str, day: date, dates: list[tuple[int, int]] | None = None
              ) -> ReportPeriod:
    """The period of the calendar ``kind`` that contains ``day``."""
    if kind == "weekly":
        start = day - timedelta(days=day.weekday())
        week = start.isocalendar()
        return ReportPeriod(f"{week.year}-W{week.week:02d}", kind, start,
                            start + timedelta(days=6))
    if kind == "monthly":
        start = day.replace(day=1)
        return ReportPeriod(f"{day.year}-{day.month:02d}", kind, start, _month_end(start))
    if kind == "quarterly":
        quarter = (day.month - 1) // 3
        start = date(day.year, quarter * 3 + 1, 1)
        return ReportPeriod(f"{day.year}-Q{quarter + 1}", kind, start,
                            _month_end(date(day.year, quarter * 3 + 3, 1)))
    if kind == "half_year":
        first = day.month <= 6
        start = date(day.year, 1 if first else 7, 1)
        end = date(day.year, 6, 30) if first else date(day.year, 12, 31)
        return ReportPeriod(f"{day.year}-H{1 if first else 2}", kind, start, end)
    if kind != "dates" or not dates:
        raise ValueError(kind)
    # The first closing date on or after ``day``; the period starts after the one before.
    for year in (day.year, day.year + 1):
        for month, closing_day in dates:
            end = _closing(year, month, closing_day)
            if end >= day:
                return ReportPeriod(end.isoformat(), kind, _previous_closing(end, dates)
                                    + timedelta(days=1), end)
    raise AssertionError("a closing date falls within every year")


def _previous_closing(end: date, dates: list[tuple[int, int]]) -> date:
    candidates = [_closing(year, month, day) for year in (end.year - 1, end.year)
                  for month, day in dates]
    return max(c for c in candidates if c < end)


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def parse_period_id(value: str, dates: list[tuple[int, int]]) -> ReportPeriod:
    """A period from its id (any calendar's); a closing date must be one of ``dates``. Years
    are those a period of dates accepts everywhere else: a report of year 1 or 9999 would
    reach past what a date holds when its trend or its previous closing date is counted."""
    value = (value or "").strip()
    for kind, pattern in _IDS.items():
        match = pattern.match(value)
        if not match:
            continue
        year, number = int(match.group(1)), int(match.group(2))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise field_error("period", f"Năm của kỳ báo cáo phải trong khoảng {FIRST_YEAR}–"
                                        f"{LAST_YEAR}")
        try:
            if kind == "weekly":
                day = date.fromisocalendar(year, number, 1)
            elif kind == "monthly":
                day = date(year, number, 1)
            elif kind == "quarterly":
                day = date(year, number * 3 - 2, 1)
            elif kind == "half_year":
                day = date(year, 1 if number == 1 else 7, 1)
            else:
                day = date(year, number, int(match.group(3)))
        except ValueError:
            break
        found = period_of(kind, day, dates)
        if kind == "dates" and found.end != day:
            raise field_error("period", f"{day:%d/%m/%Y} không phải ngày chốt số liệu")
        return found
    raise field_error("period", f"Không có kỳ báo cáo \"{value[:20]}\": ghi dạng 2026-03, "
                                "2026-Q1, 2026-H1, 2026-W12 hoặc ngày chốt 2026-06-30")


def calendar_in_force() -> tuple[str, list[tuple[int, int]]]:
    kind = setting("report_period")
    return kind, parse_dates(list(setting("report_dates")))


def recent_periods(count: int = LISTED) -> list[ReportPeriod]:
    """The calendar's periods, the current one first, then back in time."""
    kind, dates = calendar_in_force()
    found = [period_of(kind, today(), dates)]
    while len(found) < count:
        found.append(period_of(kind, found[-1].start - timedelta(days=1), dates))
    return found


def default_period() -> ReportPeriod:
    """The last period already over (the one a report is due for)."""
    kind, dates = calendar_in_force()
    current = period_of(kind, today(), dates)
    return period_of(kind, current.start - timedelta(days=1), dates)


def resolve(value: str | None) -> ReportPeriod:
    _, dates = calendar_in_force()
    return parse_period_id(value, dates) if value else default_period()


@dataclass(frozen=True)
class PeriodicReport:
    period: ReportPeriod
    agency: Agency | None
    by_agency: Statistics
    by_procedure: Statistics
    trend: Statistics
    tree_head: TreeHead | None

    @property
    def total(self) -> Row:
        return self.by_agency.total

    @property
    def ranking(self) -> list[tuple[str, float]]:
        return rate_items(self.by_agency.rows)

    @property
    def current(self) -> bool:
        return self.period.end >= today()

    def as_dict(self) -> dict[str, Any]:
        head = self.tree_head
        return {
            "period": self.period.as_dict(), "agency": self.agency.code if self.agency else None,
            "total": self.total.as_dict(),
            "agencies": [r.as_dict() for r in self.by_agency.rows],
            "procedures": [r.as_dict() for r in self.by_procedure.rows],
            "trend": [r.as_dict() for r in self.trend.rows],
            "ranking": [{"name": name, "on_time_rate": round(rate, 2)}
                        for name, rate in self.ranking],
            "tree_head": None if head is None else {
                "day": head.day.isoformat(), "size": head.size, "root": head.root,
                "signature": head.signature, "key_id": head.key_id,
                "signed_at": head.signed_at.isoformat()},
        }


def trend_period(end: date) -> Period:
    """The twelve months ending with the month of ``end``."""
    first = end.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period(first, _month_end(end.replace(day=1)))


def periodic_report(period: ReportPeriod, agency: Agency | None) -> PeriodicReport:
    if (period.end - period.start).days >= 366:
        raise Invalid("Kỳ báo cáo dài quá một năm", [{"field": "period",
                                                       "message": "Quá 366 ngày"}])
    by_agency = statistics(StatsQuery(agency, None, period.period, "agency"))
    by_procedure = statistics(StatsQuery(agency, None, period.period, "procedure"))
    trend = statistics(StatsQuery(agency, None, trend_period(period.end), "month"))
    head = db.session.scalar(select(TreeHead).order_by(TreeHead.day.desc(), TreeHead.id.desc())
                             .limit(1))
    return PeriodicReport(period, agency, by_agency, by_procedure, trend, head)


def trend_series(stats: Statistics) -> dict[str, list[tuple[str, float]]]:
    """The monthly lines: received, handled, late (handled late or open past due)."""
    return {
        "Tiếp nhận": [(r.key, r.figures["received"]) for r in stats.rows],
        "Đã giải quyết": [(r.key, r.figures["handled"]) for r in stats.rows],
        "Trễ hạn, quá hạn": [(r.key, r.figures["late"] + r.figures["in_progress_late"])
                             for r in stats.rows],
    }
