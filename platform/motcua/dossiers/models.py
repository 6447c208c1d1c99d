"""Dossiers, their per-agency daily code sequence, issued documents and attachments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from motcua.catalog.models import Procedure
from motcua.db import JSONType, UTCDateTime, db, enum_type
from motcua.folding import fold
from motcua.org.models import Agency, User
from motcua.processes.models import ProcessVersion

if TYPE_CHECKING:
    from motcua.tasks.models import Task


class DossierStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    REFUSED = "refused"
    STOPPED = "stopped"
    DONE = "done"  # the result is ready
    RETURNED = "returned"  # the result was handed to the applicant


class Channel(StrEnum):
    DIRECT = "direct"
    POSTAL = "postal"
    ONLINE = "online"


class AttachmentKind(StrEnum):
    """What a file is: a document of the dossier (what the applicant handed in, scanned), or
    the electronic copy of its result (counted for Decision 766's digitised results)."""

    DOSSIER = "dossier"
    RESULT = "result"


STATUSES = tuple(s.value for s in DossierStatus)
CHANNELS = tuple(c.value for c in Channel)
# Statuses after which nothing more happens to a dossier.
FINISHED = (DossierStatus.REFUSED, DossierStatus.STOPPED, DossierStatus.RETURNED)


class Dossier(db.Model):  # type: ignore[name-defined]
    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_agency_received", "agency_id", "received_at"),
        # The desk's tracking book (Mẫu 07) and the receipt's book number, by period.
        Index("ix_dossier_desk_received", "desk_id", "received_at"),
        # Finding dossiers by period, and the statistics' scans of a period.
        Index("ix_dossier_received", "received_at"),
        Index("ix_dossier_finished", "finished_at"),
        Index("ix_dossier_name_search", "applicant_name_search"),
        # A name searched anywhere in it ("van binh"), not only from its start.
        Index("ix_dossier_name_trgm", "applicant_name_search", postgresql_using="gin",
              postgresql_ops={"applicant_name_search": "gin_trgm_ops"}
              ).ddl_if(dialect="postgresql"),
        # A code searched by its start: the unique index's collation cannot serve LIKE 'x%'
        # on PostgreSQL (SQLite's LIKE is served by the unique index).
        Index("ix_dossier_code_pattern", "code",
              postgresql_ops={"code": "varchar_pattern_ops"}).ddl_if(dialect="postgresql"),
        Index(
            "ix_dossier_timer_due", "timer_due_at",
            postgresql_where=text("timer_due_at IS NOT NULL"),
            sqlite_where=text("timer_due_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    # The agency competent to process the dossier (its code prefixes the dossier code).
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    # The one-stop desk that received it (@desk).
    desk_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    # The procedure's handling unit (@handling) and legal time limit when it was received:
    # like its process version, a dossier keeps them to the end.
    handling_unit_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    time_limit_minutes: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel", 10))
    status: Mapped[DossierStatus] = mapped_column(enum_type(DossierStatus, "status", 24),
                                                  index=True)
    applicant_name: Mapped[str] = mapped_column(String(255), index=True)
    # The name folded for search (``motcua.folding``), kept in step by ``_fold_name``.
    applicant_name_search: Mapped[str] = mapped_column(String(255), default="")
    applicant_id_number: Mapped[str | None] = mapped_column(String(32))
    applicant_phone: Mapped[str | None] = mapped_column(String(32))
    applicant_email: Mapped[str | None] = mapped_column(String(255))
    applicant_address: Mapped[str | None] = mapped_column(Text)
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"),
                                                          index=True)
    # The documents handed in, as printed on the receipt: [{"name", "original", "copy"}].
    received_documents: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONType, deferred=True)
    # How many sets of papers were handed in (printed on the receipt).
    received_sets: Mapped[int | None] = mapped_column(Integer)
    # The two large JSON columns load on access, so worklists and lists stay cheap.
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, deferred=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the legal clock (re)started: reception (for an online dossier, its acceptance by
    # the desk), or the complete resubmission after a supplement request (the clock restarts
    # from zero). Null while it has not started.
    clock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The appointment in force (an apology moves it).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The appointment printed on the latest receipt (Mẫu 01): set when the clock starts, again
    # when it restarts after a complete supplement, never moved by an apology. The on-time
    # rules count against it. Null while the clock is stopped or has not started.
    first_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The task whose outcome meant "refuse": when the flow ends with it set, the dossier is
    # refused (a later send-back to that step or an earlier one clears it).
    refusal_task_id: Mapped[int | None] = mapped_column(Integer)
    # When the result was ready (the step declaring ``document=result`` completed): the
    # on-time rules judge handling then, since returning it is outside the legal time limit.
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_step: Mapped[str | None] = mapped_column(Text)
    # SpiffWorkflow state without the spec (the spec lives once in process_version).
    workflow_state: Mapped[dict[str, Any]] = mapped_column(JSONType, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Counted as they happen, for the statistics and indicators over a period: supplement
    # requests (more than one makes the dossier late, Decision 766), apologies (Mẫu 04), and
    # the working minutes the legal clock ran (the handling time, without the citizen's
    # supplement time), added when the clock stops and when the dossier finishes.
    supplement_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    apology_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    clocked_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Its attachments of each kind (``Attachment.kind``), counted by ``save_attachments``: the
    # indicators' digitised dossiers and results read them on the rows they scan instead of
    # probing the attachments of every dossier of a period.
    dossier_files: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    result_files: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    # Read-only: the foreign key columns are what is written (see Task's relationships).
    procedure: Mapped[Procedure] = relationship(viewonly=True)
    process_version: Mapped[ProcessVersion] = relationship(viewonly=True)
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id], viewonly=True)
    desk: Mapped[Agency] = relationship(foreign_keys=[desk_id], viewonly=True)
    applicant_user: Mapped[User | None] = relationship(foreign_keys=[applicant_user_id],
                                                       viewonly=True)
    tasks: Mapped[list[Task]] = relationship(back_populates="dossier", order_by="Task.id",
                                             viewonly=True)

    @validates("applicant_name")
    def _fold_name(self, _key: str, value: str) -> str:
        self.applicant_name_search = fold(value)[:255]
        return value

    @property
    def applicant(self) -> dict[str, str | None]:
        return {
            "name": self.applicant_name,
            "id_number": self.applicant_id_number,
            "phone": self.applicant_phone,
            "email": self.applicant_email,
            "address": self.applicant_address,
        }


class DossierSequence(db.Model):  # type: ignore[name-defined]
    """Per-agency, per-day counter behind the dossier code; bumped with one atomic upsert."""

    __tablename__ = "dossier_sequence"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class IssuedDocument(db.Model):  # type: ignore[name-defined]
    """A standard document issued at a step (receipt, supplement request, ...), kept to re-print."""

    __tablename__ = "issued_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The task whose completion issued it (none for an apology or a stop notice).
    task_id: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    step: Mapped[str | None] = mapped_column(String(255))
    # A snapshot of the fields printed on the document at the time it was issued.
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Attachment(db.Model):  # type: ignore[name-defined]
    """A scanned or uploaded file of a dossier. The bytes live in the attachment store under
    ``storage_key`` (never executed, never served inline); the row keeps what was checked."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"),
                                            index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[AttachmentKind] = mapped_column(
        enum_type(AttachmentKind, "kind", 10), default=AttachmentKind.DOSSIER,
        server_default=AttachmentKind.DOSSIER.value)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    uploaded_by: Mapped[User | None] = relationship()
