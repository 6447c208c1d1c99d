"""Append-only history events: every hand-over, claim, document, timer, overdue mark,
apology and stop of a dossier (the process control slip, and what the audit replays)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db import JSONType, UTCDateTime, db, enum_type
from motcua.org.models import Agency, User
from motcua.processes.meanings import Meaning


class EventAction(StrEnum):
    RECEIVED = "received"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    DOCUMENT = "document"
    TIMER = "timer"
    OVERDUE = "overdue"
    EXTENDED = "extended"  # apology and new appointment (Mẫu 04)
    STOPPED = "stopped"
    ERROR = "error"


class Timing(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


# Actions that hand the dossier on (and create the next steps' tasks).
HANDOVERS = (EventAction.RECEIVED, EventAction.COMPLETED, EventAction.TIMER)


class HistoryEvent(db.Model):  # type: ignore[name-defined]
    __tablename__ = "history_event"
    __table_args__ = (
        Index("ix_history_event_dossier_at", "dossier_id", "id"),
        # Not unique: an event inserted with a position already taken must be readable, so
        # that the audit can name it.
        Index("ix_history_event_dossier_seq", "dossier_id", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No cascade: a dossier with a history is never deleted with it.
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The membership the actor acted in at that moment (memberships change later).
    actor_role: Mapped[str | None] = mapped_column(String(32))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    action: Mapped[EventAction] = mapped_column(enum_type(EventAction, "action"))
    # The BPMN id of the element acted on, and its display name.
    step: Mapped[str | None] = mapped_column(String(255))
    step_name: Mapped[str | None] = mapped_column(Text)
    from_step: Mapped[str | None] = mapped_column(Text)
    to_step: Mapped[str | None] = mapped_column(Text)
    # The BPMN ids of the steps handed to, and the task rows created for them.
    to_steps: Mapped[list[str] | None] = mapped_column(JSONType)
    to_tasks: Mapped[list[int] | None] = mapped_column(JSONType)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    outcome: Mapped[str | None] = mapped_column(String(64))
    meaning: Mapped[Meaning | None] = mapped_column(enum_type(Meaning, "meaning", 16))
    # A document event's kind (receipt, supplement, ...).
    document: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    timing: Mapped[Timing | None] = mapped_column(enum_type(Timing, "timing", 10))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    task_id: Mapped[int | None] = mapped_column(Integer)
    # The event's position in its dossier's hash chain (1-based), and its hash: SHA-256 of
    # the previous event's hash and this event's canonical content (``history.chain``).
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))

    # Read-only: ``record`` writes the ids (see Task's relationships).
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], viewonly=True)
    actor_unit: Mapped[Agency | None] = relationship(foreign_keys=[actor_unit_id], viewonly=True)
    unit: Mapped[Agency | None] = relationship(foreign_keys=[unit_id], viewonly=True)

    def as_dict(self) -> dict[str, Any]:
        return {c.name: getattr(self, c.key) for c in self.__table__.columns}
