"""Fixtures for test runs: the sample province with the generation tests' extra agencies (an
inter-agency step), no process published, and helpers to make drafts and run them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from design.generation.gen_support import EXTRA_AGENCIES, LAND_SPECIALIST
from support.api import Api

DESIGNER = "qt.binh"


@pytest.fixture
def org(province: Callable[..., dict[str, Any]], sample_org: dict[str, Any]) -> dict[str, Any]:
    sample_org["agencies"].extend(EXTRA_AGENCIES)
    return province(users=[LAND_SPECIALIST], processes={})


@pytest.fixture
def designer(api: Api, org: dict[str, Any]) -> Api:
    return api
