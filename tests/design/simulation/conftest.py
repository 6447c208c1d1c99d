"""Fixtures for test runs: the sample province with the generation tests' extra agencies (an
inter-agency step) and no process published (the demo province is tests/design's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from design.generation.gen_support import EXTRA_AGENCIES, LAND_SPECIALIST
from support.api import Api

# A designer of another agency (a commune): the sample procedure's drafts are not theirs.
OTHER_DESIGNER = {"username": "tk.khoa", "full_name": "Trịnh Khoa", "password": "demo-Khoa-2026",
                  "memberships": [{"agency": "000.00.20.H99", "role": "designer"}]}


@pytest.fixture
def org(province: Callable[..., dict[str, Any]], sample_org: dict[str, Any]) -> dict[str, Any]:
    sample_org["agencies"].extend(EXTRA_AGENCIES)
    return province(users=[LAND_SPECIALIST, OTHER_DESIGNER], processes={})


@pytest.fixture
def designer(make_api: Callable[[list[dict[str, Any]]], Api], org: dict[str, Any]) -> Api:
    """An API client for every user of ``org`` (the extra designer included)."""
    return make_api(org["users"])


