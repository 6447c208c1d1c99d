"""Every schema of the project (``forms/``) and of the shared samples, in both ui styles, read
back into rows: compiled again it validates the same data (good data and data broken in every
field), renders the same HTML, and whatever rows cannot say is kept verbatim, read-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from formdesign_support import broken, problems, round_trip, without_order

from motcua.design.formdesign.readback import readback
from motcua.design.formdesign.rows import form_json
from motcua.forms import render_form
from motcua.forms.fields import properties
from support.formdata import example_for
from support.forms import SCHEMAS, load


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_existing_schema_reads_back_and_validates_the_same_data(path: Path) -> None:
    schema, ui = load(path)
    again, again_ui = round_trip(schema, ui)
    good = example_for(schema)
    assert problems(good, schema) == [] == problems(good, again)
    samples = broken(schema, good)
    assert len(samples) >= 10 * len(properties(schema))
    for data in samples:
        assert problems(data, again) == problems(data, schema), data
    # Drawn the same: the same labels, controls, help, order.
    assert str(render_form(again, again_ui, None)) == str(render_form(schema, ui, None))
    assert str(render_form(again, again_ui, good)) == str(render_form(schema, ui, good))


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_existing_schema_reads_back_into_rows_not_json(path: Path) -> None:
    schema, ui = load(path)
    form = readback(schema, ui)
    assert not form.verbatim and form.title == schema["title"]
    assert [r.key for r in form.rows] and all(r.type != "advanced" for r in form.rows)
    assert all(r.locked for r in form.rows)


def test_both_ui_styles_read_back_the_same() -> None:
    schema = {"type": "object", "properties": {
        "a": {"type": "string", "title": "A"}, "b": {"type": "string", "title": "B"},
        "c": {"type": "string", "title": "C", "enum": ["x", "y"]}}}
    ours = {"ui:order": ["c", "a", "b"], "a": {"ui:widget": "textarea", "ui:help": "Gợi ý"},
            "c": {"ui:widget": "radio"}}
    shared = {"order": ["c", "a", "b"], "widgets": {"a": "textarea", "c": "radio"},
              "help": {"a": "Gợi ý"}}
    assert form_json(readback(schema, ours)) == form_json(readback(schema, shared))
    rows = readback(schema, shared).rows
    assert [(r.key, r.type, r.help) for r in rows] == [
        ("c", "radio", ""), ("a", "textarea", "Gợi ý"), ("b", "text", "")]
    # The help stays in ui.json, where it was.
    assert round_trip(schema, ours)[1]["a"] == {"ui:widget": "textarea", "ui:help": "Gợi ý"}


UNSUPPORTED: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "nang-cao", "title": "Nâng cao", "type": "object",
    "$defs": {"dia_chi": {"type": "object", "properties": {"xa": {"type": "string"}}}},
    "additionalProperties": False,
    "required": ["ho_ten", "dia_chi"],
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ tên", "default": "A", "examples": ["B"]},
        "dia_chi": {"$ref": "#/$defs/dia_chi", "title": "Địa chỉ"},
        "mot_trong": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "so_lieu": {"type": "array", "items": {"type": "integer"}, "title": "Số liệu"},
        "ma": {"type": "string", "title": "Mã", "pattern": "^[A-Z]{3}$",
               "format": "uri"},
        "bang": {"type": "array", "title": "Bảng", "items": {
            "type": "object", "additionalProperties": False,
            "properties": {"x": {"type": "string", "title": "X"}}}},
        "khong_kieu": {"title": "Không khai báo kiểu"},
        "cam_ket": {"type": "boolean", "const": True, "title": "Cam kết"},
        "loai": {"type": "string", "title": "Loại", "enum": ["x", "y"], "default": "z"},
    },
}
UNSUPPORTED_UI = {"ui:classNames": "rong", "ho_ten": {"ui:autofocus": True},
                  "ma": {"ui:widget": "radio", "ui:options": {"rows": 3}}}


def test_what_rows_cannot_say_is_kept_verbatim_and_read_only() -> None:
    form = readback(UNSUPPORTED, UNSUPPORTED_UI)
    by_key = {r.key: r for r in form.rows}
    assert {k for k, r in by_key.items() if r.type == "advanced"} == {
        "dia_chi", "mot_trong", "so_lieu", "khong_kieu"}
    assert by_key["dia_chi"].advanced_schema == UNSUPPORTED["properties"]["dia_chi"]
    assert by_key["dia_chi"].required is True
    # A default is a setting of the row; one that is no value of the field stays verbatim.
    assert by_key["ho_ten"].default == "A"
    assert by_key["ho_ten"].advanced_schema == {"examples": ["B"]}
    assert by_key["loai"].default is None and by_key["loai"].advanced_schema == {"default": "z"}
    assert by_key["ho_ten"].advanced_ui == {"ui:autofocus": True}
    assert by_key["ma"].pattern == "" and by_key["ma"].advanced_schema == {
        "pattern": "^[A-Z]{3}$", "format": "uri"}
    assert by_key["bang"].type == "group"
    assert by_key["bang"].advanced_schema == {"items": {"additionalProperties": False}}
    assert by_key["cam_ket"].advanced_schema == {"const": True}
    assert form.advanced_schema == {k: UNSUPPORTED[k] for k in (
        "$id", "$defs", "additionalProperties")}
    assert form.advanced_ui == {"ui:classNames": "rong"}
    schema, ui = round_trip(UNSUPPORTED, UNSUPPORTED_UI)
    assert schema == UNSUPPORTED
    assert without_order(ui) == UNSUPPORTED_UI


def test_a_root_that_is_no_object_of_fields_is_kept_whole() -> None:
    schema = {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
              "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    form = readback(schema, {"x": 1})
    assert form.verbatim and form.rows == []
    assert round_trip(schema, {"x": 1}) == (schema, {"x": 1})
