"""Shared marshmallow pieces: local-time datetimes (+07:00) and the error schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, fields

from motcua.calendar.working_time import TZ


class LocalDateTime(fields.Field):
    """ISO 8601 with the +07:00 offset, as the contract says."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any,
                   **kwargs: Any) -> str | None:
        return value.astimezone(TZ).isoformat() if value is not None else None


def local_iso(value: datetime | None) -> str | None:
    return value.astimezone(TZ).isoformat() if value is not None else None


class ErrorDetail(Schema):
    field = fields.String()
    element_id = fields.String()
    message = fields.String()
    line = fields.Integer()


class ErrorBody(Schema):
    code = fields.String()
    message = fields.String()
    details = fields.List(fields.Nested(ErrorDetail))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody)
