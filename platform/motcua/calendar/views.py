"""GET /calendar/due: the working-time calendar for integrations and the UI."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from motcua.calendar.operations import load_calendar
from motcua.calendar.schemas import DueAnswer, DueQuery
from motcua.calendar.working_time import parse_duration
from motcua.errors import field_error
from motcua.org.auth import current_user

blp = Blueprint("calendar", __name__, description="Lịch làm việc")


@blp.route("/calendar/due")
@blp.arguments(DueQuery, location="query")
@blp.response(200, DueAnswer)
def due(args: dict[str, Any]) -> dict[str, str]:
    current_user()
    calendar = load_calendar()
    try:
        minutes = parse_duration(args["duration"])
    except ValueError as exc:
        raise field_error("duration", str(exc)) from None
    try:
        return {"due": calendar.add(args["start"], minutes).isoformat()}
    except ValueError as exc:
        # No working day within years of the start (the calendar's extra days off).
        raise field_error("start", str(exc)) from None
