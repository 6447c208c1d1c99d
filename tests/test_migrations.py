"""The Alembic migrations create exactly what the models describe, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from motcua.db import db, for_dialect


def test_models_match_migrations(app: Flask) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": for_dialect(conn.dialect.name)})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
