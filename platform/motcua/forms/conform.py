"""E-form data as the platform keeps it: bounded in size, holding the keys its form defines,
valid against the form. ``conform`` is the one funnel: reception
(``dossiers.operations.create_dossier``, the application's form) and completion
(``tasks.operations.check_completion``, the step's form) call it, so the API and the pages
keep exactly the same data.

Size: the data as received, in its canonical JSON encoding (keys sorted, no spaces, UTF-8,
nothing escaped to ASCII), is at most ``DATA_MAX_BYTES`` (``MOTCUA_DATA_MAX_KB``, 256 KB).
Above, one problem on the root (``data``) and nothing else is looked at.

Keys the form does not define, at every level the form describes (objects in objects and in
the rows of arrays). A level *defines* a key by ``properties`` or a matching
``patternProperties``, its own or those of the subschemas applied in place
(``allOf``/``anyOf``/``oneOf``, ``if``/``then``/``else``, ``dependentSchemas``):

- ``additionalProperties: false`` or ``unevaluatedProperties: false`` (at the level or in
  place): each undefined key is refused, a problem naming it (``data.a[0].b``); the
  validator finds them (``schema_errors.validate``).
- ``additionalProperties`` or ``unevaluatedProperties`` ``true`` or a schema: the form takes
  other keys, in so many words; they are kept (and validated against that schema).
- Neither keyword: an undefined key is dropped. The form's fields are what it lists; no page
  draws another key, so the API keeps none either.
- A level that lists no ``properties`` at all (a free object, drawn as one JSON text box),
  or reaches other definitions through ``$ref``/``$dynamicRef``: nothing is dropped there or
  below, since what it defines is not read off the level; validation still applies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from flask import current_app

from motcua.safe_schema import PatternError, compile_pattern
from motcua.schema_errors import validate

DEFAULT_MAX_BYTES = 256 * 1024
# Subschemas that apply to the same instance as the level holding them.
_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE_SINGLE = ("if", "then", "else")
_OPEN = ("additionalProperties", "unevaluatedProperties")


def encoded_size(data: Any) -> int | None:
    """Bytes of ``data``'s canonical JSON encoding; None when it nests too deep to encode."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    except (RecursionError, TypeError, ValueError):
        return None
    return len(text.encode("utf-8", "surrogatepass"))


def max_bytes() -> int:
    return int(current_app.config.get("DATA_MAX_BYTES", DEFAULT_MAX_BYTES))


def size_problems(data: Any, *, root: str = "data") -> list[dict[str, str]]:
    """A problem on ``root`` when ``data`` is over the size limit."""
    limit = max_bytes()
    size = encoded_size(data)
    if size is None:
        return [{"field": root, "message": "Dữ liệu lồng nhau quá sâu"}]
    if size > limit:
        return [{"field": root, "message":
                 f"Dữ liệu quá lớn: {_kb(size)} KB, tối đa {_kb(limit)} KB"}]
    return []


def _kb(size: int) -> str:
    return f"{size / 1024:.1f}".rstrip("0").rstrip(".")


def conform(data: Any, schema: Mapping[str, Any] | None, *,
            root: str = "data") -> tuple[Any, list[dict[str, str]]]:
    """``data`` without the keys its form drops, and every problem with it (size first: when
    too large, only that)."""
    problems = size_problems(data, root=root)
    if problems or schema is None:
        return data, problems
    kept = prune(data, schema)
    return kept, validate(kept, schema, root=root)


def prune(value: Any, schema: Any) -> Any:
    """``value`` without the keys ``schema`` drops (see the module's rules); a new value,
    ``value`` itself untouched."""
    if not isinstance(schema, Mapping):
        return value
    if isinstance(value, list):
        return _prune_rows(value, schema)
    if not isinstance(value, dict):
        return value
    levels = list(_in_place(schema))
    if any("$ref" in s or "$dynamicRef" in s for s in levels) \
            or not any(isinstance(s.get("properties"), Mapping) for s in levels):
        return value
    # Either keyword, whatever its value, says what becomes of other keys: not dropped here.
    drops = not any(keyword in s for s in levels for keyword in _OPEN)
    result = {}
    for key, item in value.items():
        defining = _defining(levels, key)
        if not defining and drops:
            continue
        result[key] = prune(item, defining[0]) if len(defining) == 1 else item
    return result


def _prune_rows(rows: list[Any], schema: Mapping[str, Any]) -> list[Any]:
    prefix = schema.get("prefixItems")
    items = schema.get("items")
    out = []
    for index, row in enumerate(rows):
        if isinstance(prefix, list) and index < len(prefix):
            out.append(prune(row, prefix[index]))
        elif isinstance(items, Mapping):
            out.append(prune(row, items))
        else:
            out.append(row)
    return out


def _in_place(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """``schema`` and the subschemas applied to the same instance, depth first."""
    stack = [schema]
    while stack:
        node = stack.pop()
        yield node
        found: list[Any] = []
        for keyword in _IN_PLACE_LISTS:
            if isinstance(node.get(keyword), list):
                found.extend(node[keyword])
        found.extend(node.get(keyword) for keyword in _IN_PLACE_SINGLE)
        dependent = node.get("dependentSchemas")
        if isinstance(dependent, Mapping):
            found.extend(dependent.values())
        stack.extend(reversed([s for s in found if isinstance(s, Mapping)]))


def _defining(levels: list[Mapping[str, Any]], key: str) -> list[Any]:
    """The subschemas that define ``key`` at this level (by name or pattern)."""
    found = []
    for level in levels:
        properties = level.get("properties")
        if isinstance(properties, Mapping) and key in properties:
            found.append(properties[key])
        patterns = level.get("patternProperties")
        if isinstance(patterns, Mapping):
            found.extend(sub for pattern, sub in patterns.items() if _matches(pattern, key))
    return found


def _matches(pattern: str, key: str) -> bool:
    try:
        return compile_pattern(pattern).search(key) is not None
    except PatternError:
        return False
