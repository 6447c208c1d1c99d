"""A posted form back into JSON data, walking the schema the way the renderer drew it.

Rules: blank inputs are left out (so ``required`` fires); numbers that do not parse are
problems; a blank row in a list of values is dropped, object rows always stay; an empty
object or list is left out unless its parent requires it; a "Thêm dòng" / "Xóa dòng" button
is applied to the data right here, renumbering the rows after it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from motcua.calendar.working_time import TZ
from motcua.forms.fields import (
    ACTION,
    INTEGER,
    NUMBER,
    Place,
    enum_options,
    kind_of,
    new_row,
    properties,
    required_keys,
    text_of,
)

DATETIME_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
# A row's index in an input name (``data.rows[3].name``): ASCII digits, at most a million
# rows (str.isdigit() also takes "²", which int() refuses).
ROW_INDEX = re.compile(r"[0-9]{1,6}")
# Python's int() refuses longer numbers, and no form field holds one.
MAX_DIGITS = 4300
# Rows one table of a form takes from one post. The refused page shows every row posted
# again: 20,000 blank rows (half a megabyte posted) took 20 s to answer with 25 MB.
MAX_ROWS = 500
TRUE = frozenset({"true", "on", "1"})

_MISSING: Any = object()


@dataclass
class ParsedForm:
    """``data`` is the form's value; ``raw`` the typed text per (renumbered) input name, for
    ``render_form(..., raw=...)``; ``problems`` what could not be parsed. A value that did
    not parse stays in ``data`` as the text typed, so rows keep their places.

    ``action`` is ("add", path) or ("remove", path, index) when the user pressed a row button;
    ``data`` and ``raw`` already have the row added or removed: re-render, don't submit."""

    data: Any
    problems: list[dict[str, str]] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)
    action: tuple[Any, ...] | None = None

    def merge(self, validation: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
        """These problems, then ``validate(data, ...)``'s except on the inputs that did not
        parse (there the validator only repeats that the text is no number)."""
        failed = {p["field"] for p in self.problems}
        return [*self.problems, *({"field": str(p["field"]), "message": str(p["message"])}
                                  for p in validation if p["field"] not in failed)]


def parse_form(schema: Mapping[str, Any], ui: Mapping[str, Any] | None,
               form: MultiDict[str, str], *, prefix: str = "data") -> ParsedForm:
    """``ui`` is accepted so callers pass the same pair as to ``render_form``; no widget
    changes how a value parses."""
    parser = _Parser(form, _action(form.get(ACTION, ""), prefix))
    root = Place(prefix)
    data = parser.value(schema, root, root, keep=True)
    return ParsedForm(data=None if data is _MISSING else data, problems=parser.problems,
                      raw=parser.raw, action=parser.action)


def errors_by_field(problems: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """{"field", "message"} problems as {field: [messages]}, in order, without repeats."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        messages = errors.setdefault(str(problem["field"]), [])
        if str(problem["message"]) not in messages:
            messages.append(str(problem["message"]))
    return errors


def _action(text: str, prefix: str) -> tuple[Any, ...] | None:
    def ours(path: str) -> bool:
        return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))

    if text.startswith("add:") and ours(text[4:]):
        return ("add", text[4:])
    if text.startswith("remove:"):
        path, _, index = text[7:].rpartition(":")
        if ours(path) and ROW_INDEX.fullmatch(index):
            return ("remove", path, int(index))
    return None


class _Parser:
    def __init__(self, form: MultiDict[str, str], action: tuple[Any, ...] | None) -> None:
        self.form = form
        self.action = action
        self.problems: list[dict[str, str]] = []
        self.raw: dict[str, str] = {}

    def value(self, schema: Any, src: Place, out: Place, *, keep: bool) -> Any:
        """The value posted at ``src`` (the names as rendered), placed at ``out`` (the
        names after rows were added or removed)."""
        kind = kind_of(schema)
        if kind == "object":
            required = required_keys(schema)
            result = {}
            for key, sub in properties(schema).items():
                value = self.value(sub, src.child(key), out.child(key), keep=key in required)
                if value is not _MISSING:
                    result[key] = value
            return result if result or keep else _MISSING
        if kind == "array":
            return self._list(schema["items"], src, out, keep=keep)
        if kind == "boolean":
            posted = self.form.getlist(src.name)
            return any(v in TRUE for v in posted) if posted else _MISSING
        text = self.form.get(src.name)
        if text is None:
            return _MISSING
        self.raw[out.name] = text
        return self._scalar(kind, schema, text.strip(), out)

    def _list(self, items: Any, src: Place, out: Place, *, keep: bool) -> Any:
        removed = (self.action[2] if self.action and self.action[:2] == ("remove", src.name)
                   else None)
        is_object = kind_of(items) == "object"
        rows: list[Any] = []
        indices = self._indices(src.name)
        if len(indices) > MAX_ROWS:
            self.problems.append({"field": out.name,
                                  "message": f"Nhiều nhất {MAX_ROWS} dòng"})
            indices = indices[:MAX_ROWS]
        for index in indices:
            if index == removed:
                continue
            value = self.value(items, src.child(index), out.child(len(rows)), keep=is_object)
            if value is not _MISSING:
                rows.append(value)
        if self.action == ("add", src.name):
            rows.append(new_row(items))
        return rows if rows or keep else _MISSING

    def _indices(self, path: str) -> list[int]:
        start = f"{path}["
        found = set()
        for name in self.form:
            if name.startswith(start):
                index = name[len(start):].split("]", 1)[0]
                if ROW_INDEX.fullmatch(index):
                    found.add(int(index))
        return sorted(found)

    def _scalar(self, kind: str, schema: Mapping[str, Any], text: str, out: Place) -> Any:
        if not text:
            return _MISSING
        if kind in ("integer", "number") and len(text) > MAX_DIGITS:
            return self._fail(out, text, f"Số dài quá {MAX_DIGITS} chữ số")
        if kind == "integer":
            return int(text) if INTEGER.fullmatch(text) else self._fail(out, text,
                                                                         "Phải là số nguyên")
        if kind == "number":
            # The Vietnamese decimal comma, when the browser did not turn it into a point.
            number = text.replace(",", ".", 1) if "." not in text else text
            if INTEGER.fullmatch(number):
                return int(number)
            return float(number) if NUMBER.fullmatch(number) else self._fail(out, text,
                                                                             "Phải là số")
        if kind == "enum":
            for value, _label in enum_options(schema) or []:
                if text_of(value) == text:
                    return value
            return text  # not a choice: the validator says which ones are
        if kind == "json":
            try:
                return json.loads(text)
            except (ValueError, RecursionError):
                return self._fail(out, text, "Phải là dữ liệu JSON hợp lệ")
        text = text.replace("\r\n", "\n")
        if schema.get("format") == "date-time" and DATETIME_LOCAL.fullmatch(text):
            # datetime-local posts Vietnam wall-clock time; the schema wants an offset.
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return text  # the validator reports the format
            return moment.replace(tzinfo=TZ).isoformat(timespec="seconds")
        return text

    def _fail(self, out: Place, text: str, message: str) -> str:
        self.problems.append({"field": out.name, "message": message})
        return text
