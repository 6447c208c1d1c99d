"""One labelled control per value: text, textarea, number, date, select, radios, checkbox,
officer select, and a JSON textarea for constructs the form does not draw field by field."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

from motcua.calendar.working_time import TZ
from motcua.forms.fields import NUMBER, Place, enum_options, kind_of, text_of
from motcua.forms.html import join, tag
from motcua.forms.ui import FieldUi

Officers = Callable[[str], Sequence[tuple[str, str]]]

INPUT_TYPES = {"date": "date", "email": "email", "uri": "url", "date-time": "datetime-local"}
JSON_HINT = "Nhập dữ liệu dạng JSON."
# The HTML parser drops a newline right after <textarea>: this one, not the value's own.
TEXTAREA_START = "\n"


@dataclass(frozen=True)
class Field:
    schema: Mapping[str, Any]
    ui: FieldUi
    place: Place
    title: str
    required: bool = False  # required by its parent object: shows the "*" marker
    enforced: bool = False  # ... and every enclosing group is present: the browser insists
    trail: tuple[str, ...] = ()  # enclosing groups and rows, for the error summary
    row: int | None = None  # row number of a value in a list of values

    @property
    def kind(self) -> str:
        return kind_of(self.schema)

    @property
    def help(self) -> str | None:
        description = self.schema.get("description")
        return self.ui.help or (description if isinstance(description, str) and description
                                else None)

    @property
    def summary_label(self) -> str:
        title = self.title if self.row is None else f"{self.title}, dòng {self.row}"
        return " › ".join((*self.trail, title))


@dataclass
class Context:
    """One rendering: the errors and raw texts to show, the officer lists already fetched,
    and every element an error summary can link to."""

    errors: Mapping[str, Sequence[str]]
    raw: Mapping[str, str]
    officers: Officers | None
    officer_cache: dict[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    anchors: dict[str, tuple[str, str]] = field(default_factory=dict)
    marked: bool = False

    def blank(self) -> Context:
        """For a new-row template: no errors, no raw text, nothing to link to."""
        return Context({}, {}, self.officers, self.officer_cache)

    def messages(self, place: Place) -> list[str]:
        return [str(m) for m in self.errors.get(place.name, ())]

    def shown(self, f: Field, value: Any) -> str:
        if f.place.name in self.raw:
            return self.raw[f.place.name]
        if f.schema.get("format") == "date-time" and isinstance(value, str):
            return _local_time(value)
        return text_of(value)

    def choices(self, role: str) -> Sequence[tuple[str, str]] | None:
        if self.officers is None:
            return None
        if role not in self.officer_cache:
            self.officer_cache[role] = list(self.officers(role))
        return self.officer_cache[role]

    def anchor(self, f: Field, element_id: str) -> None:
        self.anchors.setdefault(f.place.name, (element_id, f.summary_label))


def marker(f: Field, ctx: Context) -> Markup | None:
    if not f.required:
        return None
    ctx.marked = True
    return join([tag("span", {"class": "form-required", "aria-hidden": "true"}, " *"),
                 tag("span", {"class": "visually-hidden"}, " (bắt buộc)")])


def label_content(f: Field, ctx: Context) -> Markup:
    if f.row is None:
        return join([f.title, marker(f, ctx)])
    return join([f.title, ", dòng ", tag("span", {"data-form-row-number": True}, f.row)])


def notes(f: Field, messages: list[str],
          extra_help: str | None = None) -> tuple[Markup, str | None]:
    """The help text and error messages shown above a control, and the ids that describe it."""
    text = " ".join(t for t in (f.help, extra_help) if t)
    ids = []
    parts = []
    if text:
        ids.append(f"{f.place.id}--help")
        parts.append(tag("p", {"class": "form-help", "id": ids[-1]}, text))
    if messages:
        ids.append(f"{f.place.id}--error")
        lines: list[Any] = [tag("span", {"class": "visually-hidden"}, "Lỗi: ")]
        for i, message in enumerate(messages):
            lines += [tag("br") if i else None, message]
        parts.append(tag("p", {"class": "form-error", "id": ids[-1]}, *lines))
    return join(parts), " ".join(ids) or None


def field_class(base: str, messages: list[str]) -> str:
    return f"{base} form-field-error" if messages else base


def _invalid(messages: list[str]) -> str | None:
    return "true" if messages else None


def _with_current(options: list[tuple[str, str]], shown: str) -> list[tuple[str, str]]:
    """Keep what was chosen (or typed) even when it is not, or no longer, a choice."""
    if shown and shown not in {value for value, _ in options}:
        return [*options, (shown, shown)]
    return options


def control(f: Field, value: Any, ctx: Context) -> Markup:
    kind, widget = f.kind, f.ui.widget
    if kind == "boolean":
        return _checkbox(f, value, ctx)
    if kind == "enum" and widget == "radio":
        return _radios(f, value, ctx)
    messages = ctx.messages(f.place)
    extra = JSON_HINT if kind == "json" else None
    described_notes, described = notes(f, messages, extra)
    common = {"id": f.place.id, "name": f.place.name, "required": f.enforced,
              "aria-invalid": _invalid(messages), "aria-describedby": described}
    shown = ctx.shown(f, value)
    choices = ctx.choices(f.ui.role) if widget == "officer" and kind == "string" else None
    if choices is not None:
        element = _select(common, list(choices), shown, "— Chọn cán bộ —")
    elif kind == "enum":
        element = _select(common, [(text_of(v), label) for v, label in enum_options(f.schema)
                                   or []], shown, "— Chọn —")
    elif kind == "json":
        text = shown if f.place.name in ctx.raw or value is None else json.dumps(
            value, ensure_ascii=False, indent=2)
        element = tag("textarea", {**common, "rows": 6, "class": "form-json",
                                   "spellcheck": "false"}, TEXTAREA_START, text)
    elif widget == "textarea" and kind == "string":
        element = tag("textarea", {**common, "rows": 4, **_length(f.schema),
                                   "placeholder": f.ui.placeholder}, TEXTAREA_START, shown)
    else:
        element = tag("input", {**common, **_input_attrs(f, shown), "value": shown})
    ctx.anchor(f, f.place.id)
    label_attrs = {"for": f.place.id, "class": "visually-hidden" if f.row else None}
    return tag("div", {"class": field_class("form-field", messages)},
               tag("label", label_attrs, label_content(f, ctx)), described_notes, element)


def _select(common: Mapping[str, Any], options: list[tuple[str, str]], shown: str,
            blank: str) -> Markup:
    return tag("select", common, tag("option", {"value": ""}, blank), *(
        tag("option", {"value": value, "selected": value == shown}, label)
        for value, label in _with_current(options, shown)))


def _radios(f: Field, value: Any, ctx: Context) -> Markup:
    messages = ctx.messages(f.place)
    described_notes, described = notes(f, messages)
    shown = ctx.shown(f, value)
    options = _with_current([(text_of(v), label) for v, label in enum_options(f.schema) or []],
                            shown)
    radios = []
    for i, (option, label) in enumerate(options):
        radio_id = f"{f.place.id}--{i}"
        radios.append(tag("div", {"class": "form-radio"}, tag("input", {
            "type": "radio", "id": radio_id, "name": f.place.name, "value": option,
            "checked": option == shown, "required": f.enforced,
            "aria-invalid": _invalid(messages)}),
            tag("label", {"for": radio_id}, label)))
    ctx.anchor(f, f"{f.place.id}--0")
    return tag("fieldset", {
        "class": field_class("form-field form-radios", messages),
        "id": f.place.id, "aria-describedby": described},
        tag("legend", {}, label_content(f, ctx)), described_notes, *radios)


def _checkbox(f: Field, value: Any, ctx: Context) -> Markup:
    messages = ctx.messages(f.place)
    described_notes, described = notes(f, messages)
    ctx.anchor(f, f.place.id)
    # The hidden "false" is posted even when the box is unchecked; a checked box adds "true".
    return tag("div", {"class": field_class("form-field form-check", messages)},
               tag("input", {"type": "hidden", "name": f.place.name, "value": "false"}),
               tag("input", {"type": "checkbox", "id": f.place.id, "name": f.place.name,
                             "value": "true", "checked": value is True or value == "true",
                             "required": f.enforced,
                             "aria-invalid": _invalid(messages),
                             "aria-describedby": described}),
               tag("label", {"for": f.place.id}, label_content(f, ctx)), described_notes)


def _input_attrs(f: Field, shown: str) -> dict[str, Any]:
    schema, kind = f.schema, f.kind
    attrs: dict[str, Any] = {"placeholder": f.ui.placeholder}
    if kind in ("integer", "number") and shown and not NUMBER.fullmatch(shown.strip()):
        # A number input cannot show "abc": keep what was typed in a text input instead.
        attrs.update(type="text", inputmode="numeric" if kind == "integer" else "decimal")
        return attrs
    if kind in ("integer", "number"):
        attrs.update(type="number", step="1" if kind == "integer" else "any",
                     min=_bound(schema, "minimum", "exclusiveMinimum", 1, kind),
                     max=_bound(schema, "maximum", "exclusiveMaximum", -1, kind))
        return attrs
    attrs["type"] = INPUT_TYPES.get(str(schema.get("format")), "text")
    if attrs["type"] == "text" and f.ui.widget == "officer":
        attrs["autocomplete"] = "off"
    attrs.update(_length(schema))
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and attrs["type"] == "text":
        attrs["pattern"] = html_pattern(pattern)
        examples = schema.get("examples")
        attrs["title"] = f.help or (
            "Ví dụ: " + ", ".join(map(str, examples)) if isinstance(examples, list) and examples
            else f"Theo mẫu {pattern}")
    return attrs


def _length(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {attr: schema[key] for attr, key in (("minlength", "minLength"),
                                                 ("maxlength", "maxLength"))
            if isinstance(schema.get(key), int) and not isinstance(schema[key], bool)}


def _bound(schema: Mapping[str, Any], inclusive: str, exclusive: str, step: int,
           kind: str) -> int | float | None:
    value = schema.get(inclusive)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    value = schema.get(exclusive)
    # HTML has no exclusive bounds; for whole numbers the next one is the inclusive bound.
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return value + step
    return None


def html_pattern(pattern: str) -> str:
    """The browser anchors ``pattern`` at both ends; JSON Schema searches anywhere. A fully
    anchored pattern without alternatives means the same in both, others are wrapped."""
    if (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")
            and "|" not in pattern):
        return pattern
    return f".*(?:{pattern}).*"


def _local_time(value: str) -> str:
    """An ISO 8601 instant as ``datetime-local`` shows it, in Vietnam time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(TZ)
    return moment.strftime("%Y-%m-%dT%H:%M")
