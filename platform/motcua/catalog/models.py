"""Decisions (kept verbatim as the legal reference) and procedures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db import JSONType, UTCDateTime, db
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


class Procedure(db.Model):  # type: ignore[name-defined]
    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(255), default="")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    time_limit: Mapped[str] = mapped_column(String(20), default="0")
    time_limit_minutes: Mapped[int] = mapped_column(Integer, default=0)
    fee: Mapped[str] = mapped_column(Text, default="")
    online_level: Mapped[str] = mapped_column(String(10), default="none")
    legal_basis: Mapped[list[str]] = mapped_column(JSONType, default=list)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # The internal process table as published: [{no, work, responsible, role, unit, time, result}]
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # "active", "abolished" or "replaced"
    status: Mapped[str] = mapped_column(String(16), default="active")
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    handling_unit: Mapped[Agency | None] = relationship(foreign_keys=[handling_unit_id])
    decision: Mapped[Decision] = relationship()

    @property
    def accepts_dossiers(self) -> bool:
        return self.status == "active"
