"""Shared marshmallow pieces: local-time datetimes (+07:00)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import fields

from motcua.calendar.working_time import TZ


class LocalDateTime(fields.Field):
    """ISO 8601 with the +07:00 offset, as the contract says."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any,
                   **kwargs: Any) -> str | None:
        return value.astimezone(TZ).isoformat() if value is not None else None
