"""The province's working-time calendar as configured in the database."""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import select

from motcua.calendar.models import CalendarDay
from motcua.calendar.working_time import WorkingCalendar
from motcua.db import db
from motcua.org.models import Province


def load_calendar() -> WorkingCalendar:
    """The calendar from the province's hours and the extra-days table (once per request)."""
    if has_request_context() and "calendar" in g:
        return g.calendar
    province = db.session.scalar(select(Province).limit(1))
    days = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    calendar = WorkingCalendar.from_settings(
        province.working_hours if province else None,
        [d for d, kind in days if kind == "day_off"],
        [d for d, kind in days if kind == "working_saturday"],
    )
    if has_request_context():
        g.calendar = calendar
    return calendar
