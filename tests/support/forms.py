"""Helpers for the e-form tests: posting data as a browser would, reading rendered markup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html
from lxml.html import HtmlElement
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from motcua.schema_errors import json_path
from support.paths import REPO, SAMPLES

SAMPLE_FORMS = SAMPLES / "forms"
SCHEMAS = sorted((REPO / "forms").glob("*.schema.json")) + sorted(
    SAMPLE_FORMS.glob("*.schema.json"))
TEXT_INPUTS = {"text", "number", "date", "email", "url", "datetime-local", "hidden", "tel",
               "search", "time", None}


def load(path: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    ui_path = path.with_name(path.name.replace(".schema.json", ".ui.json"))
    ui = json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.exists() else None
    return json.loads(path.read_text(encoding="utf-8")), ui


def post(data: Any, prefix: str = "data", **extra: str) -> MultiDict[str, str]:
    """``data`` as the form a browser posts: one entry per input, a checkbox's hidden "false"
    then its "true" when checked, an object row's marker."""
    items: list[tuple[str, str]] = []

    def walk(value: Any, parts: tuple[str | int, ...]) -> None:
        name = json_path(parts, root=prefix)
        if isinstance(value, dict):
            if parts and isinstance(parts[-1], int):
                items.append((name, ""))
            for key, sub in value.items():
                walk(sub, (*parts, key))
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                walk(sub, (*parts, index))
        elif isinstance(value, bool):
            items.append((name, "false"))
            if value:
                items.append((name, "true"))
        elif value is not None:
            items.append((name, str(value)))

    walk(data, ())
    items.extend(extra.items())
    return MultiDict(items)


def parse_html(markup: Markup | str) -> HtmlElement:
    return lxml.html.fragment_fromstring(str(markup), create_parent="div")


def outside_templates(doc: HtmlElement, xpath: str, **params: Any) -> list[HtmlElement]:
    return [el for el in doc.xpath(xpath, **params)
            if not any(a.tag == "template" for a in el.iterancestors())]


def controls(doc: HtmlElement, name: str) -> list[HtmlElement]:
    """The visible controls named ``name`` (not hidden inputs, not template rows)."""
    return outside_templates(
        doc, "//*[(self::input and not(@type='hidden')) or self::select or self::textarea]"
             "[@name=$name]", name=name)


def textarea_text(el: HtmlElement) -> str:
    text = el.text or ""
    return text[1:] if text.startswith("\n") else text


def shown_value(el: HtmlElement) -> str | None:
    """What a control shows: its value, the selected option, or (radio) the checked one."""
    if el.tag == "textarea":
        return textarea_text(el)
    if el.tag == "select":
        chosen = el.xpath("option[@selected]")
        return chosen[0].get("value") if chosen else ""
    return el.get("value")


def browser_post(doc: HtmlElement, **extra: str) -> MultiDict[str, str]:
    """The successful controls of the rendered form, in document order (HTML's form
    submission algorithm, minus buttons, files and disabled controls)."""
    items: list[tuple[str, str]] = []
    for el in outside_templates(doc, "//input | //select | //textarea"):
        name = el.get("name")
        if not name or el.get("disabled") is not None:
            continue
        kind = el.get("type")
        if el.tag == "textarea":
            items.append((name, textarea_text(el)))
        elif el.tag == "select":
            chosen = el.xpath("option[@selected]") or el.xpath("option")[:1]
            items.append((name, chosen[0].get("value", "") if chosen else ""))
        elif kind in ("checkbox", "radio"):
            if el.get("checked") is not None:
                items.append((name, el.get("value", "on")))
        elif kind in TEXT_INPUTS:
            items.append((name, el.get("value", "")))
    items.extend(extra.items())
    return MultiDict(items)


def label_text(doc: HtmlElement, el: HtmlElement) -> str:
    """The text that names a control: its label, or for a radio its group's legend."""
    if el.get("type") == "radio":
        fieldset = next(a for a in el.iterancestors() if a.tag == "fieldset")
        return fieldset.xpath("legend")[0].text_content()
    labels = doc.xpath("//label[@for=$id]", id=el.get("id", ""))
    assert len(labels) == 1, f"{el.get('name')} has {len(labels)} labels"
    return labels[0].text_content()


def assert_accessible(doc: HtmlElement) -> None:
    """Unique ids; every control labelled; every aria-describedby pointing at something."""
    ids = [el.get("id") for el in doc.xpath("//*[@id]")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert all(id_ and not any(c.isspace() for c in id_) for id_ in ids)
    for el in doc.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        assert el.get("id"), f"{el.get('name')} has no id"
        assert doc.xpath("//label[@for=$id]", id=el.get("id")), f"{el.get('id')} unlabelled"
    for el in doc.xpath("//*[@aria-describedby]"):
        for target in el.get("aria-describedby").split():
            assert target in ids, f"aria-describedby {target} is missing"
