"""The working-time calendar's query and answer."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates

from motcua.api.fields import LocalDateTime
from motcua.calendar.working_time import parse_duration


class DueQuery(Schema):
    # Within the calendar's years: a start near 9999 plus a duration overflows.
    start = LocalDateTime(required=True)
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
