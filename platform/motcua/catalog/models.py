"""Decisions (kept verbatim as the legal reference), procedures, and each decision's version
of a procedure (its revision), so that the state in force on any date can be read."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from motcua.db import JSONType, UTCDateTime, db, enum_type
from motcua.org.models import Agency


class Decision(db.Model):  # type: ignore[name-defined]
    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    date: Mapped[dt.date] = mapped_column(Date)
    effective: Mapped[dt.date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(255))
    signer: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    # The imported file exactly as received: the reference auditors check against.
    source: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RevisionStatus(StrEnum):
    ACTIVE = "active"
    ABOLISHED = "abolished"
    REPLACED = "replaced"


# The state a decision sets for a procedure: what a revision records and the procedure row
# caches.
STATE_FIELDS = ("name", "field", "agency_id", "handling_unit_id", "time_limit",
                "time_limit_minutes", "fee", "online_level", "legal_basis", "documents", "steps")


class ProcedureState:
    """The columns of ``STATE_FIELDS``, shared by a revision and the procedure's cache of its
    latest one, with the agencies they name."""

    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(255), default="")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    time_limit: Mapped[str] = mapped_column(String(20), default="0")
    time_limit_minutes: Mapped[int] = mapped_column(Integer, default=0)
    fee: Mapped[str] = mapped_column(Text, default="")
    online_level: Mapped[str] = mapped_column(String(10), default="none")
    legal_basis: Mapped[list[str]] = mapped_column(JSONType, default=list)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # The internal process table as published: [{no, work, responsible, role, unit, time, result}]
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)

    @declared_attr
    def agency(cls: type[Any]) -> Mapped[Agency]:
        return relationship(foreign_keys=f"{cls.__name__}.agency_id")

    @declared_attr
    def handling_unit(cls: type[Any]) -> Mapped[Agency | None]:
        return relationship(foreign_keys=f"{cls.__name__}.handling_unit_id")


class Procedure(ProcedureState, db.Model):  # type: ignore[name-defined]
    """A procedure's identity (its code). The other columns cache its latest revision (the
    state the catalogue will end up in); rules that depend on the legal state read the
    revision in force on the date instead (``catalog.operations.procedure_in_force``)."""

    __tablename__ = "procedure"
    __table_args__ = (Index("ix_procedure_agency_id", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # A RevisionStatus value: the latest revision's.
    status: Mapped[str] = mapped_column(String(16), default=RevisionStatus.ACTIVE.value)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))

    decision: Mapped[Decision] = relationship()
    revisions: Mapped[list[ProcedureRevision]] = relationship(
        back_populates="procedure", foreign_keys="ProcedureRevision.procedure_id",
        order_by="ProcedureRevision.effective")


class ProcedureRevision(ProcedureState, db.Model):  # type: ignore[name-defined]
    """One decision's version of one procedure, in force from ``effective`` until a later
    revision of the same procedure takes effect."""

    __tablename__ = "procedure_revision"
    __table_args__ = (
        UniqueConstraint("procedure_id", "decision_id"),
        Index("ix_procedure_revision_procedure_effective", "procedure_id", "effective"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    # The decision's effective date, copied so "in force on" is one indexed comparison.
    effective: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[RevisionStatus] = mapped_column(enum_type(RevisionStatus, "status", 16))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))

    procedure: Mapped[Procedure] = relationship(back_populates="revisions",
                                                foreign_keys=[procedure_id])
    decision: Mapped[Decision] = relationship()
    replaced_by: Mapped[Procedure | None] = relationship(foreign_keys=[replaced_by_id])

    @property
    def code(self) -> str:
        return self.procedure.code

    @property
    def accepts_dossiers(self) -> bool:
        return self.status is RevisionStatus.ACTIVE

    def state(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in STATE_FIELDS}
