"""JSON Schema validation with per-field errors in Vietnamese (e-forms and import files)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from motcua.safe_schema import UnsafeSchema, build_validator


def json_path(parts: Iterable[Any], root: str = "") -> str:
    path = root
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def _title(schema: Any, key: str) -> str:
    """A property's title (what the form shows), else its key."""
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    title = properties.get(key, {}).get("title") if isinstance(properties.get(key), dict) else None
    return str(title) if title else key


def _message(error: ValidationError) -> str:
    v = error.validator_value
    match error.validator:
        case "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            return f"Thiếu trường bắt buộc: {_title(error.schema, missing)}"
        case "type":
            names = {"string": "chuỗi", "integer": "số nguyên", "number": "số",
                     "boolean": "đúng/sai", "object": "đối tượng", "array": "danh sách",
                     "null": "rỗng"}
            wanted = v if isinstance(v, list) else [v]
            return "Phải là " + " hoặc ".join(names.get(str(t), str(t)) for t in wanted)
        case "enum":
            return "Giá trị không thuộc danh sách cho phép: " + ", ".join(map(str, v))
        case "const":
            return f"Giá trị phải là {v!r}"
        case "format":
            formats = {"date": "ngày (YYYY-MM-DD)", "date-time": "thời điểm ISO 8601",
                       "email": "địa chỉ thư điện tử", "uri": "địa chỉ URL"}
            return f"Không đúng định dạng {formats.get(str(v), str(v))}"
        case "pattern":
            # The field's own description says what is expected; a regex is no help to officers.
            hint = error.schema.get("description") if isinstance(error.schema, dict) else None
            return f"Không đúng định dạng: {hint}" if hint else f"Không đúng định dạng ({v})"
        case "minLength":
            return "Không được để trống" if v == 1 else f"Cần ít nhất {v} ký tự"
        case "maxLength":
            return f"Tối đa {v} ký tự"
        case "minimum":
            return f"Phải lớn hơn hoặc bằng {v}"
        case "maximum":
            return f"Phải nhỏ hơn hoặc bằng {v}"
        case "exclusiveMinimum":
            return f"Phải lớn hơn {v}"
        case "exclusiveMaximum":
            return f"Phải nhỏ hơn {v}"
        case "minItems":
            return f"Cần ít nhất {v} mục"
        case "maxItems":
            return f"Tối đa {v} mục"
        case "additionalProperties":
            return "Có trường không được khai báo: " + error.message.split("(")[-1].rstrip(")")
        case "uniqueItems":
            return "Các mục không được trùng nhau"
        case _:
            return f"Giá trị không hợp lệ ({error.validator})"


# A form stored before upload checked its refs and patterns can still hold what no validator
# here checks; its data is then refused, never half-checked.
UNCHECKABLE = ("Không kiểm tra được dữ liệu theo biểu mẫu này (tham chiếu $ref ra ngoài, không "
               "tồn tại hoặc lặp vòng, hoặc cấu trúc không được hỗ trợ). Báo người thiết kế "
               "quy trình sửa biểu mẫu.")


@lru_cache(maxsize=512)
def _validator(schema_json: str) -> Any:
    return build_validator(json.loads(schema_json))


def validate(instance: Any, schema: Mapping[str, Any], *, root: str = "") -> list[dict[str, str]]:
    """Every problem of ``instance`` against ``schema`` as {"field", "message"}, in document
    order."""
    try:
        validator = _validator(json.dumps(schema, sort_keys=True))
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))
    except (UnsafeSchema, Unresolvable, RecursionError):
        return [{"field": root or "_data", "message": UNCHECKABLE}]
    problems: list[dict[str, str]] = []
    for error in errors:
        path = list(error.path)
        if error.validator == "required" and "'" in error.message:
            path.append(error.message.split("'")[1])
        undeclared = _undeclared(error)
        if undeclared:
            # One problem per key the form refuses, on the key itself.
            problems.extend({"field": json_path([*path, key], root), "message": UNDECLARED}
                            for key in undeclared)
            continue
        problems.append({"field": json_path(path, root) or (root or "_data"),
                         "message": _message(error)})
    return problems


UNDECLARED = "Trường này không có trong biểu mẫu"


def _undeclared(error: ValidationError) -> list[str]:
    """The keys an ``additionalProperties: false`` or ``unevaluatedProperties: false`` refuses:
    the instance's keys that jsonschema names in its message (it lists each by ``repr``)."""
    if error.validator not in ("additionalProperties", "unevaluatedProperties") \
            or error.validator_value is not False or not isinstance(error.instance, dict):
        return []
    declared = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    listed = error.message.partition("(")[2]
    return [key for key in error.instance
            if isinstance(key, str) and key not in declared and repr(key) in listed]
