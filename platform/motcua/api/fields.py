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

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        """ISO 8601; a time without an offset is local (Asia/Ho_Chi_Minh)."""
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise self.make_error("invalid") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)

    default_error_messages = {"invalid": "Không phải thời điểm ISO 8601 (YYYY-MM-DDTHH:MM)"}
