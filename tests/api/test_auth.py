"""Authentication: bearer tokens, /me, session cookies with CSRF, password storage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from motcua.db import db, utcnow
from motcua.dossiers.models import Dossier
from motcua.org.models import ApiToken, User
from support.api import DESK, assert_error, bearer, count, dossier_body, issue_token
from support.web import Isolated, csrf_from, sign_in

TOKEN_PATH = "/api/v1/auth/token"


def test_token_issued_for_good_credentials(client: FlaskClient, sample: dict[str, Any]) -> None:
    response = client.post(TOKEN_PATH, json={"username": "mc.lan", "password": "demo-Lan-2026"})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token"}
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    # The token works.
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json()["username"] == "mc.lan"
    # Two logins give two different tokens.
    again = client.post(TOKEN_PATH, json={"username": "mc.lan", "password": "demo-Lan-2026"})
    assert again.status_code == 200
    assert again.get_json()["token"] != body["token"]


def test_bad_password_and_unknown_user_are_the_same_401(client: FlaskClient,
                                                        sample: dict[str, Any]) -> None:
    wrong = client.post(TOKEN_PATH, json={"username": "mc.lan", "password": "demo-Lan-2025"})
    unknown = client.post(TOKEN_PATH, json={"username": "khong.co", "password": "demo-Lan-2026"})
    empty = client.post(TOKEN_PATH, json={"username": "mc.lan", "password": ""})
    errors = [assert_error(r, 401) for r in (wrong, unknown, empty)]
    for error in errors:
        assert error["code"] == "unauthorized"
        assert "token" not in error
    # Nothing tells a wrong password from an unknown user.
    assert errors[0] == errors[1] == errors[2]


def test_token_request_without_password_is_422(client: FlaskClient,
                                               sample: dict[str, Any]) -> None:
    error = assert_error(client.post(TOKEN_PATH, json={"username": "mc.lan"}), 422)
    assert "password" in {d["field"] for d in error["details"]}


def test_inactive_user_gets_no_token(client: FlaskClient, sample: dict[str, Any]) -> None:
    user = db.session.scalar(select(User).where(User.username == "cv.dung"))
    assert user is not None
    user.is_active = False
    db.session.commit()
    error = assert_error(
        client.post(TOKEN_PATH, json={"username": "cv.dung", "password": "demo-Dung-2026"}), 401)
    assert error["code"] == "unauthorized"


def test_token_of_deactivated_user_stops_working(client: FlaskClient,
                                                 sample: dict[str, Any]) -> None:
    token = issue_token(client, "cv.dung", "demo-Dung-2026")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    user = db.session.scalar(select(User).where(User.username == "cv.dung"))
    assert user is not None
    user.is_active = False
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401)


def test_missing_or_garbage_credentials_are_401(app: Flask, sample: dict[str, Any]) -> None:
    client = Isolated(app.test_client())
    token = issue_token(app.test_client(), "mc.lan", "demo-Lan-2026")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    for headers in (
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Bearer {token}x"},
        {"Authorization": f"Basic {token}"},
        {"Authorization": token},
        {"Authorization": "Bearer " + "A" * 5000},
    ):
        error = assert_error(client.get("/api/v1/me", headers=headers), 401)
        assert error["code"] == "unauthorized", headers
    # A bad token is refused, not treated as anonymous, even where no login is needed.
    assert_error(client.get("/api/v1/lookup/000.00.12.H99-260302-0001",
                            headers={"Authorization": "Bearer nope"}), 401)


def test_expired_token_is_401(client: FlaskClient, sample: dict[str, Any]) -> None:
    token = issue_token(client, "mc.tuan", "demo-Tuan-2026")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    rows = db.session.scalars(
        select(ApiToken).join(User, User.id == ApiToken.user_id)
        .where(User.username == "mc.tuan")).all()
    assert len(rows) == 1
    # Tokens expire (default 12 hours), measured from when they were issued.
    lifetime = rows[0].expires_at - rows[0].created_at
    assert timedelta(hours=1) <= lifetime <= timedelta(days=1)
    rows[0].expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    error = assert_error(client.get("/api/v1/me", headers=bearer(token)), 401)
    assert error["code"] == "unauthorized"
    assert_error(client.get("/api/v1/tasks", headers=bearer(token)), 401)


def test_tokens_are_stored_as_digests(client: FlaskClient, sample: dict[str, Any]) -> None:
    token = issue_token(client, "mc.lan", "demo-Lan-2026")
    digests = list(db.session.scalars(select(ApiToken.digest)))
    assert digests and token not in digests
    assert all(token not in d for d in digests)


def _memberships(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m["agency"], m["role"]) for m in body["memberships"]}


def test_me_lists_memberships(client: FlaskClient, sample: dict[str, Any], api: Any) -> None:
    response = api.get("qt.binh", "/me")
    assert response.status_code == 200
    body = response.get_json()
    assert {"username", "full_name", "memberships"} <= set(body)
    assert body["username"] == "qt.binh"
    assert body["full_name"] == "Bùi Đức Bình"
    assert len(body["memberships"]) == 2
    assert _memberships(body) == {("000.00.12.H99", "designer"), ("000.00.12.H99", "admin")}
    assert "password" not in str(body).lower() and "hash" not in str(body).lower()

    xa = api.get("xa.hoa", "/me").get_json()
    assert _memberships(xa) == {("000.31.20.H99", "receiver"), ("000.00.20.H99", "specialist")}
    assert xa["full_name"] == "Đinh Thị Hoa"

    auditor = api.get("ks.nga", "/me").get_json()
    assert _memberships(auditor) == {("000.01.00.H99", "auditor")}


# --------------------------------------------------------------------------- sessions

def test_login_form_requires_csrf(app: Flask, sample: dict[str, Any]) -> None:
    client = Isolated(app.test_client())
    client.get("/login")
    response = client.post("/login", data={"username": "mc.lan", "password": "demo-Lan-2026"})
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_login_form_wrong_password(app: Flask, sample: dict[str, Any]) -> None:
    client = Isolated(app.test_client())
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "username": "mc.lan",
                                           "password": "sai"})
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    assert_error(client.get("/api/v1/me"), 401)


def test_session_cookie_reads_without_csrf(app: Flask, sample: dict[str, Any]) -> None:
    client = Isolated(app.test_client())
    sign_in(client, "mc.lan", "demo-Lan-2026")
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["username"] == "mc.lan"


def test_session_cookie_post_requires_csrf_header(app: Flask, sample: dict[str, Any]) -> None:
    client = Isolated(app.test_client())
    csrf_token = sign_in(client, "mc.lan", "demo-Lan-2026")
    before = count(Dossier)

    missing = client.post("/api/v1/dossiers", json=dossier_body())
    error = assert_error(missing, 400)
    assert error["code"] == "bad_request"
    assert "CSRF" in error["message"]
    wrong = client.post("/api/v1/dossiers", json=dossier_body(),
                        headers={"X-CSRFToken": "not-the-token"})
    assert_error(wrong, 400)
    assert count(Dossier) == before

    ok = client.post("/api/v1/dossiers", json=dossier_body(),
                     headers={"X-CSRFToken": csrf_token})
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["status"] == "received"
    assert ok.get_json()["desk"] == DESK
    assert count(Dossier) == before + 1

    # The claim endpoint (no body) is protected too.
    task_id = ok.get_json()["tasks"][0]["id"]
    assert_error(client.post(f"/api/v1/tasks/{task_id}/claim"), 400)
    claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers={"X-CSRFToken": csrf_token})
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["assignee"] == "mc.lan"


def test_csrf_token_from_before_login_is_refused_aftersign_in(app: Flask,
                                                            sample: dict[str, Any]) -> None:
    """Login renews the session (no fixation): the login page's token is spent."""
    client = Isolated(app.test_client())
    before_login = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": before_login, "username": "mc.lan",
                                           "password": "demo-Lan-2026"})
    assert response.status_code == 302
    stale = client.post("/api/v1/dossiers", json=dossier_body(),
                        headers={"X-CSRFToken": before_login})
    assert_error(stale, 400)


