"""The one shape every upload-time finding takes, whichever check produced it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded process or form.

    ``message`` is Vietnamese and says what is wrong and how to fix it; ``element_id`` and
    ``line`` point into ``file`` when the problem concerns one element.
    """

    message: str
    element_id: str | None = None
    line: int | None = None
    file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        items = {
            "element_id": self.element_id,
            "message": self.message,
            "line": self.line,
            "file": self.file,
        }
        return {k: v for k, v in items.items() if v is not None}
