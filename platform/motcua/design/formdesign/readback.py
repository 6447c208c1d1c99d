"""A form's JSON Schema + ui.json (either ui style, see ``motcua.forms.ui``) read back into
rows, so forms written by hand or by other tools open in the form designer.

Every keyword a row's settings say is taken into the row; every other one stays in the row's
advanced part, verbatim, and ``compile_form`` lays it over the compiled field again, so the
form validates the same data after a save. A field the rows cannot describe at all (a ``$ref``,
``oneOf`` of schemas, a list of numbers, no declared type...) becomes one read-only row of type
``advanced`` holding it whole; a root that is no object of fields keeps the whole form so."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from motcua.design.formdesign.compile import DRAFT_2020_12
from motcua.design.formdesign.patterns import ready_pattern_of
from motcua.design.formdesign.problems import default_fits
from motcua.design.formdesign.rows import DEFAULT_TYPES, PLACEHOLDER_TYPES, FormRows, Option, Row
from motcua.forms.fields import UNSUPPORTED, kind_of, ordered_keys
from motcua.forms.ui import FieldUi, normalise_ui

STRING_FORMATS = {"date": "date", "date-time": "datetime", "email": "email"}
_SHARED = {"order": list, "widgets": Mapping, "help": Mapping}


def readback(schema: Any, ui: Any) -> FormRows:
    ui = ui if isinstance(ui, Mapping) else {}
    if not _is_fields_object(schema):
        return FormRows(title=_text(schema.get("title")) if isinstance(schema, Mapping) else "",
                        advanced_schema=copy.deepcopy(dict(schema)) if isinstance(
                            schema, Mapping) else {},
                        advanced_ui=copy.deepcopy(dict(ui)), verbatim=True)
    tree = _our_style(schema, ui)
    consumed = {"type", "properties"}
    if schema.get("$schema") == DRAFT_2020_12:
        consumed.add("$schema")
    form = FormRows(title=_take_text(schema, "title", consumed),
                    description=_take_text(schema, "description", consumed))
    form.rows = _members(schema, tree, consumed)
    form.advanced_schema = _rest(schema, consumed)
    form.advanced_ui = _rest(tree, {"ui:order", *_property_names(schema)})
    return form


def _is_fields_object(schema: Any) -> bool:
    if not isinstance(schema, Mapping) or schema.get("type", "object") != "object":
        return False
    props = schema.get("properties", {})
    return isinstance(props, Mapping) and not any(k in schema for k in UNSUPPORTED)


def _our_style(schema: Mapping[str, Any], ui: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ui in our style (one entry per field). The shared style says only order, widgets
    and help, which the renderer's own reading (``normalise_ui``) holds entire."""
    if not any(isinstance(ui.get(k), kind) for k, kind in _SHARED.items()):
        return ui
    return _entry_of(normalise_ui(schema, ui))


def _entry_of(f: FieldUi) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if f.widget:
        entry["ui:widget"] = f.widget
    if f.options:
        entry["ui:options"] = dict(f.options)
    if f.help:
        entry["ui:help"] = f.help
    if f.placeholder:
        entry["ui:placeholder"] = f.placeholder
    if f.order:
        entry["ui:order"] = list(f.order)
    for key, child in f.children.items():
        if sub := _entry_of(child):
            entry[key] = sub
    if f.items is not None and (sub := _entry_of(f.items)):
        entry["items"] = sub
    return entry


def _property_names(schema: Mapping[str, Any]) -> list[str]:
    props = schema.get("properties")
    return [str(k) for k in props] if isinstance(props, Mapping) else []


