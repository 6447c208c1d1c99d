"""Readers for what document snapshots keep. Documents print the platform's own records —
the papers handed in as the desk listed them ({name, original, copy}), reasons, notes, and
what the applicant must add as the step's declared ``missing_field`` gave it — never a form
field found by its name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DocumentLine:
    """One paper of a dossier: its name, how many originals and copies, anything else."""

    name: str
    original: int | None = None
    copy: int | None = None
    note: str = ""


def text(data: Mapping[str, Any] | None, *keys: str) -> str:
    """The first non-blank string among ``keys`` of a snapshot."""
    for key in keys:
        value = (data or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    return None


def received_lines(items: Iterable[Any] | None) -> list[DocumentLine]:
    """The papers handed in, as the desk recorded them: {name, original, copy}."""
    lines = []
    for item in items or []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str) \
                and item["name"].strip():
            lines.append(DocumentLine(item["name"].strip(), _count(item.get("original")),
                                      _count(item.get("copy"))))
    return lines


def missing_lines(items: Iterable[Any] | None) -> list[DocumentLine]:
    """What the applicant must add, as the supplement request recorded it: {name, details}."""
    lines = []
    for item in items or []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str) \
                and item["name"].strip():
            lines.append(DocumentLine(item["name"].strip(), note=str(item.get("details") or "")))
    return lines
