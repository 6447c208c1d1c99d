"""Fixtures: an app per database (SQLite always, PostgreSQL when reachable), each test in a
transaction rolled back at the end (or, marked ``committed``, with real commits and the tables
emptied afterwards), a fake clock, the sample province, and factories for API clients and
walkers. The helpers they use live in ``tests/support/``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from motcua.app import create_app
from motcua.clock import set_clock
from motcua.db import db
from support.api import Api
from support.clock import FakeClock, local
from support.database import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_url,
    reset_caches,
    rolled_back,
    truncate,
)
from support.paths import SAMPLES, SHARED, load_json, passwords
from support.sample import load_province
from support.walk import Walker


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "committed: real commits across connections (threads racing, workers at "
                   "once); the tables are emptied afterwards instead of a rollback")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL)")
    url, admin = fresh_postgres_database(base)
    yield url
    drop_postgres_database(admin, make_url(url).database or "")


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
def app(request: pytest.FixtureRequest, app_session: Flask, clock: FakeClock) -> Iterator[Flask]:
    """The app, inside an application context, on a transaction rolled back after the test;
    a test marked ``committed`` commits for real and the tables are emptied afterwards."""
    set_clock(app_session, clock)
    try:
        with app_session.app_context():
            if request.node.get_closest_marker("committed"):
                try:
                    yield app_session
                finally:
                    truncate()
            else:
                with rolled_back():
                    yield app_session
    finally:
        reset_caches(app_session)
        set_clock(app_session, None)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sample_org() -> dict[str, Any]:
    return load_json(SAMPLES / "org.json")


@pytest.fixture
def province(app: Flask, sample_org: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """Loads the sample organisation with a decision and published processes: by default
    the sample decision and 2.000488; see ``support.sample.load_province`` for the options
    (more users, a scenario's decision and processes). Returns the organisation."""

    def load(**options: Any) -> dict[str, Any]:
        return load_province(sample_org, **options)

    return load


@pytest.fixture
def sample(province: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The shared sample province with its decision and the sample process published."""
    return province()


@pytest.fixture
def make_api(client: FlaskClient) -> Callable[[list[dict[str, Any]]], Api]:
    """An API client for these users (an org document's ``users``)."""

    def make(users: list[dict[str, Any]]) -> Api:
        return Api(client, passwords(users))

    return make


@pytest.fixture
def api(make_api: Callable[[list[dict[str, Any]]], Api], sample_org: dict[str, Any]) -> Api:
    return make_api(sample_org["users"])


@pytest.fixture
def make_walker(make_api: Callable[[list[dict[str, Any]]], Api]
                ) -> Callable[[list[dict[str, Any]], Path], Walker]:
    """A walker for these users, filling the forms found in a folder."""

    def make(users: list[dict[str, Any]], forms: Path) -> Walker:
        return Walker(make_api(users), forms)

    return make


@pytest.fixture
def walker(api: Api, sample: dict[str, Any]) -> Walker:
    """Walks dossiers of the sample province, as its officers (the ``api`` client)."""
    return Walker(api, SAMPLES / "forms")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SHARED.is_dir():
        raise pytest.UsageError(f"shared/ must sit beside the repository: {SHARED} is missing")