def test_csrf_token_of_another_session_is_refused(app: Flask, sample: dict[str, Any]) -> None:
    lan, tuan = Isolated(app.test_client()), Isolated(app.test_client())
    sign_in(lan, "mc.lan", "demo-Lan-2026")
    tuan_token = sign_in(tuan, "mc.tuan", "demo-Tuan-2026")
    response = lan.post("/api/v1/dossiers", json=dossier_body(),
                        headers={"X-CSRFToken": tuan_token})
    assert_error(response, 400)


def test_logout_ends_the_session(app: Flask, sample: dict[str, Any]) -> None:
    client = Isolated(app.test_client())
    token = sign_in(client, "mc.lan", "demo-Lan-2026")
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/logout").status_code == 405  # a link cannot log anyone out
    client.post("/logout", data={"csrf_token": token})
    assert_error(client.get("/api/v1/me"), 401)


# --------------------------------------------------------------------------- passwords


def test_passwords_are_stored_as_argon2_hashes(sample: dict[str, Any]) -> None:
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert len(users) == len(sample["users"])
    for entry in sample["users"]:
        stored = users[entry["username"]].password_hash
        assert stored.startswith("$argon2"), stored[:12]
        assert entry["password"] not in stored
    # Each hash is salted: no two users share one even with similar passwords.
    hashes = [u.password_hash for u in users.values()]
    assert len(set(hashes)) == len(hashes)
    # The clear text appears in no column of the user table.
    for entry in sample["users"]:
        row = db.session.execute(select(User.__table__).where(
            User.__table__.c.username == entry["username"])).one()
        assert all(entry["password"] not in str(value) for value in row), entry["username"]
