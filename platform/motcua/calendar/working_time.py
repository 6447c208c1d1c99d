"""Working-time arithmetic for one-stop deadlines.

Pure functions and a frozen value object: no database, no Flask. Every instant that leaves
this module is aware and expressed in ``Asia/Ho_Chi_Minh``.

Model: a working day has the province's working periods (default 08:00–12:00, 13:00–17:00).
A duration is counted in working minutes and one working day is always 480 minutes, whatever
the province's periods add up to, because legal time limits are stated in days of 8 hours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DAY_MINUTES",
    "DEFAULT_PERIODS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_DURATION_MINUTES",
    "TZ",
    "Timing",
    "WorkingCalendar",
    "format_duration",
    "parse_duration",
    "public_holidays",
]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

DAY_MINUTES = 480
HOUR_MINUTES = 60

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(8), time(12)), (time(13), time(17)))

# Legal limits are at most a few months; the cap keeps a typo such as "99999999d" from
# turning into a request that iterates for hours.
MAX_DURATION_MINUTES = 3650 * DAY_MINUTES

# The years a date given to the platform may fall in (a filter, a deadline, the start of a
# count): wide enough for any birth date and any deadline, and far enough from datetime's
# year 9999 that adding the longest duration, or converting between time zones, never
# overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2999

# A calendar with no working day for this long is misconfigured; without the limit the
# search for the next working day would never end.
_MAX_SEARCH_DAYS = 3 * 366

Timing = Literal["early", "on_time", "late"]

_DURATION_HINT = "dùng dạng 0.5d, 4h, 30m"
_NUMBER = r"\d+(?:\.\d+)?"
_DURATION_RE = re.compile(rf"(?:(?P<d>{_NUMBER})d)?(?:(?P<h>{_NUMBER})h)?(?:(?P<m>{_NUMBER})m)?")
_UNIT_MINUTES = {"d": DAY_MINUTES, "h": HOUR_MINUTES, "m": 1}
_HHMM_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


# --------------------------------------------------------------------------- durations


def parse_duration(text: str) -> int:
    """Return the number of working minutes in ``text`` (``"1d4h"`` -> 720).

    ``"0"`` and ``""`` mean "not counted" and give 0. Units must appear in the order d, h, m,
    each at most once; lowercase only, because an uppercase ``M`` would read as "month".
    """
    stripped = text.strip()
    if stripped in ("", "0"):
        return 0
    match = _DURATION_RE.fullmatch(stripped)
    if match is None or not any(match.groupdict().values()):
        raise ValueError(f'Thời hạn không hợp lệ: "{text}" ({_DURATION_HINT})')
    total = 0
    for unit, value in match.groupdict().items():
        if value is None:
            continue
        # Fraction keeps "0.1d" exact (48 minutes); float would give 47.99999.
        minutes = Fraction(value) * _UNIT_MINUTES[unit]
        if minutes.denominator != 1:
            raise ValueError(
                f'Thời hạn không hợp lệ: "{text}" ({value}{unit} không quy ra được số phút '
                f"nguyên; thời hạn tính đến từng phút)"
            )
        total += int(minutes)
    if total > MAX_DURATION_MINUTES:
        raise ValueError(
            f'Thời hạn không hợp lệ: "{text}" (tối đa {MAX_DURATION_MINUTES // DAY_MINUTES}d)'
        )
    return total


def format_duration(minutes: int) -> str:
    """Canonical text for a number of working minutes: 510 -> ``"1d30m"``, 0 -> ``"0"``."""
    if minutes < 0:
        raise ValueError(f"Thời hạn không được âm: {minutes} phút")
    if minutes == 0:
        return "0"
    days, rest = divmod(minutes, DAY_MINUTES)
    hours, mins = divmod(rest, HOUR_MINUTES)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts)


# --------------------------------------------------------------------------- holidays


@cache
def public_holidays(year: int) -> frozenset[date]:
    """Vietnam's public holidays (incl. observed/substitute days) for ``year``, cached.

    Building a ``holidays`` calendar is far slower than a set lookup and this is consulted
    for every day of every deadline computation.
    """
    return frozenset(holidays.country_holidays("VN", years=year).keys())


# --------------------------------------------------------------------------- helpers


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive datetime {value!r}")


def _local_ceil(value: datetime, name: str) -> datetime:
    """``value`` in local time, rounded up to the whole minute (08:00:30 -> 08:01)."""
    _require_aware(value, name)
    local = value.astimezone(TZ)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local


def _minute_of_day(value: datetime | time) -> int:
    return value.hour * 60 + value.minute


def _at(day: date, minute_of_day: int) -> datetime:
    # Asia/Ho_Chi_Minh has had a fixed offset since 1975, so wall-clock arithmetic is exact.
    return datetime.combine(day, time(), tzinfo=TZ) + timedelta(minutes=minute_of_day)


def _fmt(value: time) -> str:
    return value.strftime("%H:%M")


def _parse_hhmm(text: object) -> time:
    if not isinstance(text, str) or _HHMM_RE.fullmatch(text) is None:
        raise ValueError(f"Giờ làm việc không hợp lệ: {text!r} (dùng dạng HH:MM, ví dụ 08:00)")
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _parse_day(value: date | str, what: str) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"{what}: cần một ngày, không phải thời điểm: {value!r}")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: ngày không hợp lệ {value!r} (dùng dạng YYYY-MM-DD)") from None


def _validate_periods(periods: tuple[tuple[time, time], ...]) -> None:
    if not periods:
        raise ValueError("Phải có ít nhất một khoảng giờ làm việc")
    previous: tuple[time, time] | None = None
    for start, end in periods:
        for moment in (start, end):
            if moment.tzinfo is not None or moment.second or moment.microsecond:
                raise ValueError(
                    f"Giờ làm việc phải tính đến phút, không kèm giây hay múi giờ: {moment!r}"
                )
        if start >= end:
            raise ValueError(
                f"Khoảng giờ làm việc không hợp lệ: {_fmt(start)}–{_fmt(end)} "
                "(giờ bắt đầu phải trước giờ kết thúc)"
            )
        if previous is not None and start < previous[1]:
            raise ValueError(
                "Các khoảng giờ làm việc phải theo thứ tự thời gian và không chồng lấn: "
                f"{_fmt(previous[0])}–{_fmt(previous[1])} và {_fmt(start)}–{_fmt(end)}"
            )
        previous = (start, end)


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class WorkingCalendar:
    """A province's working time: periods per day, public holidays and local exceptions.

    ``extra_days_off`` always wins; a date in ``working_saturdays`` (make-up working day) is
    worked even though it is a weekend day or coincides with a public holiday, because the
    make-up schedule is an explicit administrative decision.
    """

    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    extra_days_off: frozenset[date] = frozenset()
    working_saturdays: frozenset[date] = frozenset()
    # Periods as minute-of-day offsets, derived once so the hot loops do integer arithmetic.
    _spans: tuple[tuple[int, int], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        _validate_periods(periods)
        # Callers may hand in plain sets or lists; freezing keeps the object hashable.
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "extra_days_off", frozenset(self.extra_days_off))
        object.__setattr__(self, "working_saturdays", frozenset(self.working_saturdays))
        spans = tuple((_minute_of_day(s), _minute_of_day(e)) for s, e in periods)
        object.__setattr__(self, "_spans", spans)

    @classmethod
    def from_settings(
        cls,
        working_hours: list[list[str]] | None,
        extra_days_off: Iterable[date | str] | None = None,
        working_saturdays: Iterable[date | str] | None = None,
    ) -> WorkingCalendar:
        """Build from province settings (JSON-friendly: ``"HH:MM"`` and ISO date strings)."""
        if working_hours is None:
            periods = DEFAULT_PERIODS
        else:
            parsed: list[tuple[time, time]] = []
            for item in working_hours:
                if not isinstance(item, list | tuple) or len(item) != 2:
                    raise ValueError(
                        "Mỗi khoảng giờ làm việc phải gồm giờ bắt đầu và giờ kết thúc, "
                        f'ví dụ ["08:00", "12:00"]; nhận được {item!r}'
                    )
                parsed.append((_parse_hhmm(item[0]), _parse_hhmm(item[1])))
            periods = tuple(parsed)
        days_off = frozenset(_parse_day(d, "Ngày nghỉ bổ sung") for d in extra_days_off or ())
        saturdays = frozenset(_parse_day(d, "Ngày làm bù") for d in working_saturdays or ())
        return cls(periods=periods, extra_days_off=days_off, working_saturdays=saturdays)

    # ----------------------------------------------------------------------- days

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_days_off:
            return False
        if day in self.working_saturdays:
            return True
        if day.weekday() >= 5:
            return False
        return day not in public_holidays(day.year)

    def _next_working_day(self, day: date) -> date:
        """First working day strictly after ``day``."""
        candidate = day
        for _ in range(_MAX_SEARCH_DAYS):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(
            f"Lịch làm việc không có ngày làm việc nào trong {_MAX_SEARCH_DAYS} ngày "
            f"sau {day.isoformat()}; kiểm tra ngày nghỉ bổ sung"
        )

    # ----------------------------------------------------------------------- instants

    def next_working_minute(self, at: datetime) -> datetime:
        """``at`` itself if it is inside working time, else the start of the next period.

        The end of a period (12:00, 17:00) is not a working minute: work resumes at 13:00.
        """
        local = _local_ceil(at, "at")
        day, offset = local.date(), _minute_of_day(local)
        if self.is_working_day(day):
            for start, end in self._spans:
                if offset < end:
                    return _at(day, max(start, offset))
        return _at(self._next_working_day(day), self._spans[0][0])

    def add(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` working minutes after ``start``.

        A deadline that is used up exactly at a period's end lands on that end (Monday
        08:00 + 4h = Monday 12:00), so "1 day from 08:00" reads as "17:00 the same day".
        """
        if minutes < 0:
            raise ValueError(f"minutes must be >= 0, got {minutes}")
        try:
            return self._add(start, minutes)
        except OverflowError:
            # Only a start outside FIRST_YEAR..LAST_YEAR comes near datetime's year 9999.
            raise ValueError(f"Thời hạn tính từ {start.isoformat()} vượt quá năm 9999") from None

    def _add(self, start: datetime, minutes: int) -> datetime:
        begin = self.next_working_minute(start)
        if minutes == 0:
            return begin
        day, offset = begin.date(), _minute_of_day(begin)
        remaining = minutes
        while True:
            for span_start, span_end in self._spans:
                if span_end <= offset:
                    continue
                lower = max(span_start, offset)
                available = span_end - lower
                if remaining <= available:
                    return _at(day, lower + remaining)
                remaining -= available
            day, offset = self._next_working_day(day), 0

    def add_duration(self, start: datetime, text: str) -> datetime:
        return self.add(start, parse_duration(text))

    def elapsed(self, start: datetime, end: datetime) -> int:
        """Working minutes in ``[start, end)``; both rounded up to the minute like ``add``.

        With that rounding ``elapsed(s, add(s, m)) == m`` for every start and ``m``.
        """
        lower = _local_ceil(start, "start")
        upper = _local_ceil(end, "end")
        if upper <= lower:
            return 0
        first, last = lower.date(), upper.date()
        first_offset, last_offset = _minute_of_day(lower), _minute_of_day(upper)
        full_day = sum(end_ - start_ for start_, end_ in self._spans)
        total = 0
        day = first
        while day <= last:
            if self.is_working_day(day):
                if first < day < last:
                    total += full_day
                else:
                    low = first_offset if day == first else 0
                    high = last_offset if day == last else 24 * 60
                    for span_start, span_end in self._spans:
                        total += max(0, min(span_end, high) - max(span_start, low))
            day += timedelta(days=1)
        return total

    def timing(self, due: datetime | None, done: datetime) -> Timing | None:
        """Classify a completion against its due time (``None`` when there is no due time).

        "early" means finished on an earlier local calendar day than the due day; finishing
        on the due day itself, before the due time, is merely "on_time".
        """
        _require_aware(done, "done")
        if due is None:
            return None
        _require_aware(due, "due")
        if done > due:
            return "late"
        if done.astimezone(TZ).date() < due.astimezone(TZ).date():
            return "early"
        return "on_time"
