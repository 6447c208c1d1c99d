"""Rows into the JSON Schema (draft 2020-12) and ui.json (our style, one entry per field) that
``motcua.forms`` renders and ``motcua.schema_errors`` validates.

Each level carries its ``ui:order``: PostgreSQL keeps a form in JSONB, which does not keep the
order of an object's keys, so the order of the rows must be written down. A row's advanced
part is laid over what its settings compile to, so what the rows cannot say survives."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from motcua.design.formdesign.patterns import READY_PATTERNS
from motcua.design.formdesign.rows import (
    CHOICE_TYPES,
    DEFAULT_TYPES,
    LENGTH_TYPES,
    NUMBER_TYPES,
    PATTERN_TYPES,
    PLACEHOLDER_TYPES,
    FormRows,
    Row,
)

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
FORMATS = {"date": "date", "datetime": "date-time", "email": "email"}


def compile_form(form: FormRows) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema, ui) of the form."""
    if form.verbatim:
        return copy.deepcopy(form.advanced_schema), copy.deepcopy(form.advanced_ui)
    schema: dict[str, Any] = {"$schema": DRAFT_2020_12, "type": "object"}
    if form.title:
        schema["title"] = form.title
    if form.description:
        schema["description"] = form.description
    ui: dict[str, Any] = {}
    _members(form.rows, schema, ui)
    lay_over(schema, form.advanced_schema)
    lay_over(ui, form.advanced_ui)
    return schema, ui


def _members(rows: list[Row], schema: dict[str, Any], ui: dict[str, Any]) -> None:
    """The rows as ``properties`` (and ``required``) of ``schema``, their ui entries in ``ui``."""
    properties: dict[str, Any] = {}
    required = []
    for row in rows:
        sub, entry = compile_row(row)
        properties[row.key] = sub
        if row.required:
            required.append(row.key)
        if entry:
            ui[row.key] = entry
    schema["properties"] = properties
    if required:
        schema["required"] = required
    if rows:
        ui["ui:order"] = [row.key for row in rows]


def compile_row(row: Row) -> tuple[Any, dict[str, Any]]:
    """The field's schema and its ui entry."""
    if row.type == "advanced":
        kept = row.advanced_ui
        return copy.deepcopy(row.advanced_schema), dict(copy.deepcopy(kept)) if isinstance(
            kept, Mapping) else {}
    schema: dict[str, Any] = {}
    ui: dict[str, Any] = {}
    kind = row.type
    if kind in CHOICE_TYPES:
        schema["type"] = "string"
        if all(o.label == o.value for o in row.options):
            schema["enum"] = [o.value for o in row.options]
        else:
            schema["oneOf"] = [{"const": o.value, "title": o.label} for o in row.options]
        if kind == "radio":
            ui["ui:widget"] = "radio"
    elif kind in NUMBER_TYPES:
        schema["type"] = kind
    elif kind == "boolean":
        schema["type"] = "boolean"
    elif kind == "section":
        schema["type"] = "object"
    elif kind in ("group", "list"):
        schema["type"] = "array"
    else:
        schema["type"] = "string"
        if kind in FORMATS:
            schema["format"] = FORMATS[kind]
    if row.title:
        schema["title"] = row.title
    if row.help:
        if row.help_in_ui:
            ui["ui:help"] = row.help
        else:
            # In the schema: the renderer shows it, and a pattern's error message quotes it.
            schema["description"] = row.help
    if kind == "section":
        _members(row.rows, schema, ui)
    elif kind == "group":
        items: dict[str, Any] = {"type": "object"}
        items_ui: dict[str, Any] = {}
        _members(row.rows, items, items_ui)
        schema["items"] = items
        if items_ui:
            ui["items"] = items_ui
    elif kind == "list":
        schema["items"] = _item(row)
        if row.placeholder:
            ui["items"] = {"ui:placeholder": row.placeholder}
    if kind in LENGTH_TYPES and kind != "list":
        _limits(schema, row, ("minLength", "min_length"), ("maxLength", "max_length"))
    if kind in NUMBER_TYPES:
        _limits(schema, row, ("minimum", "minimum"), ("maximum", "maximum"))
    if kind in ("group", "list"):
        _limits(schema, row, ("minItems", "min_rows"), ("maxItems", "max_rows"))
    if kind in PATTERN_TYPES and kind != "list" and row.pattern in READY_PATTERNS:
        schema["pattern"] = READY_PATTERNS[row.pattern].regex
    if kind == "textarea":
        ui["ui:widget"] = "textarea"
    if kind == "officer":
        ui["ui:widget"] = "officer"
        if row.role:
            ui["ui:options"] = {"role": row.role}
    if kind in DEFAULT_TYPES and row.default is not None and row.default != "":
        schema["default"] = (int(row.default) if kind == "integer" and isinstance(
            row.default, float) and row.default.is_integer() else row.default)
    if kind in PLACEHOLDER_TYPES and kind != "list" and row.placeholder:
        ui["ui:placeholder"] = row.placeholder
    lay_over(schema, row.advanced_schema)
    lay_over(ui, row.advanced_ui)
    return schema, ui


def _item(row: Row) -> dict[str, Any]:
    """A list's value: a line of text, its length and pattern those of the row."""
    item: dict[str, Any] = {"type": "string"}
    _limits(item, row, ("minLength", "min_length"), ("maxLength", "max_length"))
    if row.pattern in READY_PATTERNS:
        item["pattern"] = READY_PATTERNS[row.pattern].regex
    return item


def _limits(schema: dict[str, Any], row: Row, *pairs: tuple[str, str]) -> None:
    for keyword, attribute in pairs:
        value = getattr(row, attribute)
        if value is not None:
            schema[keyword] = value


def lay_over(target: dict[str, Any], extra: Any) -> None:
    """``extra``'s keywords over ``target``'s, objects merged key by key (a group's kept
    ``items`` keywords join the compiled ``items``)."""
    if not isinstance(extra, Mapping):
        return
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            lay_over(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
