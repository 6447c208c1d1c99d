"""Every e-form of the library and of the shared samples: drawn, posted, parsed, validated."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from motcua.forms import errors_by_field, parse_form, render_form
from motcua.forms.fields import kind_of, properties, required_keys
from motcua.schema_errors import json_path, validate
from support.formdata import example_for
from support.forms import (
    SCHEMAS,
    assert_accessible,
    browser_post,
    controls,
    label_text,
    load,
    parse_html,
    post,
    shown_value,
)

OFFICERS = {"specialist": [("cv.an", "Nguyễn Văn An"), ("cv.binh", "Trần Thị Bình")],
            "receiver": [("mc.hoa", "Lê Thị Hòa")]}


def officers(role: str) -> list[tuple[str, str]]:
    return OFFICERS.get(role, [])


def form_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.schema.json')}"


def leaves(schema: dict[str, Any], parts: tuple[str | int, ...] = (), chain: bool = True,
           ) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any], bool]]:
    """(parts, schema, required all the way up) of every input; list rows at index 0."""
    kind = kind_of(schema)
    if kind == "object":
        required = required_keys(schema)
        for key, sub in properties(schema).items():
            yield from leaves(dict(sub), (*parts, key), chain and key in required)
    elif kind == "array":
        if kind_of(schema["items"]) == "object":
            yield from leaves(schema["items"], (*parts, 0), chain)
    else:
        yield parts, schema, chain


@pytest.mark.parametrize("path", SCHEMAS, ids=form_id)
def test_blank_form_shows_every_field_with_its_label(path: Path) -> None:
    schema, ui = load(path)
    doc = parse_html(render_form(schema, ui, None, officers=officers))
    assert_accessible(doc)
    legends = " | ".join(el.text_content() for el in doc.xpath("//legend"))
    for parts, sub, _ in leaves(schema):
        name = re.escape(json_path(parts, "data")).replace(r"\[0\]", r"\[\d+\]")
        found = [el for el in doc.xpath("//input[not(@type='hidden')] | //select | //textarea")
                 if re.fullmatch(name, el.get("name"))]
        assert found, f"no input for {name}"
        title = sub.get("title", parts[-1])
        assert all(title in label_text(doc, el) for el in found), title

    def groups(node: dict[str, Any]) -> Iterator[str]:
        for key, sub in properties(node).items():
            if kind_of(sub) in ("object", "array"):
                yield sub.get("title", key)
                yield from groups(sub.get("items", sub))

    for title in groups(schema):
        assert title in legends


@pytest.mark.parametrize("path", SCHEMAS, ids=form_id)
def test_example_posts_parses_and_validates(path: Path) -> None:
    schema, ui = load(path)
    example = example_for(schema)
    parsed = parse_form(schema, ui, post(example))
    assert parsed.problems == []
    assert parsed.action is None
    assert validate(parsed.data, schema, root="data") == []
    assert parsed.data == example


@pytest.mark.parametrize("path", SCHEMAS, ids=form_id)
def test_rendered_example_posts_back_the_same_data(path: Path) -> None:
    schema, ui = load(path)
    example = example_for(schema)
    doc = parse_html(render_form(schema, ui, example, officers=officers))
    assert_accessible(doc)
    parsed = parse_form(schema, ui, browser_post(doc))
    assert parsed.problems == []
    assert parsed.data == example


def _case(schema: dict[str, Any], case: str) -> tuple[str, str | None, str] | None:
    """(input name, text to post or None to leave it out, expected message) for ``case``."""
    for parts, sub, chain in leaves(schema):
        name = json_path(parts, "data")
        kind = kind_of(sub)
        if case == "missing" and chain and kind != "array":
            return name, None, f"Thiếu trường bắt buộc: {sub.get('title', parts[-1])}"
        if case == "integer" and kind == "integer":
            return name, "abc", "Phải là số nguyên"
        if case == "pattern" and "pattern" in sub:
            hint = sub.get("description")
            return name, "x y!", (f"Không đúng định dạng: {hint}" if hint
                                  else f"Không đúng định dạng ({sub['pattern']})")
        if case == "enum" and kind == "enum":
            return name, "Giá trị lạ", "Giá trị không thuộc danh sách cho phép: " + ", ".join(
                map(str, sub["enum"]))
        if case == "short" and kind == "string" and sub.get("minLength", 0) >= 2:
            return name, "a", f"Cần ít nhất {sub['minLength']} ký tự"
    return None


CASES = [(path, case) for path in SCHEMAS
         for case in ("missing", "integer", "pattern", "enum", "short")
         if _case(load(path)[0], case)]


@pytest.mark.parametrize(("path", "case"), CASES,
                         ids=[f"{form_id(p)}-{c}" for p, c in CASES])
def test_invalid_post_shows_the_error_beside_the_input(path: Path, case: str) -> None:
    schema, ui = load(path)
    found = _case(schema, case)
    assert found is not None
    name, text, message = found
    form = post(example_for(schema))
    form.poplist(name)
    if text is not None:
        form.add(name, text)

    parsed = parse_form(schema, ui, form)
    problems = parsed.merge(validate(parsed.data, schema, root="data"))
    errors = errors_by_field(problems)
    assert errors[name] == [message]

    doc = parse_html(render_form(schema, ui, parsed.data, errors, officers=officers,
                                 raw=parsed.raw))
    assert_accessible(doc)
    elements = controls(doc, name)
    assert elements
    error_id = f"{elements[0].get('id', '').split('--')[0]}--error"
    error = doc.xpath("//*[@id=$id]", id=error_id)[0]
    assert message in error.text_content()
    for el in elements:
        assert el.get("aria-invalid") == "true"
    described = (elements[0] if elements[0].get("type") != "radio"
                 else next(a for a in elements[0].iterancestors() if a.tag == "fieldset"))
    assert error_id in described.get("aria-describedby", "").split()
    if elements[0].get("type") == "radio":
        checked = [el.get("value") for el in elements if el.get("checked") is not None]
        assert checked == ([text] if text else [])
    else:
        assert shown_value(elements[0]) == (text or "")
    summary = doc.xpath("//*[@role='alert']")[0]
    assert message in summary.text_content()
    assert summary.xpath(".//a[@href=$href]", href=f"#{elements[0].get('id')}")
