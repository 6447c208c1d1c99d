"""The month of dossiers (``reports_support``) as a fixture."""

from __future__ import annotations

from typing import Any

import pytest
from reports_support import NOW, SHAPES, shape
from sqlalchemy import select

from motcua.db import db
from motcua.dossiers.models import Dossier
from support.api import Api, new_dossier
from support.clock import FakeClock


@pytest.fixture
def march(api: Api, sample: Any, clock: FakeClock) -> dict[str, str]:
    """The dossiers of ``SHAPES`` (name → code), the clock at ``NOW``."""
    codes = {}
    for name, how in SHAPES.items():
        code = new_dossier(api)["code"]
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier is not None
        shape(dossier, how)
        codes[name] = code
    db.session.flush()
    clock.set(NOW)
    return codes
