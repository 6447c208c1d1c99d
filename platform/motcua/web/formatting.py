"""How the pages print times and working-time countdowns (Asia/Ho_Chi_Minh, 1 day = 8 h)."""

from __future__ import annotations

from datetime import date, datetime

from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import TZ

DUE_SOON_MINUTES = 4 * 60  # half a working day


def local_dt(value: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    return value.astimezone(TZ).strftime(pattern) if value else ""


def form_date(value: object) -> object:
    """A form's ISO date (``format: date``) as officers read it: 17/05/1990."""
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return value


def working(minutes: int) -> str:
    """A working duration in days (8 h), hours and minutes: "1 ngày 2 giờ 30 phút"."""
    days, rest = divmod(abs(minutes), 8 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} ngày" if days else "", f"{hours} giờ" if hours else "",
             f"{mins} phút" if mins else ""]
    return " ".join(p for p in parts if p) or "0 phút"


def countdown(due: datetime | None, now: datetime) -> dict[str, str | int] | None:
    """Working time left before ``due`` (negative when late), its label and its urgency:
    "late", "soon" (within half a working day) or "ok"."""
    if due is None:
        return None
    calendar = load_calendar()
    if due > now:
        left = calendar.elapsed(now, due)
        level = "soon" if left <= DUE_SOON_MINUTES else "ok"
        return {"minutes": left, "label": f"còn {working(left)}", "level": level}
    late = calendar.elapsed(due, now)
    return {"minutes": -late, "label": f"quá hạn {working(late)}", "level": "late"}
