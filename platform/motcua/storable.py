"""What of a parsed JSON value no database stores, found before anything tries to: NUL or
half a UTF-16 pair in a text (JSON's lone ``"\\ud800"`` escape decodes to one, and no text
encoding holds it), NaN or an infinite number (Python's JSON reads ``NaN``, ``Infinity`` and
``1e400``; PostgreSQL's json refuses them, and no browser reads them back). One walk serves
API bodies, draft forms and uploaded form files."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from motcua.schema_errors import json_path

BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Unstorable:
    """Where the value sits (a JSON path below ``root``; in a text of several lines, such as
    a BPMN file, the line too) and what it is, in Vietnamese."""

    path: str
    message: str
    line: int | None = None


def escaped(character: str) -> str:
    return f"\\u{ord(character):04x}"


def character_words(character: str) -> str:
    what = "NUL" if character == "\x00" else "một nửa cặp UTF-16"
    return f"ký tự không hợp lệ ({escaped(character)}, {what})"


def unstorable(value: Any, root: str = "") -> Unstorable | None:
    """The first value (or key) no database stores, None when all are storable."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, parts = stack.pop()
        if isinstance(item, str) and (found := BAD_CHARACTER.search(item)):
            line = item.count("\n", 0, found.start()) + 1 if "\n" in item else None
            return Unstorable(json_path(parts, root) or root, character_words(found.group()),
                              line)
        if isinstance(item, float) and not math.isfinite(item):
            spelled = "NaN" if math.isnan(item) else "Infinity" if item > 0 else "-Infinity"
            return Unstorable(json_path(parts, root) or root,
                              f"số không hợp lệ ({spelled}): chỉ dùng số hữu hạn")
        if isinstance(item, Mapping):
            for key, child in item.items():
                stack.append((key, parts))
                stack.append((child, (*parts, str(key))))
        elif isinstance(item, list):
            stack.extend((child, (*parts, i)) for i, child in enumerate(item))
    return None
