"""What the designer's test folders share: the demo province (another province's tree,
decision wording and role/unit columns) with no process published."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from motcua.catalog.operations import import_decision
from motcua.db import db
from motcua.demo.loader import DATA
from motcua.org.operations import import_org
from support.api import Api


@pytest.fixture
def demo(app: Any, make_api: Callable[[list[dict[str, Any]]], Api]) -> tuple[dict[str, Any], Api]:
    """The demo province's organisation and decision, no process published; an API client
    for its users."""
    org = json.loads((DATA / "org.json").read_text(encoding="utf-8"))
    import_org(json.loads(json.dumps(org)))
    text = (DATA / "decision.json").read_text(encoding="utf-8")
    import_decision(json.loads(text), text)
    db.session.commit()
    return org, make_api(org["users"])
