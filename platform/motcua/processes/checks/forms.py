"""E-forms as uploaded beside a process: ``<key>.schema.json`` (+ ``<key>.ui.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from motcua.processes.checks.form_schema import pattern_problems, ref_problems
from motcua.processes.checks.problems import Problem
from motcua.safe_schema import build_validator, format_checker
from motcua.storable import unstorable

SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".ui.json"
# Far deeper than any form; the meta-schema's validator recurses once per level or more.
MAX_DEPTH = 64


def schema_problems(key: str, form: Any) -> list[Problem]:
    """Is the form a JSON Schema our renderer and validator can use? Every error, with its
    place in the schema."""
    file = f"{key}{SCHEMA_SUFFIX}"
    schema = form.get("schema") if isinstance(form, Mapping) else None
    if not isinstance(schema, Mapping):
        return [
            Problem(
                f'Biểu mẫu "{key}" không có JSON Schema (phải là một đối tượng JSON): kiểm tra '
                f"tệp {file}.",
                file=file,
            )
        ]
    declared = schema.get("$schema")
    if declared is not None and not isinstance(declared, str):
        return [
            Problem(
                f'Biểu mẫu "{key}": "$schema" phải là địa chỉ của phiên bản JSON Schema, ví dụ '
                '"https://json-schema.org/draft/2020-12/schema".',
                file=file,
            )
        ]
    if _depth(schema) > MAX_DEPTH:
        return [Problem(f'Biểu mẫu "{key}" lồng quá {MAX_DEPTH} tầng: làm phẳng tệp {file}.',
                        file=file)]
    # An explicit default: an unknown "$schema" would otherwise raise a DeprecationWarning.
    cls = validator_for(schema, default=Draft202012Validator)
    meta = build_validator(cls.META_SCHEMA, formats=format_checker(cls.FORMAT_CHECKER))
    problems = [
        Problem(
            f'Biểu mẫu "{key}" không phải JSON Schema hợp lệ tại {error.json_path}: '
            f"{error.message}. Sửa tệp {file}.",
            file=file,
        )
        for error in sorted(meta.iter_errors(dict(schema)), key=lambda e: list(map(str, e.path)))
        # pattern_problems names the field and says how to rewrite the pattern.
        if not (error.validator == "format" and error.validator_value == "regex")
    ]
    if not problems:
        problems = ref_problems(key, file, schema) + pattern_problems(key, file, schema)
    ui = form.get("ui")
    if ui is not None and not isinstance(ui, Mapping):
        problems.append(
            Problem(
                f'Cấu hình giao diện của biểu mẫu "{key}" phải là một đối tượng JSON.',
                file=f"{key}{UI_SUFFIX}",
            )
        )
    return problems


def _depth(value: Any) -> int:
    """How deeply ``value`` nests, counted without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, Mapping):
            item = list(item.values())
        if isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _parse_json(name: str, content: bytes) -> tuple[Any, Problem | None]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, Problem(
            f"Tệp {name} không phải văn bản UTF-8: lưu lại tệp ở mã hóa UTF-8.", file=name
        )
    try:
        value = json.loads(text)
    except RecursionError:
        return None, Problem(f"Tệp {name} lồng quá sâu: làm phẳng cấu trúc JSON.", file=name)
    except json.JSONDecodeError as exc:
        return None, Problem(
            f"Tệp {name} không phải JSON hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: "
            f"{exc.msg}. Kiểm tra dấu phẩy, ngoặc và dấu nháy kép.",
            line=exc.lineno,
            file=name,
        )
    except ValueError:
        # Python's int() refuses a literal of more than 4,300 digits.
        return None, Problem(f"Tệp {name} có số nguyên quá dài (hơn 4.300 chữ số).", file=name)
    if not isinstance(value, dict):
        return None, Problem(f"Tệp {name} phải chứa một đối tượng JSON ({{...}}).", line=1,
                             file=name)
    if (bad := unstorable(value)) is not None:
        # Python's parser takes NaN and Infinity, and "\ud800" escapes: no database stores them.
        return None, Problem(f"Tệp {name} chứa {bad.message} tại {bad.path or 'gốc'}: sửa "
                             "giá trị đó.", file=name)
    return value, None


def forms_from_files(
    files: Sequence[tuple[str, bytes]], *, strict_names: bool = True
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """``<key>.schema.json`` (+ optional ``<key>.ui.json``) files into {key: {"schema", "ui"}}.
    With ``strict_names`` (uploads), any other file name is a problem; a folder may hold
    other JSON files."""
    parts: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for filename, content in files:
        name = filename.replace("\\", "/").rsplit("/", 1)[-1]
        if name.endswith(SCHEMA_SUFFIX):
            key, part = name[: -len(SCHEMA_SUFFIX)], "schema"
        elif name.endswith(UI_SUFFIX):
            key, part = name[: -len(UI_SUFFIX)], "ui"
        else:
            if strict_names:
                problems.append(Problem(
                    f"Tệp biểu mẫu phải có tên <khóa>{SCHEMA_SUFFIX} hoặc <khóa>{UI_SUFFIX}: "
                    f"{name}", file=name))
            continue
        value, problem = _parse_json(name, content)
        if problem is not None:
            problems.append(problem)
            parts.setdefault(key, {})[part] = None
            continue
        parts.setdefault(key, {})[part] = value
    forms: dict[str, dict[str, Any]] = {}
    for key, found in sorted(parts.items()):
        if "schema" not in found:
            problems.append(Problem(
                f"Tệp {key}{UI_SUFFIX} không có tệp {key}{SCHEMA_SUFFIX} đi kèm: thêm schema "
                "hoặc xóa tệp giao diện.", file=f"{key}{UI_SUFFIX}"))
        elif found["schema"] is not None:
            forms[key] = {"schema": found["schema"], "ui": found.get("ui")}
    return forms, problems


def load_forms_dir(path: Path) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """Read every ``<key>.schema.json`` (+ optional ``<key>.ui.json``) in ``path``."""
    if not path.is_dir():
        return {}, [Problem(f"Không tìm thấy thư mục biểu mẫu {path}.", file=str(path))]
    files = []
    problems = []
    for item in sorted(path.glob("*.json")):
        try:
            files.append((item.name, item.read_bytes()))
        except OSError as exc:
            problems.append(Problem(f"Không đọc được tệp {item.name}: {exc.strerror}.",
                                    file=item.name))
    forms, more = forms_from_files(files, strict_names=False)
    return forms, problems + more
