"""A JSON Schema (+ ui.json) as server-rendered, accessible HTML form fields.

Input names are the validator's JSON paths (``data.ho_ten``, ``data.thanh_phan[0].ten``), so
every validation problem lands beside its input. Lists get "Thêm dòng" / "Xóa dòng" submit
buttons named ``_form_action`` (``add:<path>``, ``remove:<path>:<index>``) that work without
JavaScript; ``/static/forms.js`` does the same in the page from each list's ``<template>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from motcua.forms.fields import (
    ACTION,
    Place,
    initial_values,
    kind_of,
    new_row,
    ordered_keys,
    properties,
    required_keys,
)
from motcua.forms.html import join, tag
from motcua.forms.ui import normalise_ui
from motcua.forms.widgets import (
    Context,
    Field,
    Officers,
    control,
    field_class,
    label_content,
    notes,
)


def render_form(
    schema: Mapping[str, Any],
    ui: Mapping[str, Any] | None,
    values: Mapping[str, Any] | None,
    errors: Mapping[str, list[str]] | None = None,
    *,
    prefix: str = "data",
    officers: Officers | None = None,
    raw: Mapping[str, str] | None = None,
) -> Markup:
    """The form's fields (without the ``<form>`` element, its buttons or CSRF token).

    ``values`` None shows the schema defaults. ``errors`` maps input names to messages (see
    ``errors_by_field``); the ones that belong to no input are listed in the summary on top.
    ``raw`` is the text the user typed per input name, shown instead of the value.
    ``officers(role)`` lists (username, full name) for the "officer" widget; without it the
    widget is a text input for the username."""
    ctx = Context(errors or {}, raw or {}, officers)
    title = schema.get("title")
    root = Field(schema, normalise_ui(schema, ui), Place(prefix),
                 title=title if isinstance(title, str) and title else prefix,
                 required=True, enforced=True)
    if values is None:
        values = initial_values(schema)
    if kind_of(schema) == "object":
        body = _members(root, values, ctx)
        description = schema.get("description")
        intro = (tag("p", {"class": "form-description"}, description)
                 if isinstance(description, str) and description else None)
    else:
        body, intro = _node(root, values, ctx), None
    note = (tag("p", {"class": "form-note"}, "Các trường có dấu * là bắt buộc.")
            if ctx.marked else None)
    return tag("div", {"class": "eform", "data-eform": True},
               _summary(ctx, root.place), intro, note, body)


def _node(f: Field, value: Any, ctx: Context) -> Markup:
    kind = f.kind
    if kind == "object":
        return _group(f, value, ctx)
    if kind == "array":
        return _array(f, value, ctx)
    return control(f, value, ctx)


def _members(f: Field, value: Any, ctx: Context) -> Markup:
    values = value if isinstance(value, Mapping) else {}
    props, required = properties(f.schema), required_keys(f.schema)
    trail = f.trail if not f.place.parts else (*f.trail, f.title)
    parts = []
    for key in ordered_keys(f.schema, f.ui.order):
        sub = props[key]
        title = sub.get("title")
        child = Field(sub, f.ui.child(key),
                      f.place.child(key), title=title if isinstance(title, str) and title
                      else key, required=key in required,
                      enforced=f.enforced and key in required, trail=trail)
        parts.append(_node(child, values.get(key), ctx))
    return join(parts)


def _fieldset(f: Field, ctx: Context, css: str, legend: Markup, *content: Any,
              attrs: Mapping[str, Any] | None = None) -> Markup:
    messages = ctx.messages(f.place)
    described_notes, described = notes(f, messages)
    ctx.anchor(f, f.place.id)
    return tag("fieldset", {"class": field_class(css, messages),
                            "id": f.place.id, "aria-describedby": described, **(attrs or {})},
               tag("legend", {}, legend), described_notes, *content)


def _group(f: Field, value: Any, ctx: Context) -> Markup:
    return _fieldset(f, ctx, "form-group", label_content(f, ctx), _members(f, value, ctx))


def _array(f: Field, value: Any, ctx: Context) -> Markup:
    rows = list(value) if isinstance(value, list | tuple) else []
    template = _row(f, len(rows), new_row(f.schema["items"]), ctx.blank())
    add = tag("button", {"type": "submit", "name": ACTION, "value": f"add:{f.place.name}",
                         "formnovalidate": True, "class": "form-add", "data-form-add": True},
              "Thêm dòng", tag("span", {"class": "visually-hidden"}, f" – {f.title}"))
    return _fieldset(
        f, ctx, "form-array", label_content(f, ctx),
        tag("ol", {"class": "form-rows", "data-form-rows": True},
            *(_row(f, i, row, ctx) for i, row in enumerate(rows))),
        tag("template", {"data-form-template": True}, template),
        add,
        attrs={"data-form-array": True, "data-path": f.place.name, "data-id": f.place.id},
    )


def _row(f: Field, index: int, value: Any, ctx: Context) -> Markup:
    place, number = f.place.child(index), index + 1
    items = f.schema["items"]
    remove = tag("button", {"type": "submit", "name": ACTION,
                            "value": f"remove:{f.place.name}:{index}", "formnovalidate": True,
                            "class": "form-remove", "data-form-remove": True},
                 "Xóa dòng", tag("span", {"class": "visually-hidden"}, " ",
                                 tag("span", {"data-form-row-number": True}, number)))
    if kind_of(items) == "object":
        row = Field(items, f.ui.item(), place, title=f"dòng {number}", enforced=True,
                    trail=(*f.trail, f.title))
        legend = join(["Dòng ", tag("span", {"data-form-row-number": True}, number)])
        # The marker posts the row even when none of its inputs does (e.g. no radio chosen).
        marker = tag("input", {"type": "hidden", "name": place.name, "value": ""})
        content = _fieldset(row, ctx, "form-group form-row-group", legend, marker,
                            _members(row, value, ctx), remove)
    else:
        # A blank value row is dropped when parsed, so the browser need not insist on it.
        row = Field(items, f.ui.item(), place, title=f.title, trail=f.trail, row=number)
        content = join([control(row, value, ctx), remove])
    return tag("li", {"class": "form-row", "data-form-row": True, "data-path": place.name,
                      "data-id": place.id}, content)


def _summary(ctx: Context, root: Place) -> Markup | None:
    entries = []
    for path, messages in ctx.errors.items():
        anchor = ctx.anchors.get(path)
        for message in messages:
            if anchor is None:
                entries.append(tag("li", {}, message))
            else:
                element_id, label = anchor
                entries.append(tag("li", {}, tag("a", {"href": f"#{element_id}"},
                                                 f"{label}: {message}")))
    if not entries:
        return None
    heading = f"{root.id}--summary"
    return tag("div", {"class": "form-summary", "role": "alert", "tabindex": "-1",
                       "aria-labelledby": heading, "data-form-summary": True},
               tag("h2", {"id": heading}, "Vui lòng kiểm tra lại các thông tin sau"),
               tag("ul", {}, *entries))
