"""The two ui.json styles, normalised into one tree of FieldUi.

Ours (``forms/*.ui.json``), one entry per field, nesting like the schema::

    {"ui:order": [...], "field": {"ui:widget": "officer", "ui:options": {"role": "specialist"},
     "ui:help": "...", "ui:placeholder": "..."}, "obj": {"sub": {...}}, "arr": {"items": {...}}}

The shared sample style, flat maps by field name (dotted names reach nested fields)::

    {"order": [...], "widgets": {"field": "textarea"}, "help": {"field": "..."}}

The schema itself may carry ``"x-widget": "officer", "x-role": "specialist"`` on a property;
a ui.json entry wins over it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from motcua.forms.fields import kind_of, properties

_SHARED_MAPS = {"widgets": "ui:widget", "help": "ui:help"}


@dataclass(frozen=True)
class FieldUi:
    widget: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    help: str | None = None
    placeholder: str | None = None
    order: tuple[str, ...] = ()
    children: Mapping[str, FieldUi] = field(default_factory=dict)
    items: FieldUi | None = None

    def child(self, key: str) -> FieldUi:
        return self.children.get(key) or EMPTY

    def item(self) -> FieldUi:
        return self.items or EMPTY

    @property
    def role(self) -> str:
        role = self.options.get("role")
        return role if isinstance(role, str) else ""


EMPTY = FieldUi()


def normalise_ui(schema: Mapping[str, Any], ui: Mapping[str, Any] | None) -> FieldUi:
    return _build(schema, _ours(schema, ui if isinstance(ui, Mapping) else {}))


def _is_shared(key: str, value: Any) -> bool:
    if key == "order":
        return isinstance(value, list)
    return (key in _SHARED_MAPS and isinstance(value, Mapping)
            and all(isinstance(v, str) and not str(k).startswith("ui:")
                    for k, v in value.items()))


def _ours(schema: Mapping[str, Any], ui: Mapping[str, Any]) -> dict[str, Any]:
    """The ui in our style: shared-style keys are rewritten into per-field entries."""
    tree = {k: copy.deepcopy(v) for k, v in ui.items() if not _is_shared(k, v)}
    order = ui.get("order")
    if _is_shared("order", order):
        tree.setdefault("ui:order", order)
    for key, directive in _SHARED_MAPS.items():
        if _is_shared(key, ui.get(key)):
            for dotted, value in ui[key].items():
                _set(tree, schema, str(dotted).split("."), directive, value)
    return tree


def _set(tree: dict[str, Any], schema: Any, names: list[str], directive: str,
         value: Any) -> None:
    for name in names:
        while kind_of(schema) == "array":
            tree = _entry(tree, "items")
            schema = schema["items"]
        tree = _entry(tree, name)
        schema = properties(schema).get(name, {}) if isinstance(schema, Mapping) else {}
    tree.setdefault(directive, value)


def _entry(tree: dict[str, Any], key: str) -> dict[str, Any]:
    entry = tree.get(key)
    if not isinstance(entry, dict):
        entry = tree[key] = {}
    return entry


def _build(schema: Any, entry: Mapping[str, Any]) -> FieldUi:
    schema = schema if isinstance(schema, Mapping) else {}
    options = entry.get("ui:options")
    options = dict(options) if isinstance(options, Mapping) else {}
    if isinstance(schema.get("x-role"), str):
        options.setdefault("role", schema["x-role"])
    widget = entry.get("ui:widget", schema.get("x-widget"))
    children: dict[str, FieldUi] = {}
    items = None
    kind = kind_of(schema)
    if kind == "object":
        for key, sub in properties(schema).items():
            sub_entry = entry.get(key)
            children[key] = _build(sub, sub_entry if isinstance(sub_entry, Mapping) else {})
    elif kind == "array":
        # The row's entry is under "items"; an entry without it describes the row directly.
        row = entry.get("items")
        if not isinstance(row, Mapping):
            row = {k: v for k, v in entry.items() if not k.startswith("ui:")}
        # A widget given for a list of values (e.g. "textarea") is the widget of each row.
        row = {"ui:widget": widget, "ui:options": options, **row} if widget else row
        items = _build(schema["items"], row)
    order = entry.get("ui:order")
    return FieldUi(
        widget=widget.lower() if isinstance(widget, str) else None,
        options=options,
        help=_text(entry.get("ui:help")),
        placeholder=_text(entry.get("ui:placeholder")),
        order=tuple(k for k in order if isinstance(k, str)) if isinstance(order, list) else (),
        children=children,
        items=items,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
