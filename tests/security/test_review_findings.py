"""Findings of the hardening review, each replayed as an attacker found it: the password
page as an unthrottled password oracle, a session left alive by the next officer's login at
the same browser, tries sent together passing the throttle's check before any failure is
counted, an IPv6 client choosing a new address for every try, and processes starting
together on a new instance reading a half-made development key."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.config import DEV_KEY_FILE, ConfigError, dev_secret_key
from motcua.db import db
from motcua.errors import TooManyRequests, Unauthorized
from motcua.org import auth
from motcua.org.models import UserSession
from motcua.org.throttle import client_key, login_throttle
from support.web import PASSWORDS, Browser, Isolated, csrf_from, sign_in

NEW_PASSWORD = "Ngựa-ô-qua-cầu-2026"


def signed_in(client: Isolated) -> bool:
    return client.get("/api/v1/me").status_code == 200


def test_the_current_password_cannot_be_guessed_on_the_password_page(
        app: Flask, sample: dict[str, Any]) -> None:
    """Whoever holds a session (a desk left signed in) guessed the current password on
    /password without limit (30 tries, 30 answers); now under the login's counts."""
    browser = Browser(app, "cv.dung")
    answers = [browser.post("/password", {"current": f"doan-{i}", "new": NEW_PASSWORD,
                                          "repeat": NEW_PASSWORD}).status_code
               for i in range(8)]
    assert answers == [422] * 5 + [429] * 3
    # Refused unchecked: the right password does not get through either, nor is it changed.
    refused = browser.post("/password", {"current": PASSWORDS["cv.dung"], "new": NEW_PASSWORD,
                                         "repeat": NEW_PASSWORD})
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.get_data(as_text=True)
    assert browser.get("/").status_code == 200
    assert app.test_client().post("/api/v1/auth/token", json={
        "username": "cv.dung", "password": PASSWORDS["cv.dung"]}).status_code == 200


def test_signing_in_over_a_session_ends_it(app: Flask, sample: dict[str, Any]) -> None:
    """A shared desk: the next officer signs in without the first one logging out. The first
    session's row stayed alive, so a copy of its cookie still worked."""
    desk = Isolated(app.test_client())
    sign_in(desk, "mc.lan", PASSWORDS["mc.lan"])
    cookie = desk.client.get_cookie("session")
    assert cookie is not None
    copy = Isolated(app.test_client())
    copy.client.set_cookie("session", cookie.value)
    assert signed_in(copy)
    # The login form is posted over the session (GET /login sends a signed-in browser home).
    token = csrf_from(desk.get("/").get_data(as_text=True))
    assert desk.post("/login", data={"csrf_token": token, "username": "mc.tuan",
                                     "password": PASSWORDS["mc.tuan"]}).status_code == 302
    assert not signed_in(copy)
    assert signed_in(desk)
    ended = db.session.scalars(select(UserSession.ended_at).order_by(UserSession.id)).all()
    assert ended[0] is not None and ended[1] is None


def test_tries_sent_together_count_as_many(app: Flask, sample: dict[str, Any],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """16 wrong passwords sent at once: 11 were checked against a limit of 5 a minute, all
    having passed the throttle's check before the first failure was counted."""

    def slow_refusal(username: str, password: str) -> Any:
        time.sleep(0.05)  # a password hash's time, during which the others arrive
        raise Unauthorized("Sai tên đăng nhập hoặc mật khẩu")

    monkeypatch.setattr(auth, "authenticate", slow_refusal)
    answers: list[str] = []
    start = threading.Barrier(16)

    def one_try(i: int) -> None:
        with app.test_request_context("/api/v1/auth/token", method="POST",
                                      environ_base={"REMOTE_ADDR": f"10.2.0.{i}"}):
            start.wait()
            try:
                auth.sign_in("cv.mai", f"doan-{i}")
            except Unauthorized:
                answers.append("checked")
            except TooManyRequests:
                answers.append("refused")

    threads = [threading.Thread(target=one_try, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == ["checked"] * 5 + ["refused"] * 11


@pytest.mark.parametrize(("address", "key"), [
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("192.0.2.7", "192.0.2.7"),
    (None, "unknown"),
])
def test_an_ipv6_client_is_counted_by_its_prefix(address: str | None, key: str) -> None:
    assert client_key(address) == key


def test_an_ipv6_client_cannot_walk_its_addresses(app: Flask, sample: dict[str, Any]) -> None:
    """One subscriber's /64 holds 2**64 addresses: a new one for every try got around both
    the lookup's limit and the login's busy address."""
    client = app.test_client()
    answers = [client.get(f"/api/v1/lookup/KHONG-CO-{i}",
                          environ_base={"REMOTE_ADDR": f"2001:db8:7:7::{i:x}"}).status_code
               for i in range(32)]
    assert answers == [404] * 30 + [429] * 2
    for i in range(30):
        client.post("/api/v1/auth/token", json={"username": f"khach.{i}", "password": "sai"},
                    environ_base={"REMOTE_ADDR": f"2001:db8:7:7::{i:x}"})
    assert login_throttle().busy("2001:db8:7:7::/64")


def _start_together(instance: Path, processes: int) -> tuple[list[str], list[Exception]]:
    """``dev_secret_key`` called by ``processes`` threads at once: their keys and refusals."""
    start = threading.Barrier(processes)
    keys: list[str] = []
    refused: list[Exception] = []

    def begin() -> None:
        start.wait()
        try:
            keys.append(dev_secret_key(instance))
        except ConfigError as exc:
            refused.append(exc)

    threads = [threading.Thread(target=begin) for _ in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return keys, refused


def test_processes_starting_together_read_one_whole_development_key(
        tmp_path: Path, database_url: str) -> None:
    """serve and worker started together on a new instance: one of them read the key file
    the other had created but not yet written, and refused to start (19 runs in 50)."""
    for run in range(20):
        instance = tmp_path / f"i{run}"
        keys, refused = _start_together(instance, 4)
        assert refused == []
        assert len(keys) == 4 and len(set(keys)) == 1
        assert sorted(p.name for p in instance.iterdir()) == [DEV_KEY_FILE]
        assert stat.S_IMODE((instance / DEV_KEY_FILE).stat().st_mode) == 0o600
