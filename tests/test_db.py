"""``motcua.db`` helpers that behave differently per database."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from motcua.db import db, is_postgresql, without_jit


def _jit() -> str | None:
    return db.session.scalar(text("SELECT current_setting('jit')")) if is_postgresql() else None


def test_without_jit_turns_it_off_for_its_statements_only(app: Flask) -> None:
    before = _jit()
    with without_jit():
        assert _jit() == ("off" if is_postgresql() else None)
        assert db.session.scalar(text("SELECT 1")) == 1
    assert _jit() == before


def test_a_failing_statement_inside_is_the_error_raised(app: Flask) -> None:
    """The setting is not put back in a failed transaction: that statement would fail too
    ("current transaction is aborted") and hide the statement's own error."""
    if not is_postgresql():
        pytest.skip("SQLite has no JIT: the helper does nothing there")
    before = _jit()
    savepoint = db.session.begin_nested()
    with pytest.raises(DBAPIError) as raised, without_jit():
        db.session.execute(text("SELECT 1 / 0"))
    assert "division by zero" in str(raised.value)
    savepoint.rollback()
    assert _jit() == before
