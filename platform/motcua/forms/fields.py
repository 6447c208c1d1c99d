"""What a JSON Schema node becomes in a form. The renderer and the parser share this one
classification, so an input always parses back to the type it was drawn for."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from motcua.schema_errors import json_path

# The name of the "Thêm dòng" / "Xóa dòng" submit buttons: "add:<path>", "remove:<path>:<i>".
ACTION = "_form_action"
# Constructs the form does not draw field by field: the node becomes one JSON textarea.
UNSUPPORTED = ("$ref", "$dynamicRef", "oneOf", "anyOf", "allOf", "not", "if", "prefixItems")
SCALARS = frozenset({"string", "integer", "number", "boolean", "enum"})
INTEGER = re.compile(r"[+-]?\d+")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Place:
    """Where a value sits: its input ``name`` is the validator's JSON path, its element id a
    safe spelling of the same path."""

    prefix: str
    parts: tuple[str | int, ...] = ()

    @property
    def name(self) -> str:
        return json_path(self.parts, root=self.prefix)

    @property
    def id(self) -> str:
        return "f-" + "-".join(_id_part(part) for part in (self.prefix, *self.parts))

    def child(self, key: str | int) -> Place:
        return Place(self.prefix, (*self.parts, key))


def _id_part(part: str | int) -> str:
    # Letters, digits and "_" stay; anything else becomes ".<hex>.", so parts never contain
    # "-" (the separator) and ids stay unique: "<id>--help" can never be another field's id.
    if isinstance(part, int):
        return str(part)
    if not part:
        return "."
    return "".join(c if (c.isascii() and c.isalnum()) or c == "_" else f".{ord(c):x}."
                   for c in part)


def schema_type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        real = [k for k in kind if k != "null"]
        return real[0] if len(real) == 1 and isinstance(real[0], str) else None
    return kind if isinstance(kind, str) else None


def enum_options(schema: Mapping[str, Any]) -> list[tuple[Any, str]] | None:
    """(value, label) pairs from ``enum``, or from a ``oneOf``/``anyOf`` of ``const``s with
    titles; None when the node is not a choice. A null choice is the empty option."""
    options = None
    if isinstance(schema.get("enum"), list):
        options = [(v, text_of(v)) for v in schema["enum"] if v is not None]
    for key in ("oneOf", "anyOf"):
        choices = schema.get(key)
        if (options is None and isinstance(choices, list) and choices
                and all(isinstance(c, Mapping) and "const" in c for c in choices)):
            options = [(c["const"], str(c.get("title") or text_of(c["const"])))
                       for c in choices if c["const"] is not None]
    return options or None


def kind_of(schema: Any) -> str:
    """object, array, boolean, integer, number, enum, string, or json (anything else)."""
    if not isinstance(schema, Mapping):
        return "json"
    declared = schema_type(schema)
    if enum_options(schema) is not None and declared in (None, "string", "integer", "number"):
        return "enum"
    if any(key in schema for key in UNSUPPORTED):
        return "json"
    if isinstance(schema.get("type"), list) and declared is None:
        return "json"
    if declared is None:
        # An untyped node with properties is an object; with nothing at all, a text input.
        declared = "object" if "properties" in schema else "string"
    if declared == "object":
        props = schema.get("properties")
        return "object" if isinstance(props, Mapping) and props else "json"
    if declared == "array":
        items = schema.get("items")
        return "array" if kind_of(items) in SCALARS | {"object"} else "json"
    if declared in ("boolean", "integer", "number", "string"):
        return declared
    return "json"


def properties(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The object's properties; a boolean subschema (``true``) counts as an untyped one."""
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return {}
    return {str(k): v if isinstance(v, Mapping) else {} for k, v in props.items()}


def required_keys(schema: Mapping[str, Any]) -> frozenset[str]:
    required = schema.get("required")
    return frozenset(k for k in required if isinstance(k, str)) if isinstance(
        required, list) else frozenset()


def ordered_keys(schema: Mapping[str, Any], order: Sequence[str]) -> list[str]:
    """The ui order first ("*" stands for the rest), then every property it left out, so no
    field of the schema is ever hidden by an incomplete order."""
    keys = list(properties(schema))
    listed = [k for k in order if k in keys or k == "*"]
    named = [k for k in listed if k != "*"]
    rest = [k for k in keys if k not in named]
    if "*" in listed:
        at = listed.index("*")
        return [*listed[:at], *rest, *listed[at + 1:]]
    return [*named, *rest]


def initial_values(schema: Any) -> Any:
    """What a blank form (or a new array row) shows: schema defaults, nested objects filled
    with theirs, ``minItems`` rows in arrays. None when there is nothing to show."""
    if not isinstance(schema, Mapping):
        return None
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    kind = kind_of(schema)
    if kind == "object":
        values = {key: initial_values(sub) for key, sub in properties(schema).items()}
        return {key: value for key, value in values.items() if value is not None}
    if kind == "array":
        count = schema.get("minItems", 0)
        count = count if isinstance(count, int) and 0 < count <= 50 else 0
        return [new_row(schema["items"]) for _ in range(count)]
    return None


def new_row(items: Mapping[str, Any]) -> Any:
    value = initial_values(items)
    if value is None:
        return {} if kind_of(items) == "object" else ""
    return value


def text_of(value: Any) -> str:
    """A value as an input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
