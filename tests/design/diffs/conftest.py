"""Fixtures for the diff tests: the sample province with a designer of another agency, a
draft generated from the decision and published as a version, and helpers to save edits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from diff_support import OTHER_DESIGNER, Designer

from support.api import Api


@pytest.fixture
def designer_api(province: Callable[..., dict[str, Any]],
                 make_api: Callable[[list[dict[str, Any]]], Api]) -> Api:
    org = province(users=[OTHER_DESIGNER])
    return make_api(org["users"])


@pytest.fixture
def designer(designer_api: Api) -> Designer:
    return Designer(designer_api)
