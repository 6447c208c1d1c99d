"""The database under the tests: a fresh PostgreSQL database per run, and the two ways a test
uses it.

Most tests run inside one transaction that is rolled back at the end (``rolled_back``): one
connection, an outer transaction on it, and one session bound to it with
``join_transaction_mode="create_savepoint"``, so ``db.session.commit()`` in the request
handler or the CLI only releases a savepoint and ``rollback()`` returns to the last one
(warehouse's ``db_session`` fixture). Every request sees the test's rows, whichever thread it
runs in, because every app context gets that same session (see ``_OneSession``).

The few tests that need real commits across connections (requests racing in threads, workers
running at once) commit for real and the tables are emptied afterwards (``truncate``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

from motcua.db import db
from motcua.history.maintenance import maintenance_session


def postgres_url() -> str | None:
    """``TEST_DATABASE_URL``, or the local server when it answers; None without one."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             connect_timeout=2):
            return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    except Exception:
        return None


def fresh_postgres_database(base_url: str) -> tuple[str, str]:
    """A new empty database on ``base_url``'s server: its URL, and the admin URL to drop it."""
    import psycopg

    url = make_url(base_url)
    name = f"motcua_test_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), admin


@contextmanager
def database_of_its_own(backend: str, sqlite_file: Path) -> Iterator[str]:
    """The URL of an empty database for one test: ``sqlite_file``, or a fresh PostgreSQL
    database (the test is skipped without a server), dropped when the block ends."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    import pytest

    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL)")
    url, admin = fresh_postgres_database(base)
    try:
        yield url
    finally:
        drop_postgres_database(admin, make_url(url).database or "")


@contextmanager
def app_on_empty_database(backend: str, folder: Path) -> Iterator[Flask]:
    """An application on a database of its own, empty (no migration run), inside an app
    context: a SQLite file in ``folder`` or a fresh PostgreSQL database, dropped afterwards.
    For the migrations' tests, which upgrade and downgrade it themselves."""
    from motcua.app import create_app

    with database_of_its_own(backend, folder / "migrate.sqlite3") as url:
        app = create_app({"TESTING": True, "DATABASE_URL": url,
                          "INSTANCE_PATH": str(folder / "instance")})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def drop_postgres_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _OneSession:
    """Stands in for ``db.session``'s registry while a test runs: every app context, in any
    thread, gets the test's one session. Flask-SQLAlchemy keys sessions by app context, so a
    request run in a thread of its own (``support.web.Isolated``) would otherwise open a
    session, and a connection, that cannot see the test's uncommitted rows; and two sessions
    stacking savepoints on one connection would undo each other's "commits".

    ``has()`` answers False so that ``db.session.remove()`` at the end of such an app context
    leaves the session open: the test still holds its objects. ``rolled_back`` closes it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(self) -> Session:
        return self.session

    def has(self) -> bool:
        return False

    def set(self, session: Session) -> None:
        raise RuntimeError("the test's session is fixed: db.session(**options) is not supported")

    def clear(self) -> None:
        pass


@contextmanager
def rolled_back() -> Iterator[Connection]:
    """Run the body in one transaction that is rolled back afterwards (inside an app context).

    On SQLite, pysqlite's own transaction handling has to be switched off on this connection
    (SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL" recipe): by default
    it begins a transaction only before a data-changing statement, so the outer transaction
    would not exist when the first SAVEPOINT is sent and its RELEASE would commit for real.
    With ``isolation_level = None`` the driver leaves transactions alone and we send BEGIN."""
    connection = db.engine.connect()
    sqlite = connection.connection.driver_connection if connection.dialect.name == "sqlite" else None
    previous_isolation = sqlite.isolation_level if sqlite is not None else None
    if sqlite is not None:
        sqlite.isolation_level = None
    outer = connection.begin()
    if sqlite is not None:
        connection.exec_driver_sql("BEGIN")
    session = db.session.session_factory(bind=connection, join_transaction_mode="create_savepoint")
    registry = db.session.registry
    db.session.registry = _OneSession(session)  # type: ignore[assignment]
    try:
        yield connection
    finally:
        db.session.registry = registry
        session.close()
        outer.rollback()
        if sqlite is not None:
            sqlite.isolation_level = previous_isolation
        connection.close()


def truncate() -> None:
    """Empty every table but the SQLite writer-lock row's, with real commits (in a
    maintenance session: the history is append-only)."""
    db.session.rollback()
    tables = [t for t in db.metadata.sorted_tables if t.name != "motcua_write_lock"]
    with db.engine.begin() as conn, maintenance_session(conn):
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


def reset_caches(app: Flask) -> None:
    """Forget what the app cached from the database: a rolled-back process version's id can
    come back in the next test with another definition, and so can a calendar or a login
    or lookup throttle's counts."""
    extensions: dict[str, Any] = app.extensions
    extensions["motcua_versions"] = type(extensions["motcua_versions"])()
    extensions.pop("motcua_calendar", None)
    extensions.pop("motcua_login_throttle", None)
    extensions.pop("motcua_lookup_throttle", None)
