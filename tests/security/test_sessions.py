"""Sessions that end (motcua.org.session): kept on the server, so that logout, a password
change, deactivation, idleness and age end them, copied cookies included; Secure cookies for
HTTPS; common passwords refused wherever a password is set."""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.clock import set_wall_clock
from motcua.config import load_settings
from motcua.db import db
from motcua.importing import ImportProblems
from motcua.org.models import User, UserSession
from motcua.org.operations import import_org
from motcua.org.throttle import DEVICE_COOKIE
from support.api import bearer, issue_token
from support.clock import FakeClock
from support.web import PASSWORDS, Browser, Isolated, text

NEW_PASSWORD = "Ngựa-ô-qua-cầu-2026"


def copy_of(app: Flask, browser: Browser) -> Isolated:
    """Another browser holding a copy of ``browser``'s session cookie."""
    cookie = browser.client.client.get_cookie("session")
    assert cookie is not None
    thief = Isolated(app.test_client())
    thief.client.set_cookie("session", cookie.value)
    return thief


def signed_in(client: Isolated) -> bool:
    return client.get("/api/v1/me").status_code == 200


@pytest.fixture
def wall(app: Flask, clock: FakeClock) -> Iterator[FakeClock]:
    """Sessions run on wall time (motcua.clock.wall_now); here, on the fake clock."""
    set_wall_clock(app, clock)
    try:
        yield clock
    finally:
        set_wall_clock(app, None)


def test_the_cookie_carries_only_a_session_id(app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "mc.lan")
    rows = db.session.scalars(select(UserSession)).all()
    assert len(rows) == 1 and rows[0].ended_at is None
    with browser.client.client.session_transaction() as session:
        assert set(session) <= {"sid", "csrf_token", "_flashes", "_permanent"}
        assert rows[0].digest != session["sid"]


def test_logout_ends_the_session_for_a_copied_cookie_too(app: Flask,
                                                         sample: dict[str, Any]) -> None:
    browser = Browser(app, "mc.lan")
    thief = copy_of(app, browser)
    assert signed_in(thief)
    assert browser.post("/logout").status_code == 302
    assert not signed_in(thief)
    assert thief.get("/").status_code == 302
    assert db.session.scalars(select(UserSession.ended_at)).one() is not None


def test_password_change_ends_other_sessions_and_revokes_tokens(app: Flask,
                                                                sample: dict[str, Any]) -> None:
    here, elsewhere = Browser(app, "cv.dung"), Browser(app, "cv.dung")
    other_user = Browser(app, "cv.mai")
    token = issue_token(app.test_client(), "cv.dung", PASSWORDS["cv.dung"])
    response = here.post("/password", {"current": PASSWORDS["cv.dung"], "new": NEW_PASSWORD,
                                       "repeat": NEW_PASSWORD})
    assert response.status_code == 302
    # This browser stays signed in, in a new session; every other one has ended.
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert signed_in(other_user.client)
    # The new password opens new sessions and tokens.
    fresh = issue_token(app.test_client(), "cv.dung", NEW_PASSWORD)
    assert app.test_client().get("/api/v1/me", headers=bearer(fresh)).status_code == 200


def test_deactivation_ends_sessions(app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "cv.mai")
    user = db.session.scalar(select(User).where(User.username == "cv.mai"))
    assert user is not None
    user.is_active = False
    db.session.flush()
    assert browser.get("/").status_code == 302
    assert not signed_in(browser.client)


def test_idle_sessions_end(app: Flask, sample: dict[str, Any], wall: FakeClock) -> None:
    browser = Browser(app, "mc.tuan")
    for _ in range(3):  # used every 29 minutes: it lives on
        wall.advance(minutes=29)
        assert browser.get("/").status_code == 200
    wall.advance(minutes=30)
    assert browser.get("/").status_code == 302
    assert not signed_in(browser.client)
    # Another session of the same officer was not touched by this one ending.
    assert Browser(app, "mc.tuan").get("/").status_code == 200


def test_sessions_end_after_their_lifetime(app: Flask, sample: dict[str, Any],
                                           wall: FakeClock) -> None:
    browser = Browser(app, "mc.tuan")
    for _ in range(11 * 3):  # busy all day, never idle
        wall.advance(minutes=20)
        assert browser.get("/").status_code == 200
    wall.advance(minutes=59)
    assert browser.get("/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(app: Flask, sample: dict[str, Any],
                                                    wall: FakeClock) -> None:
    browser = Browser(app, "mc.lan")
    row = db.session.scalars(select(UserSession)).one()
    started = row.last_seen_at
    wall.advance(seconds=50)
    assert browser.get("/").status_code == 200
    db.session.refresh(row)
    assert row.last_seen_at == started
    wall.advance(seconds=20)
    assert browser.get("/").status_code == 200
    db.session.refresh(row)
    assert row.last_seen_at > started


def test_secure_cookies(app: Flask, sample: dict[str, Any]) -> None:
    assert load_settings(env={"MOTCUA_DEV": "1", "MOTCUA_SECURE_COOKIES": "1"}
                         ).flask_config()["SESSION_COOKIE_SECURE"] is True
    assert load_settings(env={"MOTCUA_DEV": "1"}).flask_config()["SESSION_COOKIE_SECURE"] is False
    client = Isolated(app.test_client())
    previous = app.config["SESSION_COOKIE_SECURE"]
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = client.post("/api/v1/auth/token", json={"username": "mc.lan",
                                                           "password": PASSWORDS["mc.lan"]},
                               base_url="https://localhost")
        login = client.get("/login", base_url="https://localhost")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = previous
    cookies = response.headers.getlist("Set-Cookie") + login.headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert {DEVICE_COOKIE, "session"} <= names  # the session holds the CSRF token
    assert all("Secure" in c and "HttpOnly" in c for c in cookies), cookies


def test_common_passwords_are_refused_on_change(app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "cv.dung")
    for common in ("qwertyuiop", "Password123", "1q2w3e4r5t"):
        response = browser.post("/password", {"current": PASSWORDS["cv.dung"], "new": common,
                                              "repeat": common})
        assert response.status_code == 422, common
        assert "quá phổ biến" in text(response)
    assert issue_token(app.test_client(), "cv.dung", PASSWORDS["cv.dung"])


def test_common_passwords_are_refused_on_import(app: Flask, sample: dict[str, Any],
                                                sample_org: dict[str, Any]) -> None:
    doc = deepcopy(sample_org)
    doc["users"][1]["password"] = "1234567890"
    with pytest.raises(ImportProblems) as refused:
        import_org(doc)
    assert [p["field"] for p in refused.value.details] == ["$.users[1].password"]


def test_a_password_set_by_import_ends_sessions(app: Flask, sample: dict[str, Any],
                                                sample_org: dict[str, Any]) -> None:
    doc = deepcopy(sample_org)
    entry = next(u for u in doc["users"] if u["username"] == "cv.mai")
    browser = Browser(app, "cv.mai")
    token = issue_token(app.test_client(), "cv.mai", PASSWORDS["cv.mai"])
    entry["password"] = NEW_PASSWORD
    import_org(doc)
    assert browser.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
