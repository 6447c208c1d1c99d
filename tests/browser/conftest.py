"""What every browser test module shares: one Debian Chromium per module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched
