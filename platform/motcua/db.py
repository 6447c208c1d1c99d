"""The SQLAlchemy instance, naming convention, shared column types and locking helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import JSON, DateTime, Enum, MetaData, Select, TypeDecorator, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase

# The largest value of an INTEGER column (every id, every revision and version number):
# 32 bits on PostgreSQL; SQLite's are 64 bits, so the smaller bound holds on both.
INTEGER_MAX = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, except that one created with a ``bind`` uses it for every
    statement (Flask-SQLAlchemy's own ``get_bind`` always picks the configured engine). The
    application never passes one; the tests bind a session to a connection held in a
    transaction they roll back (see ``tests/support/database.py``)."""

    def get_bind(self, mapper: Any | None = None, clause: Any | None = None,
                 bind: Engine | Connection | None = None, **kwargs: Any) -> Engine | Connection:
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper, clause, bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum: type[StrEnum], name: str, length: int = 32) -> Enum:
    """A state column: its values as text, with a CHECK constraint ``ck_<table>_<name>`` that
    refuses anything else on every backend."""
    return Enum(enum, name=name, native_enum=False, create_constraint=True, length=length,
                validate_strings=True, values_callable=lambda members: [m.value for m in members])


def for_dialect(dialect: str) -> Any:
    """Alembic's ``include_object`` for a database of ``dialect``: an index the models create
    only on another database (``Index.ddl_if``) is not missing from this one."""

    def include(obj: Any, _name: str | None, kind: str, reflected: bool, _other: Any) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        return not (kind == "index" and not reflected and ddl_if is not None
                    and ddl_if.dialect not in (None, dialect))

    return include


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@contextmanager
def without_jit() -> Iterator[None]:
    """PostgreSQL's JIT off for the statements inside, then the transaction's setting put
    back; nothing on SQLite. A wide aggregate over a million rows (the indicators' FILTER
    counts, the statistics' CASE classes) spent longer compiling than running. When a
    statement inside fails, the setting is left to the rollback that follows: a statement
    sent to put it back would fail in the aborted transaction and hide the first error."""
    if not is_postgresql():
        yield
        return
    previous = db.session.scalar(text("SELECT current_setting('jit')"))
    db.session.execute(text("SELECT set_config('jit', 'off', true)"))
    yield
    db.session.execute(text("SELECT set_config('jit', :previous, true)"), {"previous": previous})


def for_update(stmt: Select[Any], *, skip_locked: bool = False, of: Any = None) -> Select[Any]:
    """Row lock on PostgreSQL (only on the rows of ``of`` when given: a table joined in to be
    read is not locked). SQLite has no row locks: callers take the database write lock first
    (see ``lock_for_write``) so the same read-modify-write is serial."""
    if is_postgresql():
        return stmt.with_for_update(skip_locked=skip_locked, of=of)
    return stmt


def lock_for_write() -> None:
    """On SQLite, make the transaction a writer now (BEGIN IMMEDIATE semantics) so two
    requests cannot both read a dossier and then both write it. Repeating it inside one
    transaction is harmless; the lock lasts until commit or rollback."""
    if not is_postgresql():
        # A no-op write takes SQLite's RESERVED lock for the rest of the transaction.
        db.session.execute(text("UPDATE motcua_write_lock SET n = n WHERE id = 1"))


def utcnow() -> datetime:
    return datetime.now(UTC)


class WriteLock(db.Model):  # type: ignore[name-defined]
    """One row that SQLite writers touch first: see ``lock_for_write``."""

    __tablename__ = "motcua_write_lock"

    id = db.Column(db.Integer, primary_key=True)
    n = db.Column(db.Integer, nullable=False, default=0)
