"""Tiny markup builder: every text and attribute value is escaped unless it is already Markup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

VOID = frozenset({"input", "br", "hr", "img", "meta", "link"})


def tag(name: str, attrs: Mapping[str, Any] | None = None, *children: Any) -> Markup:
    """``<name attrs>children</name>``. Attribute values of None or False are left out, True
    writes a bare boolean attribute; children that are None are skipped."""
    attributes = join(_attribute(key, value) for key, value in (attrs or {}).items())
    opening = Markup("<{}{}>").format(name, attributes)
    if name in VOID:
        return opening
    return opening + join(children) + Markup("</{}>").format(name)


def join(children: Iterable[Any]) -> Markup:
    return Markup("").join(escape(child) for child in children if child is not None)


def _attribute(key: str, value: Any) -> Markup | None:
    if value is None or value is False:
        return None
    if value is True:
        return Markup(" {}").format(key)
    return Markup(' {}="{}"').format(key, str(value))
