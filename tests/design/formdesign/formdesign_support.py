"""Helpers for the form designer's tests: a schema through its rows and back, and data wrong
in every place a schema can say something about."""

from __future__ import annotations

import copy
import json
from typing import Any

from motcua.design.formdesign.compile import compile_form
from motcua.design.formdesign.readback import readback
from motcua.design.formdesign.rows import form_json, parse_form_rows
from motcua.forms.fields import kind_of, properties
from motcua.schema_errors import validate
from support.formdata import example_for


def round_trip(schema: dict[str, Any], ui: dict[str, Any] | None
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read back, through the rows' JSON (as the page holds them), and compile again."""
    rows = json.loads(json.dumps(form_json(readback(schema, ui))))
    return compile_form(parse_form_rows(rows))


def broken(schema: dict[str, Any], good: Any) -> list[Any]:
    """Data wrong in one place each: a required field left out, a value of the wrong type, a
    string too long or not matching, a number out of range, a list without rows."""
    found: list[Any] = []

    def walk(node: Any, value: Any, put: Any) -> None:
        kind = kind_of(node)
        if kind == "object" and isinstance(value, dict):
            for key, sub in properties(node).items():
                copy_ = copy.deepcopy(value)
                copy_.pop(key, None)
                found.append(put(copy_))
                walk(sub, value.get(key, example_for(dict(sub)) if isinstance(sub, dict)
                                    else None),
                     lambda v, key=key: put({**value, key: v}))
            return
        if kind == "array":
            found.extend([put([]), put("không phải danh sách"), put([None])])
            rows = value if isinstance(value, list) and value else [example_for(node["items"])]
            walk(node["items"], rows[0], lambda v: put([v, *rows[1:]]))
            return
        found.extend([put(None), put(12345), put("x" * 9000), put(""), put(-1), put(10**9),
                      put(True), put("2026-13-45"), put("không phải")])

    walk(schema, good, lambda v: v)
    return found


def without_order(ui: Any) -> Any:
    if not isinstance(ui, dict):
        return ui
    kept = {k: without_order(v) for k, v in ui.items() if k != "ui:order"}
    return {k: v for k, v in kept.items() if v != {}}


def problems(data: Any, schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["field"], p["message"]) for p in validate(data, schema, root="data")]
