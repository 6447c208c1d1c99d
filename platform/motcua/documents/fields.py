"""Tolerant readers for e-form data kept in document snapshots. Each process names its form
fields its own way (``thanh_phan`` of {ten, loai_ban, so_luong} here, {ten, ban_chinh,
ban_sao} there, a plain list of strings elsewhere): print what is there, never fail on it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

NAME_KEYS = ("ten", "name", "ten_giay_to", "title")
ORIGINAL_KEYS = ("ban_chinh", "original")
COPY_KEYS = ("ban_sao", "copy")
COUNT_KEYS = ("so_luong", "count", "quantity")
KIND_KEYS = ("loai_ban", "kind")
REASON_KEYS = ("ly_do", "reason", "note", "y_kien", "noi_dung")
GUIDANCE_KEYS = ("huong_dan", "guidance")
# Lists that name what was handed in, and lists that name what is still missing.
RECEIVED_LISTS = ("thanh_phan", "received_documents", "documents", "giay_to")
MISSING_LISTS = ("giay_to_bo_sung", "can_bo_sung", "bo_sung", "missing_documents")


@dataclass(frozen=True)
class DocumentLine:
    """One paper of a dossier: its name, how many originals and copies, anything else."""

    name: str
    original: int | None = None
    copy: int | None = None
    note: str = ""


def text(data: Mapping[str, Any] | None, keys: Iterable[str]) -> str:
    """The first non-blank string among ``keys``."""
    for key in keys:
        value = (data or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def count(data: Mapping[str, Any], keys: Iterable[str]) -> int | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            return int(value)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
    return None


def document_lines(data: Mapping[str, Any] | None, prefer: Iterable[str],
                   avoid: Iterable[str] = ()) -> list[DocumentLine]:
    """The papers listed under the first of ``prefer`` that lists any, else under any other
    key (but those in ``avoid``) holding a list of names."""
    data = data or {}
    prefer, avoid = tuple(prefer), set(avoid)
    keys = [*prefer, *(k for k in data if k not in avoid and k not in prefer)]
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            lines = lines_of(value)
            if lines:
                return lines
    return []


def lines_of(items: Iterable[Any]) -> list[DocumentLine]:
    lines = []
    for item in items:
        if isinstance(item, str) and item.strip():
            lines.append(DocumentLine(item.strip()))
        elif isinstance(item, Mapping):
            line = _line(item)
            if line is not None:
                lines.append(line)
    return lines


def _line(item: Mapping[str, Any]) -> DocumentLine | None:
    name = text(item, NAME_KEYS)
    if not name:
        return None
    original, copy = count(item, ORIGINAL_KEYS), count(item, COPY_KEYS)
    kind, quantity = text(item, KIND_KEYS), count(item, COUNT_KEYS)
    notes = []
    if kind:
        folded = kind.casefold()
        if folded.startswith("bản chính") or folded == "original":
            original = original if original is not None else quantity or 1
        elif folded.startswith("bản sao") or folded == "copy":
            copy = copy if copy is not None else quantity or 1
        elif quantity is not None:
            kind = f"{kind}: {quantity}"
        if folded not in ("bản chính", "bản sao", "original", "copy"):
            notes.append(kind)
    elif quantity is not None and original is None and copy is None:
        notes.append(f"Số lượng: {quantity}")
    notes.append(text(item, ("ghi_chu", "note")))
    return DocumentLine(name, original, copy, "; ".join(n for n in notes if n))
