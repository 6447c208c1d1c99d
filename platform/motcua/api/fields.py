"""Shared marshmallow pieces: local-time datetimes (+07:00) and dates, both read only within
the calendar's years (``FIRST_YEAR``..``LAST_YEAR``: ``0001-01-01`` or ``9999-12-31``, or
``9999-12-31T23:59:59+14:00``, which overflows on its way to UTC, would otherwise reach
date arithmetic and fail there as a 500), and whole numbers within an INTEGER column."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from marshmallow import fields, validate

from motcua.calendar.working_time import FIRST_YEAR, LAST_YEAR, TZ
from motcua.db import INTEGER_MAX

YEARS_MESSAGE = f"Năm phải trong khoảng {FIRST_YEAR}–{LAST_YEAR}"


class LocalDateTime(fields.DateTime):
    """ISO 8601 with the +07:00 offset, as the contract says."""

    default_error_messages = {"invalid": "Không phải thời điểm ISO 8601 (YYYY-MM-DDTHH:MM)",
                              "years": YEARS_MESSAGE}

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any,
                   **kwargs: Any) -> str | None:
        return value.astimezone(TZ).isoformat() if value is not None else None

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        """ISO 8601; a time without an offset is local (Asia/Ho_Chi_Minh)."""
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise self.make_error("invalid") from None
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            raise self.make_error("years")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


class Day(fields.Date):
    """A calendar day, YYYY-MM-DD."""

    default_error_messages = {"invalid": "Không phải ngày (YYYY-MM-DD)", "years": YEARS_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise self.make_error("years")
        return day


def whole(low: int = 0, high: int = INTEGER_MAX, **kwargs: Any) -> fields.Integer:
    """A whole number in ``low``..``high`` (by default any an INTEGER column holds), refused
    with a 422 naming the field past them: a larger one reaches PostgreSQL as "integer out
    of range" and SQLite's driver as an OverflowError."""
    return fields.Integer(validate=validate.Range(low, high, error=f"Từ {low} đến {high}"),
                          error_messages={"invalid": "Không phải số nguyên"}, **kwargs)
