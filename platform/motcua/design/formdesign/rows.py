"""The field rows a designer edits, as the page and the API exchange them (JSON).

A row is one field: its title, key, type, whether it is required, its limits, options, help,
placeholder and ready pattern; a group (a table of rows) or a section holds rows of its own.
What a row cannot say stays in its ``advanced`` part, verbatim, and is written back as it was:
``{"schema": {...}, "ui": {...}}`` keywords added to the compiled field, or for a row of type
``advanced`` the whole field.

Reading a body refuses (422, naming the field: ``rows[2].max_length``) only what has the
wrong shape; what a row *says* wrongly (a minimum above its maximum, a choice without options)
is a problem listed beside it (``problems.row_problems``), so a half-built form can still be shown.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from motcua.design.formdesign.patterns import READY_PATTERNS
from motcua.errors import Invalid

# The renderer's field types, as the designer's list names them.
TYPES: dict[str, str] = {
    "text": "Chữ (một dòng)",
    "textarea": "Đoạn văn",
    "integer": "Số nguyên",
    "number": "Số thập phân",
    "date": "Ngày",
    "datetime": "Ngày giờ",
    "email": "Thư điện tử",
    "select": "Danh sách chọn",
    "radio": "Chọn một (nút tròn)",
    "boolean": "Có/Không",
    "officer": "Cán bộ theo vai trò",
    "group": "Bảng nhiều dòng",
    "section": "Nhóm trường",
    "list": "Danh sách giá trị",
    "advanced": "Nâng cao (JSON)",
}
LENGTH_TYPES = frozenset({"text", "textarea", "email", "list"})
NUMBER_TYPES = frozenset({"integer", "number"})
CHOICE_TYPES = frozenset({"select", "radio"})
NESTED_TYPES = frozenset({"group", "section"})
PATTERN_TYPES = frozenset({"text", "list"})
PLACEHOLDER_TYPES = frozenset({"text", "textarea", "email", "integer", "number", "list",
                               "officer"})
# Types whose blank form may show a value already (a default): one value, not a list.
DEFAULT_TYPES = frozenset({"text", "textarea", "email", "date", "datetime", "integer", "number",
                           "select", "radio", "boolean"})
MAX_DEPTH = 8
MAX_ROWS = 500
MAX_TEXT = 4000


@dataclass
class Option:
    label: str
    value: str


@dataclass
class Row:
    key: str
    title: str
    type: str = "text"
    required: bool = False
    help: str = ""
    placeholder: str = ""
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_rows: int | None = None
    max_rows: int | None = None
    options: list[Option] = field(default_factory=list)
    pattern: str = ""
    role: str = ""
    rows: list[Row] = field(default_factory=list)
    # Saved before: the key is the data's name for good.
    locked: bool = False
    # The help was read from ui.json (ui:help) and goes back there, not to "description".
    help_in_ui: bool = False
    default: str | int | float | bool | None = None
    advanced_schema: Any = None
    advanced_ui: Any = None


@dataclass
class FormRows:
    title: str = ""
    description: str = ""
    rows: list[Row] = field(default_factory=list)
    # Root keywords kept verbatim ($id, $defs, additionalProperties...).
    advanced_schema: dict[str, Any] = field(default_factory=dict)
    advanced_ui: dict[str, Any] = field(default_factory=dict)
    # The whole form is outside what rows say (its root is no object of fields).
    verbatim: bool = False


# -- JSON out ------------------------------------------------------------------------------

def row_json(row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": row.key, "title": row.title, "type": row.type, "required": row.required,
        "help": row.help, "placeholder": row.placeholder,
        "min_length": row.min_length, "max_length": row.max_length,
        "minimum": row.minimum, "maximum": row.maximum,
        "min_rows": row.min_rows, "max_rows": row.max_rows,
        "options": [{"label": o.label, "value": o.value} for o in row.options],
        "pattern": row.pattern, "role": row.role,
        "rows": [row_json(r) for r in row.rows], "locked": row.locked,
        "help_in_ui": row.help_in_ui, "default": row.default,
    }
    if row.advanced_schema is not None or row.advanced_ui is not None:
        out["advanced"] = {"schema": copy.deepcopy(row.advanced_schema),
                           "ui": copy.deepcopy(row.advanced_ui)}
    return out


def form_json(form: FormRows) -> dict[str, Any]:
    return {"title": form.title, "description": form.description,
            "rows": [row_json(r) for r in form.rows],
            "advanced": {"schema": copy.deepcopy(form.advanced_schema),
                         "ui": copy.deepcopy(form.advanced_ui)},
            "verbatim": form.verbatim}


# -- JSON in -------------------------------------------------------------------------------

class _Reader:
    """Collects every shape error of a body, each with its field, before refusing it."""

    def __init__(self) -> None:
        self.details: list[dict[str, str]] = []
        self.count = 0

    def fail(self, where: str, message: str) -> None:
        self.details.append({"field": where, "message": message})

    def text(self, body: Mapping[str, Any], name: str, where: str, *,
             required: bool = False) -> str:
        value = body.get(name)
        if value is None:
            if required:
                self.fail(f"{where}.{name}" if where else name, "Bắt buộc")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{name}" if where else name, "Phải là chuỗi")
            return ""
        if len(value) > MAX_TEXT:
            self.fail(f"{where}.{name}" if where else name, f"Tối đa {MAX_TEXT} ký tự")
            return ""
        return value.replace("\x00", "")

    def flag(self, body: Mapping[str, Any], name: str, where: str) -> bool:
        value = body.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(f"{where}.{name}" if where else name, "Phải là true hoặc false")
            return False
        return value

    def number(self, body: Mapping[str, Any], name: str, where: str, *,
               whole: bool) -> Any:
        value = body.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{where}.{name}", "Phải là số")
            return None
        if whole and ((isinstance(value, float) and not value.is_integer()) or value < 0):
            self.fail(f"{where}.{name}", "Phải là số nguyên không âm")
            return None
        if abs(value) > 1e15:
            self.fail(f"{where}.{name}", "Số quá lớn")
            return None
        return int(value) if whole else value

    def rows(self, value: Any, where: str, depth: int) -> list[Row]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(where, "Phải là danh sách các trường")
            return []
        if depth > MAX_DEPTH:
            self.fail(where, f"Lồng quá {MAX_DEPTH} tầng")
            return []
        return [row for i, item in enumerate(value)
                if (row := self.row(item, f"{where}[{i}]", depth)) is not None]

    def row(self, body: Any, where: str, depth: int) -> Row | None:
        self.count += 1
        if self.count > MAX_ROWS:
            if self.count == MAX_ROWS + 1:
                self.fail(where, f"Một biểu mẫu tối đa {MAX_ROWS} trường")
            return None
        if not isinstance(body, Mapping):
            self.fail(where, "Phải là một đối tượng mô tả trường")
            return None
        kind = body.get("type", "text")
        # A list or object is no type either (and is not hashable: no dictionary lookup).
        if not isinstance(kind, str) or kind not in TYPES:
            self.fail(f"{where}.type", "Loại trường không hợp lệ: chọn một trong "
                      + ", ".join(TYPES))
            kind = "text"
        pattern = self.text(body, "pattern", where)
        if pattern and pattern not in READY_PATTERNS:
            self.fail(f"{where}.pattern", "Mẫu có sẵn không hợp lệ: chọn một trong "
                      + ", ".join(READY_PATTERNS))
            pattern = ""
        row = Row(
            key=self.text(body, "key", where), title=self.text(body, "title", where),
            type=kind, required=self.flag(body, "required", where),
            help=self.text(body, "help", where),
            placeholder=self.text(body, "placeholder", where),
            min_length=self.number(body, "min_length", where, whole=True),
            max_length=self.number(body, "max_length", where, whole=True),
            minimum=self.number(body, "minimum", where, whole=False),
            maximum=self.number(body, "maximum", where, whole=False),
            min_rows=self.number(body, "min_rows", where, whole=True),
            max_rows=self.number(body, "max_rows", where, whole=True),
            options=self.options(body.get("options"), f"{where}.options"),
            pattern=pattern, role=self.text(body, "role", where),
            rows=self.rows(body.get("rows"), f"{where}.rows", depth + 1),
            locked=self.flag(body, "locked", where),
            help_in_ui=self.flag(body, "help_in_ui", where),
            default=self.scalar(body, "default", where),
        )
        advanced = body.get("advanced")
        if advanced is not None:
            if not isinstance(advanced, Mapping):
                self.fail(f"{where}.advanced", "Phải là {\"schema\": ..., \"ui\": ...}")
            else:
                row.advanced_schema = copy.deepcopy(advanced.get("schema"))
                row.advanced_ui = copy.deepcopy(advanced.get("ui"))
                if kind != "advanced" and not _dict_or_none(row.advanced_schema):
                    self.fail(f"{where}.advanced.schema", "Phải là một đối tượng JSON")
                if not _dict_or_none(row.advanced_ui):
                    self.fail(f"{where}.advanced.ui", "Phải là một đối tượng JSON")
        if kind == "advanced" and not isinstance(row.advanced_schema, Mapping | bool):
            self.fail(f"{where}.advanced.schema",
                      "Trường nâng cao cần JSON Schema của trường (một đối tượng JSON)")
        return row

    def scalar(self, body: Mapping[str, Any], name: str, where: str) -> Any:
        value = body.get(name)
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.text(body, name, where)
        self.fail(f"{where}.{name}", "Phải là một giá trị (chuỗi, số hoặc true/false)")
        return None

    def options(self, value: Any, where: str) -> list[Option]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(where, "Phải là danh sách lựa chọn")
            return []
        found = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                self.fail(f"{where}[{i}]", "Phải là {\"label\", \"value\"}")
                continue
            label = self.text(item, "label", f"{where}[{i}]")
            value_text = self.text(item, "value", f"{where}[{i}]")
            found.append(Option(label=label, value=value_text or label))
        return found


def _dict_or_none(value: Any) -> bool:
    return value is None or isinstance(value, Mapping)


def parse_form_rows(body: Any, where: str = "") -> FormRows:
    """A body ``{"title", "description", "rows": [...], "advanced"?}`` as rows; 422 naming
    every field of the wrong shape."""
    reader = _Reader()
    if not isinstance(body, Mapping):
        raise Invalid("Nội dung phải là một đối tượng JSON",
                      [{"field": where or "_body", "message": "Phải là một đối tượng JSON"}])
    prefix = f"{where}." if where else ""
    if "rows" not in body:
        reader.fail(f"{prefix}rows", "Bắt buộc")
    form = FormRows(title=reader.text(body, "title", where),
                    description=reader.text(body, "description", where),
                    rows=reader.rows(body.get("rows"), f"{prefix}rows", 1),
                    verbatim=reader.flag(body, "verbatim", where))
    advanced = body.get("advanced")
    if advanced is not None:
        schema = advanced.get("schema") if isinstance(advanced, Mapping) else None
        ui = advanced.get("ui") if isinstance(advanced, Mapping) else None
        if not isinstance(advanced, Mapping) or not _dict_or_none(schema) or not _dict_or_none(ui):
            reader.fail(f"{prefix}advanced", "Phải là {\"schema\": {...}, \"ui\": {...}}")
        else:
            form.advanced_schema = copy.deepcopy(dict(schema or {}))
            form.advanced_ui = copy.deepcopy(dict(ui or {}))
    if reader.details:
        raise Invalid("Danh sách trường không đọc được", reader.details)
    return form
