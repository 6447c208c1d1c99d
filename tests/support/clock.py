"""A clock the tests set and move (the application reads it through ``motcua.clock``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from motcua.calendar.working_time import TZ


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, **kwargs: float) -> None:
        self.at = self.at + timedelta(**kwargs)


def local(*args: int) -> datetime:
    """A time in Hà Nội: ``local(2026, 3, 16, 9, 0)``."""
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc, arg-type]
