"""Dates and times as the standard documents print them: local time (Asia/Ho_Chi_Minh) in
the administrative style of Decree 30/2020 (a day below 10 and the months 1 and 2 take a
leading zero: "ngày 02 tháng 3 năm 2026", "ngày 15 tháng 01 năm 2026")."""

from __future__ import annotations

from datetime import UTC, date, datetime

from markupsafe import Markup, escape

from motcua.calendar.working_time import TZ

Instant = datetime | str | None


def as_local(value: Instant) -> datetime | None:
    """An aware datetime or an ISO string (snapshots keep ISO) in local time; None stays."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if value.tzinfo is None:
        # Snapshots always carry an offset; a naive value can only be UTC from the database.
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TZ)


def long_date(value: Instant | date) -> str:
    """ "ngày 02 tháng 3 năm 2026" """
    day = value if isinstance(value, date) and not isinstance(value, datetime) else None
    if day is None:
        local = as_local(value)  # type: ignore[arg-type]
        if local is None:
            return ""
        day = local.date()
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def long_time(value: Instant) -> str:
    """ "09 giờ 30 phút, ngày 02 tháng 3 năm 2026", as on the receipt. """
    local = as_local(value)
    if local is None:
        return ""
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {long_date(local)}"


def short_time(value: Instant) -> str:
    """ "02/03/2026 09:30", for tables. """
    local = as_local(value)
    return local.strftime("%d/%m/%Y %H:%M") if local else ""


def short_date(value: Instant | date) -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    local = as_local(value)
    return local.strftime("%d/%m/%Y") if local else ""


def breakable(code: str) -> Markup:
    """A dossier code that may wrap after its hyphens in a narrow column (line breaking
    rules keep "-2603..." to the digits after it, so it would otherwise wrap mid-number)."""
    return Markup(str(escape(code)).replace("-", "-<wbr>"))  # noqa: S704 - escaped above


FORMATTERS = {"long_date": long_date, "long_time": long_time, "short_time": short_time,
              "short_date": short_date, "breakable": breakable}