def _members(schema: Mapping[str, Any], ui: Mapping[str, Any], consumed: set[str]) -> list[Row]:
    """The object's properties as rows in the order the form shows them; its ``required``
    taken when every name in it is a field (else it stays verbatim, and still decides)."""
    props = schema.get("properties", {})
    required = schema.get("required")
    names = set(_property_names(schema))
    if isinstance(required, list) and all(isinstance(r, str) and r in names for r in required):
        consumed.add("required")
    # A stored schema may say anything ("required": [{}]): only names can be wanted.
    wanted = {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()
    order = ui.get("ui:order")
    order = [k for k in order if isinstance(k, str)] if isinstance(order, list) else []
    rows = []
    for key in ordered_keys(schema, order):
        entry = ui.get(key)
        rows.append(read_row(key, props[key], entry if isinstance(entry, Mapping) else {},
                             key in wanted))
    return rows


def read_row(key: str, schema: Any, ui: Mapping[str, Any], required: bool) -> Row:
    """One field as a row; its unsaid keywords in its advanced part."""
    if not isinstance(schema, Mapping):
        return _whole(key, schema, ui, required)
    kind = kind_of(schema)
    declared = schema.get("type")
    reader = {"enum": _choice, "boolean": _plain, "integer": _plain, "number": _plain,
              "string": _string, "object": _section, "array": _array}.get(kind)
    if reader is None or (declared is None and kind != "enum") or (
            declared is not None and not isinstance(declared, str)):
        return _whole(key, schema, ui, required)
    found = reader(key, schema, ui, required)
    return found if found is not None else _whole(key, schema, ui, required)


def _whole(key: str, schema: Any, ui: Mapping[str, Any], required: bool) -> Row:
    title = _text(schema.get("title")) if isinstance(schema, Mapping) else ""
    return Row(key=key, title=title, type="advanced", required=required, locked=True,
               advanced_schema=copy.deepcopy(schema), advanced_ui=copy.deepcopy(dict(ui)))


def _start(key: str, kind: str, schema: Mapping[str, Any], ui: Mapping[str, Any],
           required: bool, consumed: set[str], ui_consumed: set[str]) -> Row:
    """The settings every row has: title, help, placeholder."""
    row = Row(key=key, title=_take_text(schema, "title", consumed), type=kind,
              required=required, locked=True)
    ui_help = _text(ui.get("ui:help"))
    description = _text(schema.get("description"))
    if ui_help:
        row.help, row.help_in_ui = ui_help, True
        ui_consumed.add("ui:help")
    elif description:
        row.help = description
        consumed.add("description")
    if kind in PLACEHOLDER_TYPES and kind != "list" and _text(ui.get("ui:placeholder")):
        row.placeholder = _text(ui.get("ui:placeholder"))
        ui_consumed.add("ui:placeholder")
    return row


def _finish(row: Row, schema: Mapping[str, Any], ui: Mapping[str, Any], consumed: set[str],
            ui_consumed: set[str]) -> Row:
    if row.type in DEFAULT_TYPES and "default" in schema:
        row.default = schema["default"]
        if isinstance(row.default, str | int | float | bool) and default_fits(row):
            consumed.add("default")
        else:
            row.default = None  # kept verbatim instead: no setting says it
    rest, ui_rest = _rest(schema, consumed), _rest(ui, ui_consumed)
    row.advanced_schema = rest or None
    row.advanced_ui = ui_rest or None
    return row


def _widget(ui: Mapping[str, Any]) -> str:
    widget = ui.get("ui:widget")
    return widget.lower() if isinstance(widget, str) else ""


def _choice(key: str, schema: Mapping[str, Any], ui: Mapping[str, Any],
            required: bool) -> Row | None:
    consumed = {"type"} if schema.get("type") in ("string", None) else set()
    if not consumed:
        return None
    options: list[Option] = []
    if "enum" in schema and "oneOf" not in schema and "anyOf" not in schema:
        values = schema["enum"]
        if not all(isinstance(v, str) for v in values):
            return None
        options = [Option(label=v, value=v) for v in values]
        consumed.add("enum")
    elif "oneOf" in schema and "enum" not in schema and "anyOf" not in schema:
        choices = schema["oneOf"]
        if not all(isinstance(c, Mapping) and set(c) <= {"const", "title"}
                   and isinstance(c["const"], str) and isinstance(c.get("title", ""), str)
                   for c in choices):
            return None
        options = [Option(label=c.get("title") or c["const"], value=c["const"])
                   for c in choices]
        consumed.add("oneOf")
    else:
        return None
    ui_consumed: set[str] = set()
    kind = "radio" if _widget(ui) == "radio" else "select"
    if kind == "radio":
        ui_consumed.add("ui:widget")
    row = _start(key, kind, schema, ui, required, consumed, ui_consumed)
    row.options = options
    return _finish(row, schema, ui, consumed, ui_consumed)


def _plain(key: str, schema: Mapping[str, Any], ui: Mapping[str, Any],
           required: bool) -> Row | None:
    kind = str(schema["type"])
    consumed, ui_consumed = {"type"}, set[str]()
    row = _start(key, kind, schema, ui, required, consumed, ui_consumed)
    if kind != "boolean":
        row.minimum = _take_number(schema, "minimum", consumed)
        row.maximum = _take_number(schema, "maximum", consumed)
    return _finish(row, schema, ui, consumed, ui_consumed)


def _string(key: str, schema: Mapping[str, Any], ui: Mapping[str, Any],
            required: bool) -> Row | None:
    consumed, ui_consumed = {"type"}, set[str]()
    fmt = schema.get("format")
    widget = _widget(ui) or (schema.get("x-widget", "").lower()
                             if isinstance(schema.get("x-widget"), str) else "")
    if widget == "officer":
        kind = "officer"
    elif isinstance(fmt, str) and fmt in STRING_FORMATS:
        kind = STRING_FORMATS[fmt]
        consumed.add("format")
    elif widget == "textarea":
        kind = "textarea"
    else:
        kind = "text"
    if kind in ("officer", "textarea"):
        if _widget(ui) == kind:
            ui_consumed.add("ui:widget")
        if str(schema.get("x-widget", "")).lower() == kind:
            consumed.add("x-widget")
    row = _start(key, kind, schema, ui, required, consumed, ui_consumed)
    if kind == "officer":
        row.role = _officer_role(schema, ui, consumed, ui_consumed)
    if kind in ("text", "textarea", "email"):
        row.min_length = _take_count(schema, "minLength", consumed)
        row.max_length = _take_count(schema, "maxLength", consumed)
    if kind == "text" and (ready := ready_pattern_of(schema.get("pattern"))):
        row.pattern = ready
        consumed.add("pattern")
    finished = _finish(row, schema, ui, consumed, ui_consumed)
    return finished


def _officer_role(schema: Mapping[str, Any], ui: Mapping[str, Any], consumed: set[str],
                  ui_consumed: set[str]) -> str:
    options = ui.get("ui:options")
    if isinstance(options, Mapping) and isinstance(options.get("role"), str):
        if set(options) == {"role"}:
            ui_consumed.add("ui:options")
        return str(options["role"])
    if isinstance(schema.get("x-role"), str) and "ui:options" not in ui:
        consumed.add("x-role")
        return str(schema["x-role"])
    return ""


def _section(key: str, schema: Mapping[str, Any], ui: Mapping[str, Any],
             required: bool) -> Row | None:
    consumed, ui_consumed = {"type", "properties"}, {"ui:order", *_property_names(schema)}
    row = _start(key, "section", schema, ui, required, consumed, ui_consumed)
    row.rows = _members(schema, ui, consumed)
    return _finish(row, schema, ui, consumed, ui_consumed)


def _array(key: str, schema: Mapping[str, Any], ui: Mapping[str, Any],
           required: bool) -> Row | None:
    items = schema["items"]
    item_kind = kind_of(items)
    if items.get("type") != {"object": "object", "string": "string"}.get(item_kind):
        return None  # a list of numbers, choices or untyped values: kept whole
    consumed, ui_consumed = {"type", "items"}, set[str]()
    # Our style nests the row's entry under "items"; an entry without it is the row's own.
    row_ui = ui.get("items")
    if isinstance(row_ui, Mapping):
        ui_consumed.add("items")
    else:
        row_ui = {}
    kind = "group" if item_kind == "object" else "list"
    row = _start(key, kind, schema, ui, required, consumed, ui_consumed)
    row.min_rows = _take_count(schema, "minItems", consumed)
    row.max_rows = _take_count(schema, "maxItems", consumed)
    item_consumed = {"type"}
    item_ui_consumed: set[str] = set()
    if kind == "group":
        item_consumed.add("properties")
        item_ui_consumed |= {"ui:order", *_property_names(items)}
        row.rows = _members(items, row_ui, item_consumed)
    else:
        row.min_length = _take_count(items, "minLength", item_consumed)
        row.max_length = _take_count(items, "maxLength", item_consumed)
        if ready := ready_pattern_of(items.get("pattern")):
            row.pattern = ready
            item_consumed.add("pattern")
        if _text(row_ui.get("ui:placeholder")):
            row.placeholder = _text(row_ui.get("ui:placeholder"))
            item_ui_consumed.add("ui:placeholder")
    _finish(row, schema, ui, consumed, ui_consumed)
    item_rest, item_ui_rest = _rest(items, item_consumed), _rest(row_ui, item_ui_consumed)
    if item_rest:
        row.advanced_schema = {**(row.advanced_schema or {}), "items": item_rest}
    if item_ui_rest:
        row.advanced_ui = {**(row.advanced_ui or {}), "items": item_ui_rest}
    return row


def _rest(node: Mapping[str, Any], consumed: set[str]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in node.items() if k not in consumed}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _take_text(schema: Mapping[str, Any], name: str, consumed: set[str]) -> str:
    value = schema.get(name)
    if isinstance(value, str):
        consumed.add(name)
        return value
    return ""


def _take_number(schema: Mapping[str, Any], name: str, consumed: set[str]) -> Any:
    value = schema.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        consumed.add(name)
        return value
    return None


def _take_count(schema: Mapping[str, Any], name: str, consumed: set[str]) -> int | None:
    value = schema.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        consumed.add(name)
        return value
    return None
