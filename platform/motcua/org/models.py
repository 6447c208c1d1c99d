"""Province, agencies, users, memberships, API tokens and browser sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db import JSONType, UTCDateTime, db

ROLES = ("receiver", "specialist", "unit_head", "leader", "clerk", "designer", "auditor", "admin",
         "sysadmin")
OFFICER_ROLES = ("receiver", "specialist", "unit_head", "leader", "clerk")


class Province(db.Model):  # type: ignore[name-defined]
    """The one province this installation serves, with its working hours."""

    __tablename__ = "province"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    working_hours: Mapped[list[list[str]]] = mapped_column(JSONType)


class Agency(db.Model):  # type: ignore[name-defined]
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(100), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)

    parent: Mapped[Agency | None] = relationship(
        back_populates="children", remote_side="Agency.id"
    )
    children: Mapped[list[Agency]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    # "officer" works in agencies; "applicant" is a citizen or business account.
    kind: Mapped[str] = mapped_column(String(16), default="officer")
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    # Loaded with the user where scoping needs them (authentication joins them in).
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def roles_at(self) -> set[tuple[str, int]]:
        return {(m.role, m.agency_id) for m in self.memberships}

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)

    def agencies_with(self, *roles: str) -> set[int]:
        return {m.agency_id for m in self.memberships if m.role in roles}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Membership(db.Model):  # type: ignore[name-defined]
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "agency_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="memberships")
    agency: Mapped[Agency] = relationship(lazy="joined")


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class UserSession(db.Model):  # type: ignore[name-defined]
    """A browser's signed-in session, kept on the server so that it can end: the session
    cookie carries only its random id, and only the id's SHA-256 digest is stored."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
