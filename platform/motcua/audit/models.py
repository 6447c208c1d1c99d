"""What the audit keeps of its own: the auditors' access log, the signed daily heads of the
history's hash chains (with the chain heads they fold), and the province's audit settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import JSONType, UTCDateTime, db


class AccessLog(db.Model):  # type: ignore[name-defined]
    """One read by an auditor: who, when, what (never written into a dossier's history)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # What was read: the request's method and path with its query, the endpoint, and the
    # dossier it was about when there was one.
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(Text)
    endpoint: Mapped[str | None] = mapped_column(String(128))
    dossier_code: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[int] = mapped_column(Integer)


class TreeHead(db.Model):  # type: ignore[name-defined]
    """A signed tree head: the Merkle root (RFC 9162 hashing) over every dossier's chain head
    as of ``last_event_id``, signed with the installation's Ed25519 key."""

    __tablename__ = "tree_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Every history event with an id up to this one is covered.
    last_event_id: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)  # leaves: dossiers with a history
    root: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))  # SHA-256 of the raw public key, hex
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519, hex


class TreeLeaf(db.Model):  # type: ignore[name-defined]
    """A dossier's chain head (size, last hash) as a tree head saw it. Only the dossiers whose
    chain grew since the tree before are written; a tree's leaves are each dossier's latest
    leaf up to that tree."""

    __tablename__ = "tree_leaf"
    __table_args__ = (Index("ix_tree_leaf_dossier_tree", "dossier_id", "tree_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_id: Mapped[int] = mapped_column(ForeignKey("tree_head.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    size: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))


class AuditSetting(db.Model):  # type: ignore[name-defined]
    """A province-wide audit setting (update deadline, report calendar, indicator weights):
    defaults live in code, a row here overrides one."""

    __tablename__ = "audit_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
