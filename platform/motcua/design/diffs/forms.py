"""The forms two snapshots use, field by field: title, type (as the renderer draws it),
required, options, limits and help. A field is what ``motcua.forms`` (the one renderer)
makes of a schema node, so a change shown here is a change an officer or applicant sees."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from motcua.design.diffs.snapshot import Change, Snapshot
from motcua.design.formdesign.rows import TYPES
from motcua.forms.fields import enum_options, kind_of, properties, required_keys
from motcua.forms.ui import EMPTY, FieldUi, normalise_ui
from motcua.processes.checks.words import capital

LIMITS = ("minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
          "exclusiveMaximum", "pattern", "minItems", "maxItems", "format")
# A field's kind here (the renderer's, with its widget) -> the form designer's type, whose
# name the designer reads in the field list: one name in the editor and in the diff.
_DESIGNER_TYPE = {
    "string": "text", "textarea": "textarea", "integer": "integer", "number": "number",
    "date": "date", "date-time": "datetime", "email": "email", "enum": "select",
    "radio": "radio", "boolean": "boolean", "officer": "officer", "object": "section",
    "json": "advanced",
}


ATTRIBUTE_WORDS = {"title": "Tiêu đề", "type": "Kiểu", "required": "Bắt buộc",
                   "options": "Các lựa chọn", "limits": "Giới hạn", "help": "Hướng dẫn"}
MAX_DEPTH = 6
# Each limit as the designer reads it: JSON Schema's keywords are the experts' JSON view only.
LIMIT_WORDS = {
    "minLength": "ít nhất {} ký tự", "maxLength": "tối đa {} ký tự",
    "minimum": "nhỏ nhất {}", "maximum": "lớn nhất {}",
    "exclusiveMinimum": "lớn hơn {}", "exclusiveMaximum": "nhỏ hơn {}",
    "pattern": "theo mẫu «{}»", "minItems": "ít nhất {} dòng", "maxItems": "tối đa {} dòng",
    "format": "định dạng {}",
}
FORMAT_WORDS = {"date": "ngày", "email": "thư điện tử", "date-time": "ngày giờ"}


def field_type(schema: Mapping[str, Any], ui: FieldUi) -> str:
    """The form designer's type of a field (a key of its ``TYPES``)."""
    kind = kind_of(schema)
    if ui.widget in ("textarea", "radio", "officer"):
        return ui.widget
    if kind == "string" and schema.get("format") in ("date", "email", "date-time"):
        kind = str(schema["format"])
    if kind == "array":
        # A list of rows or a list of values, as the designer tells them apart.
        items = schema.get("items")
        return "group" if isinstance(items, Mapping) and kind_of(items) == "object" else "list"
    return _DESIGNER_TYPE.get(kind, "advanced")


def fields_of(schema: Any, ui: Any) -> dict[str, dict[str, Any]]:
    """Every field of a form, nested ones by a dotted path, with what is compared."""
    if not isinstance(schema, Mapping):
        return {}
    return dict(_walk(schema, normalise_ui(schema, ui if isinstance(ui, Mapping) else None),
                      "", 0))


def _walk(schema: Mapping[str, Any], ui: FieldUi, prefix: str,
          depth: int) -> Iterator[tuple[str, dict[str, Any]]]:
    required = required_keys(schema)
    for key, sub in properties(schema).items():
        path = f"{prefix}{key}"
        child = ui.child(key)
        options = enum_options(sub)
        if options is None and isinstance(sub.get("items"), Mapping):
            options = enum_options(sub["items"])
        yield path, {
            "title": sub.get("title") if isinstance(sub.get("title"), str) else None,
            "type": field_type(sub, child),
            "required": key in required,
            "options": [[v, label] for v, label in options] if options else None,
            "limits": {k: sub[k] for k in LIMITS if k in sub} or None,
            "help": child.help or (sub.get("description")
                                   if isinstance(sub.get("description"), str) else None),
        }
        if depth >= MAX_DEPTH:
            continue
        kind = kind_of(sub)
        if kind == "object":
            yield from _walk(sub, child, f"{path}.", depth + 1)
        elif kind == "array" and kind_of(sub.get("items")) == "object":
            yield from _walk(sub["items"], child.items or EMPTY, f"{path}.", depth + 1)


def _form_name(key: str, form: Mapping[str, Any] | None) -> str:
    schema = form.get("schema") if form else None
    title = schema.get("title") if isinstance(schema, Mapping) else None
    return f'biểu mẫu "{title}"' if isinstance(title, str) and title.strip() else \
        f'biểu mẫu "{key}"'


def _field_name(path: str, spec: Mapping[str, Any]) -> str:
    return f'trường "{spec["title"]}" ({path})' if spec.get("title") else f'trường "{path}"'


def _text(attribute: str, value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "(không có)"
    if attribute == "type":
        name = TYPES.get(str(value), str(value))
        return f'"{name[0].lower()}{name[1:]}"'
    if attribute == "required":
        return "bắt buộc" if value else "không bắt buộc"
    if attribute == "options":
        return ", ".join(f'"{label}"' for _, label in value)
    if attribute == "limits":
        return ", ".join(LIMIT_WORDS[k].format(FORMAT_WORDS.get(str(v), v) if k == "format"
                                               else v) for k, v in value.items())
    return f'"{value}"'


def compare_forms(old: Snapshot, new: Snapshot) -> list[Change]:
    changes: list[Change] = []
    for key in dict.fromkeys([*new.forms, *old.forms]):
        changes.extend(_compare_form(key, old, new))
    return changes


def _compare_form(key: str, old: Snapshot, new: Snapshot) -> Iterator[Change]:
    a, b = old.forms.get(key), new.forms.get(key)
    side = new if b is not None else old
    users = side.form_users(key)
    element = users[0] if users else side.process_id
    name = _form_name(key, b or a)
    where = f" (dùng ở {', '.join(side.label(u) for u in users[:3])})" if users else ""

    def change(kind: str, message: str, field: str | None = None, before: Any = None,
               after: Any = None) -> Change:
        return Change(element, kind, "form", name, message, field=field, old=before,
                      new=after, form=key, elements=users)

    if a is None or b is None:
        yield change("added" if a is None else "removed",
                     f"{'Thêm' if a is None else 'Bỏ'} {name}{where}.")
        return
    before = fields_of(a.get("schema"), a.get("ui"))
    after = fields_of(b.get("schema"), b.get("ui"))
    lead = f"{capital(name)}{where}"
    for path, spec in before.items():
        if path not in after:
            yield change("removed", f"{lead}: bỏ {_field_name(path, spec)}.", f"fields.{path}",
                         spec, None)
    for path, spec in after.items():
        was = before.get(path)
        if was is None:
            required = ", bắt buộc" if spec["required"] else ""
            yield change("added", f"{lead}: thêm {_field_name(path, spec)} (kiểu "
                                  f"{_text('type', spec['type'])}{required}).",
                         f"fields.{path}", None, spec)
            continue
        for attribute, caption in ATTRIBUTE_WORDS.items():
            x, y = was[attribute], spec[attribute]
            if x != y:
                yield change("changed", f'{lead}, {_field_name(path, spec)}: "{caption}" đổi '
                                        f"từ {_text(attribute, x)} thành {_text(attribute, y)}.",
                             f"fields.{path}.{attribute}", x, y)
