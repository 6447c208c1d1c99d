"""The province's working-time calendar as configured in the database."""

from __future__ import annotations

import time

from flask import current_app, g, has_request_context
from sqlalchemy import select

from motcua.calendar.models import CalendarDay
from motcua.calendar.working_time import WorkingCalendar
from motcua.db import db
from motcua.org.models import Province

CACHE_SECONDS = 60.0


def load_calendar() -> WorkingCalendar:
    """The calendar from the province's hours and the extra-days table. It changes a few
    times a year, so each process keeps it for a minute instead of reading it per step."""
    if has_request_context() and "calendar" in g:
        return g.calendar
    cached = current_app.extensions.get("motcua_calendar")
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        calendar: WorkingCalendar = cached[1]
    else:
        calendar = _read_calendar()
        current_app.extensions["motcua_calendar"] = (time.monotonic(), calendar)
    if has_request_context():
        g.calendar = calendar
    return calendar


def forget_calendar() -> None:
    """After the province's hours or days change (org import)."""
    current_app.extensions.pop("motcua_calendar", None)
    if has_request_context():
        g.pop("calendar", None)


def _read_calendar() -> WorkingCalendar:
    province = db.session.scalar(select(Province).limit(1))
    days = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkingCalendar.from_settings(
        province.working_hours if province else None,
        [d for d, kind in days if kind == "day_off"],
        [d for d, kind in days if kind == "working_saturday"],
    )
