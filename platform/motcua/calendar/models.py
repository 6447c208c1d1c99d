"""Extra days off and make-up working Saturdays, edited yearly."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import db


class CalendarDay(db.Model):  # type: ignore[name-defined]
    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    # "day_off" or "working_saturday"
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(255), default="")
