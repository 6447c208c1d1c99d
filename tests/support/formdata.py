"""Valid example data for a JSON-Schema e-form (for tests that walk a process)."""

from __future__ import annotations

from typing import Any


def example_for(schema: dict[str, Any], overrides: dict[str, Any] | None = None) -> Any:
    value = _example(schema, schema)
    if overrides and isinstance(value, dict):
        value.update(overrides)
    return value


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        return {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _example(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return _example(schema[key][0], root)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _example(props.get(name, {"type": "string"}), root)
                for name in schema.get("required", [])}
    if kind == "array":
        count = max(schema.get("minItems", 1), 1)
        return [_example(schema.get("items", {"type": "string"}), root) for _ in range(count)]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1.0)
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-03-02"
    if fmt == "date-time":
        return "2026-03-02T09:00:00+07:00"
    if fmt == "email":
        return "cong.dan@example.vn"
    if "pattern" in schema:
        return _from_pattern(schema["pattern"], schema)
    text = "Nội dung mẫu"
    return text.ljust(schema.get("minLength", 0), "x")[: schema.get("maxLength", 200)]


def _from_pattern(pattern: str, schema: dict[str, Any]) -> str:
    # Patterns in our forms are digit runs (ID numbers, phones) or codes.
    import re

    for candidate in ("001090012345", "0912345678", "1:500", "12/LLTP", "2026"):
        if re.fullmatch(pattern, candidate):
            return candidate
    raise ValueError(f"no example for pattern {pattern}")
