"""Shared fixtures: an app per database (SQLite always, PostgreSQL when reachable), a fake
clock, the shared sample data, and an API client that logs in as any user."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from motcua.app import create_app
from motcua.calendar.working_time import TZ
from motcua.clock import set_clock
from motcua.db import db

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples"


def _postgres_url() -> str | None:
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


def _fresh_postgres_database(base_url: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"motcua_test_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), admin


def _drop_postgres_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, **kwargs: float) -> None:
        self.at = self.at + timedelta(**kwargs)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    base = _postgres_url()
    if base is None:
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL)")
    url, admin = _fresh_postgres_database(base)
    yield url
    from sqlalchemy.engine import make_url

    _drop_postgres_database(admin, make_url(url).database or "")


@pytest.fixture(scope="session")
def app_session(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                      "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance"))})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    # Monday 16 March 2026, 09:00 in Hà Nội: inside working hours, after the sample
    # decision (101/QĐ-UBND) took effect on 10 March.
    return FakeClock(local(2026, 3, 16, 9, 0))


@pytest.fixture
def app(app_session: Flask, clock: FakeClock) -> Iterator[Flask]:
    set_clock(app_session, clock)
    with app_session.app_context():
        yield app_session
        db.session.rollback()
        _clean(app_session)
    set_clock(app_session, None)


def _clean(app: Flask) -> None:
    tables = [t for t in db.metadata.sorted_tables if t.name != "motcua_write_lock"]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
    app.extensions["motcua_versions"] = type(app.extensions["motcua_versions"])()
    app.extensions.pop("motcua_calendar", None)
    app.extensions.pop("motcua_login_throttle", None)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """Calls the HTTP API as a given user (bearer tokens, cached per user)."""

    def __init__(self, client: FlaskClient, passwords: dict[str, str]) -> None:
        self.client = client
        self.passwords = passwords
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/v1/auth/token", json={
                "username": username, "password": self.passwords[username]})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, username: str | None, path: str, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if username is not None:
            headers["Authorization"] = f"Bearer {self.token(username)}"
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, username: str | None, path: str, **kwargs: Any) -> Any:
        return self.call("GET", username, path, **kwargs)

    def post(self, username: str | None, path: str, **kwargs: Any) -> Any:
        return self.call("POST", username, path, **kwargs)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def sample_org() -> dict[str, Any]:
    return load_json(SAMPLES / "org.json")  # type: ignore[no-any-return]


@pytest.fixture
def sample(app: Flask, sample_org: dict[str, Any]) -> dict[str, Any]:
    """The shared sample province with its decision and the sample process published."""
    from motcua.catalog.operations import import_decision
    from motcua.org.operations import import_org
    from motcua.processes.operations import FormFile, upload_and_publish

    import_org(sample_org)
    text = (SAMPLES / "decision.json").read_text(encoding="utf-8")
    import_decision(json.loads(text), text)
    forms = [FormFile(p.name, p.read_bytes()) for p in sorted((SAMPLES / "forms").glob("*.json"))]
    bpmn = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"
    upload_and_publish("2.000488", bpmn.read_bytes(), bpmn.name, forms,
                       datetime(2026, 1, 1, tzinfo=UTC).date())
    db.session.commit()
    return sample_org


@pytest.fixture
def api(client: FlaskClient, sample_org: dict[str, Any]) -> Api:
    passwords = {u["username"]: u["password"] for u in sample_org["users"]}
    return Api(client, passwords)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SHARED.is_dir():
        raise pytest.UsageError(f"shared/ must sit beside the repository: {SHARED} is missing")
