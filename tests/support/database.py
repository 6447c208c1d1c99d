"""The database under the tests: a fresh PostgreSQL database per run, the tables emptied
after each test, the app's caches of database rows forgotten."""

from __future__ import annotations

import os
import uuid
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url

from motcua.db import db


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


def drop_postgres_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate() -> None:
    """Empty every table but the SQLite writer-lock row's, with real commits."""
    db.session.rollback()
    tables = [t for t in db.metadata.sorted_tables if t.name != "motcua_write_lock"]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


def reset_caches(app: Flask) -> None:
    """Forget what the app cached from the database: a rolled-back process version's id can
    come back in the next test with another definition, and so can a calendar or a login
    throttle's counts."""
    extensions: dict[str, Any] = app.extensions
    extensions["motcua_versions"] = type(extensions["motcua_versions"])()
    extensions.pop("motcua_calendar", None)
    extensions.pop("motcua_login_throttle", None)
