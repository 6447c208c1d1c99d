"""Where the tests find the repository, the shared samples and the demo province."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples"
DEMO = REPO / "platform" / "motcua" / "demo" / "data"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def passwords(users: list[dict[str, Any]]) -> dict[str, str]:
    """Each account's password, from an org document's ``users``."""
    return {u["username"]: u["password"] for u in users}
