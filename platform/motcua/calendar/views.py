"""GET /calendar/due: the working-time calendar for integrations and the UI."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates

from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import TZ, parse_duration
from motcua.errors import field_error
from motcua.org.auth import current_user

blp = Blueprint("calendar", __name__, description="Lịch làm việc")


class DueQuery(Schema):
    start = fields.AwareDateTime(required=True, default_timezone=TZ)
    duration = fields.String(required=True)

    @validates("duration")
    def _duration(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ValidationError("Thiếu thời hạn (dạng 0.5d, 4h, 30m)")
        try:
            parse_duration(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class DueAnswer(Schema):
    due = fields.String()


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
    return {"due": calendar.add(args["start"], minutes).isoformat()}
