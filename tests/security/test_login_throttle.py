"""The login throttle cannot be turned against officers (motcua.org.throttle): device cookies
after OWASP, accounts locked for untrusted clients only, a busy address slowed but never
refused, and forwarded headers believed only from as many proxies as configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from motcua.app import create_app
from motcua.db import db
from motcua.org.throttle import DEVICE_COOKIE, login_throttle
from support.web import PASSWORDS, Isolated, csrf_from

TOKEN = "/api/v1/auth/token"
HERE = "127.0.0.1"  # the test client's address


def token_login(client: FlaskClient, username: str, password: str,
                address: str = HERE) -> int:
    response = client.post(TOKEN, json={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": address})
    return response.status_code


def form_login(client: Isolated, username: str, password: str) -> int:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "username": username,
                                           "password": password})
    return response.status_code


def device_of(app: Flask, username: str) -> str:
    """A device cookie for ``username``, from a successful login on a client of its own."""
    client = app.test_client()
    assert token_login(client, username, PASSWORDS[username]) == 200
    cookie = client.get_cookie(DEVICE_COOKIE)
    assert cookie is not None
    return cookie.value


def with_device(app: Flask, device: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie(DEVICE_COOKIE, device)
    return client


def test_nat_address_under_attack_still_signs_officers_in(app: Flask,
                                                          sample: dict[str, Any]) -> None:
    """One commune's NAT: an attacker fails 1,000 times across 1,000 accounts from the
    address all its officers share. Guaranteed after it: an officer whose account the
    attacker did not try signs in at the first try, with or without a device cookie; an
    officer whose account was tried signs in from a device used before."""
    dung_device = device_of(app, "cv.dung")
    attacker = app.test_client()
    answers = [token_login(attacker, f"khach.{i:04d}", "doan-bua-123") for i in range(1000)]
    answers.append(token_login(attacker, "cv.dung", "doan-bua-123"))
    # Every first try of an account is answered (it is wrong), and the address is busy ...
    assert answers == [401] * 1001
    assert login_throttle().busy(HERE)
    # ... so a second guess at an account that failed here while busy is refused unchecked;
    # one that failed before (the first 30) has its one try of the busy hour, then that too.
    assert {token_login(attacker, f"khach.{i:04d}", "doan-bua-456")
            for i in range(30, 80)} == {429}
    assert [token_login(attacker, "khach.0000", guess) for guess in ("a-1", "b-2")] == [401, 429]
    assert token_login(attacker, "cv.dung", PASSWORDS["cv.dung"]) == 429

    # Officers the attacker did not try: right password, no device cookie, same address.
    assert token_login(app.test_client(), "mc.lan", PASSWORDS["mc.lan"]) == 200
    assert form_login(Isolated(app.test_client()), "mc.tuan", PASSWORDS["mc.tuan"]) == 302
    # The one it tried: from the device it signed in on before, on both ways in.
    assert token_login(with_device(app, dung_device), "cv.dung", PASSWORDS["cv.dung"]) == 200
    browser = Isolated(app.test_client())
    browser.client.set_cookie(DEVICE_COOKIE, dung_device)
    assert form_login(browser, "cv.dung", PASSWORDS["cv.dung"]) == 302


def test_an_account_locked_for_untrusted_clients_lets_its_devices_in(
        app: Flask, sample: dict[str, Any]) -> None:
    son_device = device_of(app, "gd.son")
    # Five failures from five addresses: no address is busy, the account is locked.
    for i in range(5):
        assert token_login(app.test_client(), "gd.son", "sai-mat-khau", f"10.0.0.{i}") == 401
    assert token_login(app.test_client(), "gd.son", PASSWORDS["gd.son"], "10.9.9.9") == 429
    assert token_login(with_device(app, son_device), "gd.son", PASSWORDS["gd.son"]) == 200
    # A device cookie names one account: another's, or a forged one, is no key to this one.
    assert token_login(with_device(app, device_of(app, "mc.lan")), "gd.son",
                       PASSWORDS["gd.son"]) == 429
    assert token_login(with_device(app, son_device[:-2] + "xx"), "gd.son",
                       PASSWORDS["gd.son"]) == 429
    # Other accounts are untouched.
    assert token_login(app.test_client(), "cv.mai", PASSWORDS["cv.mai"], "10.0.0.1") == 200


def test_a_device_has_its_own_limit(app: Flask, sample: dict[str, Any]) -> None:
    device = with_device(app, device_of(app, "cv.mai"))
    for _ in range(5):
        assert token_login(device, "cv.mai", "sai-mat-khau") == 401
    assert token_login(device, "cv.mai", PASSWORDS["cv.mai"]) == 429
    # Its failures neither lock the account for others nor make the address busy.
    assert not login_throttle().busy(HERE)
    assert token_login(app.test_client(), "cv.mai", PASSWORDS["cv.mai"]) == 200


def test_one_browser_remembers_a_few_accounts(app: Flask, sample: dict[str, Any]) -> None:
    """A desk computer two officers share: each keeps a trusted device there."""
    desk = app.test_client()
    assert token_login(desk, "mc.lan", PASSWORDS["mc.lan"]) == 200
    assert token_login(desk, "mc.tuan", PASSWORDS["mc.tuan"]) == 200
    for i in range(5):
        assert token_login(app.test_client(), "mc.lan", "sai", f"10.1.0.{i}") == 401
    assert token_login(desk, "mc.lan", PASSWORDS["mc.lan"]) == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(app: Flask,
                                                          sample: dict[str, Any]) -> None:
    attacker = app.test_client()
    for i in range(30):
        response = attacker.post(TOKEN, json={"username": f"khach.{i}", "password": "sai"},
                                 headers={"X-Forwarded-For": f"203.0.113.{i}"})
        assert response.status_code == 401
    # Counted under the address the request came from, not the ones it claimed.
    assert login_throttle().busy(HERE)
    assert not any(login_throttle().busy(f"203.0.113.{i}") for i in range(30))


@pytest.fixture
def proxied_app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """An app per proxy count, answering a request's address, scheme and host."""
    made: list[Flask] = []

    def make(proxies: int) -> Flask:
        app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                          "INSTANCE_PATH": str(tmp_path), "TRUSTED_PROXIES": proxies})
        app.add_url_rule("/_who", "who", lambda: {
            "addr": request.remote_addr, "scheme": request.scheme, "host": request.host})
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


FORWARDED = {"X-Forwarded-For": "198.51.100.7, 192.0.2.1", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "motcua.example.gov.vn"}


def test_forwarded_headers_are_believed_only_from_trusted_proxies(proxied_app: Any) -> None:
    plain = proxied_app(0).test_client().get("/_who", headers=FORWARDED).get_json()
    assert plain == {"addr": HERE, "scheme": "http", "host": "localhost"}
    # One proxy: its last hop is believed, and nothing the client put before it.
    one = proxied_app(1).test_client().get("/_who", headers=FORWARDED).get_json()
    assert one == {"addr": "192.0.2.1", "scheme": "https", "host": "motcua.example.gov.vn"}
    two = proxied_app(2).test_client().get("/_who", headers=FORWARDED).get_json()
    assert two["addr"] == "198.51.100.7"
