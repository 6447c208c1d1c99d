"""Drafts: a procedure's process while a designer works on it. Each save is a numbered
revision kept for good, so no change is ever lost and two designers never overwrite each
other silently (a save names the revision it was made from)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.catalog.models import Procedure
from motcua.db import JSONType, UTCDateTime, db
from motcua.org.models import User
from motcua.processes.models import ProcessVersion


class ProcessDraft(db.Model):  # type: ignore[name-defined]
    """The latest revision of a draft, with the problems its last check found.

    ``published_version_id`` is set when the draft became a version; a published draft takes
    no more saves (copy the version into a new draft instead)."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    filename: Mapped[str] = mapped_column(String(255))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    # key -> {"schema": {...}, "ui": {...}?}
    forms: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # Where it came from: "blank", "generated", "copy", "upload".
    origin: Mapped[str] = mapped_column(String(16), default="blank")
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    published_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    procedure: Mapped[Procedure] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    published_version: Mapped[ProcessVersion | None] = relationship(
        foreign_keys=[published_version_id])

    @property
    def is_published(self) -> bool:
        return self.published_version_id is not None


class DraftRevision(db.Model):  # type: ignore[name-defined]
    """What one save wrote, exactly."""

    __tablename__ = "draft_revision"
    __table_args__ = (UniqueConstraint("draft_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("process_draft.id"))
    revision: Mapped[int] = mapped_column(Integer)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
