"""Process versions (BPMN + e-forms), immutable once published."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.catalog.models import Procedure
from motcua.db import JSONType, UTCDateTime, db, enum_type
from motcua.org.models import User


class VersionStatus(StrEnum):
    # Checked and stored, not yet published (the integration path's upload).
    DRAFT = "draft"
    # Immutable; new dossiers start on it from its effective date.
    PUBLISHED = "published"
    # Takes no new dossiers; the dossiers started on it run to the end on it.
    RETIRED = "retired"


class ProcessVersion(db.Model):  # type: ignore[name-defined]
    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("procedure_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(enum_type(VersionStatus, "status", 16),
                                                  default=VersionStatus.DRAFT)
    effective: Mapped[date | None] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(255))
    # Large and only read on a cache miss or for download: loaded on access.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    # Other BPMN documents reached by call activities: [{"filename", "xml"}]
    library: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list, deferred=True)
    bpmn_sha256: Mapped[str] = mapped_column(String(64))
    process_id: Mapped[str | None] = mapped_column(String(255))
    process_name: Mapped[str | None] = mapped_column(Text)
    # SpiffWorkflow's serialized spec, stored once per version instead of in every dossier.
    spec: Mapped[dict[str, Any] | None] = mapped_column(JSONType, deferred=True)
    # Dialect metadata per user task (role, unit, form, allotted, outcomes, ...).
    steps: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    timers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    start_form: Mapped[str | None] = mapped_column(String(100))
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    procedure: Mapped[Procedure] = relationship()
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    forms: Mapped[list[Form]] = relationship(
        back_populates="process_version", cascade="all, delete-orphan"
    )


class Form(db.Model):  # type: ignore[name-defined]
    """A JSON-Schema e-form as uploaded with one process version."""

    __tablename__ = "form"
    __table_args__ = (UniqueConstraint("process_version_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_version_id: Mapped[int] = mapped_column(
        ForeignKey("process_version.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(100))
    schema: Mapped[dict[str, Any]] = mapped_column(JSONType)
    ui: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    process_version: Mapped[ProcessVersion] = relationship(back_populates="forms")
