"""The test harness itself: a test's commits stay in its transaction and go with its rollback,
on each backend; requests see the test's rows whichever thread they run in; a rollback after a
request keeps what the request committed, as it would against a real database."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from motcua.db import db
from motcua.org.models import ApiToken
from support.api import count, issue_token
from support.database import rolled_back
from support.web import Isolated

LOCK = text("SELECT n FROM motcua_write_lock WHERE id = 1")


def test_a_commit_stays_in_the_tests_transaction(app_session: Flask) -> None:
    with app_session.app_context():
        with db.engine.connect() as other:
            before = other.scalar(LOCK)
        with rolled_back():
            db.session.execute(text("UPDATE motcua_write_lock SET n = n + 7 WHERE id = 1"))
            db.session.commit()  # releases a savepoint, no more
            assert db.session.scalar(LOCK) == before + 7
            db.session.execute(text("UPDATE motcua_write_lock SET n = n + 1 WHERE id = 1"))
            db.session.rollback()  # back to the last "commit"
            assert db.session.scalar(LOCK) == before + 7
            with db.engine.connect() as other:  # nothing reached the database
                assert other.scalar(LOCK) == before
        with db.engine.connect() as other:
            assert other.scalar(LOCK) == before
        assert db.session.scalar(LOCK) == before


def test_a_savepoint_inside_the_test_rolls_back_alone(app: Flask) -> None:
    before = db.session.scalar(LOCK)
    db.session.execute(text("UPDATE motcua_write_lock SET n = n + 1 WHERE id = 1"))
    with db.session.begin_nested() as savepoint:
        db.session.execute(text("UPDATE motcua_write_lock SET n = n + 1 WHERE id = 1"))
        savepoint.rollback()
    db.session.commit()
    assert db.session.scalar(LOCK) == before + 1


def test_requests_in_other_threads_see_the_tests_rows(app: Flask,
                                                      sample: dict[str, Any]) -> None:
    # The sample province was "committed" into the test's transaction only: a request in a
    # thread of its own logs in against it, and its own commit survives the test's rollback.
    issue_token(Isolated(app.test_client()), "mc.lan", "demo-Lan-2026")
    assert count(ApiToken) == 1
    db.session.rollback()
    assert len(db.session.scalars(select(ApiToken)).all()) == 1


@pytest.mark.committed
def test_a_committed_test_commits_for_real(app: Flask, sample: dict[str, Any]) -> None:
    with db.engine.connect() as other:
        assert other.scalar(text("SELECT count(*) FROM agency")) > 0
