"""Task rows: what officers see in their worklists."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db import JSONType, UTCDateTime, db, enum_type
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency, User
from motcua.processes.meanings import Meaning, Outcome, outcomes_from


class TaskState(StrEnum):
    READY = "ready"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


OPEN_STATES = (TaskState.READY, TaskState.CLAIMED)
TASK_STATES = tuple(TaskState)


class Task(db.Model):  # type: ignore[name-defined]
    __tablename__ = "task"
    __table_args__ = (
        # Worklist: unassigned open tasks of a role at a unit, soonest due first.
        Index(
            "ix_task_open_unit", "role", "unit_id", "due_at", "id",
            postgresql_where=text("state IN ('ready', 'claimed') AND assignee_id IS NULL"),
            sqlite_where=text("state IN ('ready', 'claimed') AND assignee_id IS NULL"),
        ),
        Index(
            "ix_task_open_assignee", "assignee_id", "due_at", "id",
            postgresql_where=text("state IN ('ready', 'claimed')"),
            sqlite_where=text("state IN ('ready', 'claimed')"),
        ),
        # The same two, for a worklist filtered by procedure.
        Index(
            "ix_task_open_unit_procedure", "role", "unit_id", "procedure_id", "due_at", "id",
            postgresql_where=text("state IN ('ready', 'claimed') AND assignee_id IS NULL"),
            sqlite_where=text("state IN ('ready', 'claimed') AND assignee_id IS NULL"),
        ),
        Index(
            "ix_task_open_assignee_procedure", "assignee_id", "procedure_id", "due_at", "id",
            postgresql_where=text("state IN ('ready', 'claimed')"),
            sqlite_where=text("state IN ('ready', 'claimed')"),
        ),
        Index(
            "ix_task_open_due", "due_at",
            postgresql_where=text("state IN ('ready', 'claimed') AND overdue = false"),
            sqlite_where=text("state IN ('ready', 'claimed') AND overdue = 0"),
        ),
        # The worklist sorted by reception (dossier ids follow reception order).
        Index(
            "ix_task_open_unit_dossier", "role", "unit_id", "dossier_id", "id",
            postgresql_where=text("state IN ('ready', 'claimed') AND assignee_id IS NULL"),
            sqlite_where=text("state IN ('ready', 'claimed') AND assignee_id IS NULL"),
        ),
        Index(
            "ix_task_open_assignee_dossier", "assignee_id", "dossier_id", "id",
            postgresql_where=text("state IN ('ready', 'claimed')"),
            sqlite_where=text("state IN ('ready', 'claimed')"),
        ),
        # Tasks sent back to a step done before ("returned to me" on the home page): few.
        Index(
            "ix_task_open_reopened", "assignee_id", "role", "unit_id",
            postgresql_where=text("state IN ('ready', 'claimed') AND reopened"),
            sqlite_where=text("state IN ('ready', 'claimed') AND reopened"),
        ),
        Index("ix_task_dossier", "dossier_id", "id"),
        Index("ix_task_completed_by", "completed_by_id"),
        # The dossiers an officer holds or held a task of (the visibility rule).
        Index("ix_task_assignee_dossier", "assignee_id", "dossier_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    # The dossier's procedure, copied (it never changes) so worklists filter by index.
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[TaskState] = mapped_column(enum_type(TaskState, "state", 16),
                                             default=TaskState.READY)
    form_key: Mapped[str | None] = mapped_column(String(100))
    outcomes: Mapped[list[list[str]]] = mapped_column(JSONType, default=list)
    document: Mapped[str | None] = mapped_column(String(20))
    allotted_minutes: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sent back to this step by a colleague (an outcome meaning "back"): ``returned_from`` is
    # the task whose completion sent it back, with who, when and why.
    reopened: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    returned_from_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(String(64))
    meaning: Mapped[Meaning | None] = mapped_column(enum_type(Meaning, "meaning", 16))
    # The officer's reason for a refuse, supplement or back outcome (the step's
    # ``reason_field``, or the completion's note), and the completion's note.
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    # Read-only, as on Dossier and HistoryEvent: rows are written through their foreign key
    # columns, so a flush has no relationship to follow (it halves a completion's flush).
    dossier: Mapped[Dossier] = relationship(back_populates="tasks", viewonly=True)
    returned_from: Mapped[Task | None] = relationship(remote_side="Task.id", viewonly=True)
    unit: Mapped[Agency] = relationship(viewonly=True)
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], viewonly=True)
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id],
                                                     viewonly=True)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def outcome_list(self) -> list[Outcome]:
        return outcomes_from(self.outcomes)
