"""What every browser test module shares: one Debian Chromium per module, a live server on
its own SQLite file at a fixed moment, a screenshot folder named after the module, and the
actors (one browser context per officer) closed after each test.

A module that needs another province sets ``LOAD_PROVINCE`` (a loader as
``browser_support.live_server`` takes); a module that needs its own server or actors
defines the fixture itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import Actors, LiveServer, Shots, chromium, fresh_shots, live_server
from designer_support import Outside

from support.clock import FakeClock, local

# Monday 16 March 2026, 09:00 in Hà Nội: inside working hours, after the sample decision
# took effect (10 March).
START = local(2026, 3, 16, 9, 0)


def _folder(request: pytest.FixtureRequest) -> str:
    return request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_browser_")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    loader = getattr(request.module, "LOAD_PROVINCE", None)
    options = {"load": loader} if loader is not None else {}
    with live_server(tmp_path_factory.mktemp(_folder(request)), FakeClock(START),
                     **options) as live:
        yield live


@pytest.fixture(scope="module")
def shots(request: pytest.FixtureRequest) -> Shots:
    return fresh_shots(_folder(request))


@pytest.fixture
def outside() -> Outside:
    """Records (and aborts) every request leaving the live server; a test watches its
    contexts with it."""
    return Outside()


@pytest.fixture
def actors(browser: Any, server: LiveServer, shots: Shots) -> Iterator[Actors]:
    actors = Actors(browser, server, shots)
    yield actors
    actors.close()
