"""The clock, the platform's time zone and the date functions of the language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as _Date
from datetime import datetime as _DateTime
from datetime import time as _Time
from datetime import timedelta, timezone, tzinfo
from typing import Any, Final

from .errors import ExpressionError
from .values import _require_str, _short, _type_name

# Vietnam has had no daylight saving since 1975, so a fixed offset is exact.
VIETNAM_TZ: Final = timezone(timedelta(hours=7), "ICT")

_CLOCK_FUNCTIONS: Final = frozenset({"today", "now"})

Clock = Callable[[], _DateTime]


def _default_clock() -> _DateTime:
    return _DateTime.now(VIETNAM_TZ)


def _parse_date(value: Any, function: str) -> _Date:
    if isinstance(value, _DateTime):
        return value.date()
    if isinstance(value, _Date):
        return value
    text = _require_str(value, function).strip()
    try:
        return _Date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return _DateTime.fromisoformat(text).date()
    except ValueError as err:
        raise ExpressionError(f"Ngày không hợp lệ: {_short(value)}") from err


class _DateFunctions:
    """The date functions, bound to a clock; the evaluator inherits them."""

    clock: Clock

    def fn_now(self) -> _DateTime:
        now = self.clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=VIETNAM_TZ)

    def fn_today(self) -> _Date:
        return self.fn_now().date()

    def timezone(self) -> tzinfo:
        zone = self.fn_now().tzinfo
        return zone if zone is not None else VIETNAM_TZ

    def fn_date(self, value: Any) -> _Date:
        return _parse_date(value, "date")

    def fn_datetime(self, value: Any) -> _DateTime:
        if isinstance(value, _DateTime):
            moment = value
        elif isinstance(value, _Date):
            moment = _DateTime.combine(value, _Time())
        else:
            text = _require_str(value, "datetime").strip()
            try:
                moment = _DateTime.fromisoformat(text)
            except ValueError as err:
                raise ExpressionError(f"Ngày giờ không hợp lệ: {_short(value)}") from err
        # A time without offset is read in the platform's (clock's) time zone.
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=self.timezone())

    def fn_days_between(self, start: Any, end: Any) -> int:
        return (_parse_date(end, "days_between") - _parse_date(start, "days_between")).days

    def fn_add_days(self, value: Any, days: Any) -> _Date:
        if not isinstance(days, int) or isinstance(days, bool):
            raise ExpressionError("Hàm add_days: số ngày phải là số nguyên")
        if isinstance(value, str):
            try:
                value = _Date.fromisoformat(value.strip())
            except ValueError:
                value = self.fn_datetime(value)
        elif not isinstance(value, _Date):
            raise ExpressionError(f"Hàm add_days không dùng được với {_type_name(value)}")
        try:
            return value + timedelta(days=days)
        except OverflowError as err:
            raise ExpressionError("Ngày vượt quá phạm vi") from err
