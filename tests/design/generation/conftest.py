"""Fixtures for generation: the sample province with another department and its units (an
inter-agency step, two units of one name), and a driver for published drafts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gen_support import EXTRA_AGENCIES, LAND_SPECIALIST, PROCEDURE, Driver, publish

from motcua.catalog.operations import get_procedure
from motcua.design.generation import Generated
from support.api import Api


@pytest.fixture
def org(province: Callable[..., dict[str, Any]], sample_org: dict[str, Any]) -> dict[str, Any]:
    """The sample organisation and decision, the extra agencies, no process published."""
    sample_org["agencies"].extend(EXTRA_AGENCIES)
    return province(users=[LAND_SPECIALIST], processes={})


@pytest.fixture
def drive(api: Api, org: dict[str, Any]) -> Callable[[Generated], Driver]:
    def make(generated: Generated) -> Driver:
        publish(generated)
        return Driver(api, org, generated.forms)

    return make


@pytest.fixture
def procedure(org: dict[str, Any]) -> Any:
    return get_procedure(PROCEDURE)


