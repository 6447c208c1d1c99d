"""Keys made from Vietnamese titles: accent-folded ASCII, unique among their siblings.

A field's key is its name in the dossier data (conditions and ``reason_field`` use it), so
once saved it never follows its title again; only a row never saved takes a new one."""

from __future__ import annotations

import re
from collections.abc import Collection

from motcua.design.operations import fold

FIELD_KEY = re.compile(r"[a-z][a-z0-9_]*")
FORM_KEY = re.compile(r"[a-z][a-z0-9-]*")
MAX_KEY = 40


def ascii_words(title: str) -> list[str]:
    """"Số định danh cá nhân" -> ["so", "dinh", "danh", "ca", "nhan"]; the library's search
    folds titles the same way."""
    return re.findall(r"[a-z0-9]+", fold(title))


def _unique(base: str, taken: Collection[str], sep: str) -> str:
    if base not in taken:
        return base
    number = 2
    while _numbered(base, sep, number) in taken:
        number += 1
    return _numbered(base, sep, number)


def _numbered(base: str, sep: str, number: int) -> str:
    """``base`` with its number, cut so that the whole stays within MAX_KEY."""
    suffix = f"{sep}{number}"
    return base[:MAX_KEY - len(suffix)].rstrip(sep) + suffix


def _join(words: list[str], sep: str, fallback: str) -> str:
    key = ""
    for word in words:
        longer = f"{key}{sep}{word}" if key else word
        if len(longer) > MAX_KEY:
            break
        key = longer
    if not key:
        return fallback
    # A key starts with a letter: conditions read it as a name ("nam_2024" not "2024"),
    # still within the bound once prefixed.
    return key if key[0].isalpha() else f"{fallback}{sep}{key}"[:MAX_KEY].rstrip(sep)


def field_key(title: str, taken: Collection[str] = ()) -> str:
    """The snake_case key of a field titled ``title``: "Họ và tên" -> "ho_va_ten"."""
    return _unique(_join(ascii_words(title), "_", "truong"), taken, "_")


def form_key(title: str, taken: Collection[str] = ()) -> str:
    """The key of a form (its file name, ``<key>.schema.json``): "Ý kiến" -> "y-kien"."""
    return _unique(_join(ascii_words(title), "-", "bieu-mau"), taken, "-")
