"""E-forms as uploaded beside a process: ``<key>.schema.json`` (+ ``<key>.ui.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from motcua.processes.problems import Problem

SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".ui.json"


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
    # An explicit default: an unknown "$schema" would otherwise raise a DeprecationWarning.
    cls = validator_for(schema, default=Draft202012Validator)
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    problems = [
        Problem(
            f'Biểu mẫu "{key}" không phải JSON Schema hợp lệ tại {error.json_path}: '
            f"{error.message}. Sửa tệp {file}.",
            file=file,
        )
        for error in sorted(meta.iter_errors(dict(schema)), key=lambda e: list(map(str, e.path)))
    ]
    ui = form.get("ui")
    if ui is not None and not isinstance(ui, Mapping):
        problems.append(
            Problem(
                f'Cấu hình giao diện của biểu mẫu "{key}" phải là một đối tượng JSON.',
                file=f"{key}{UI_SUFFIX}",
            )
        )
    return problems


def _read_json(path: Path) -> tuple[Any, Problem | None]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return None, Problem(f"Không đọc được tệp {path.name}: {exc.strerror}.", file=path.name)
    except UnicodeDecodeError:
        return None, Problem(
            f"Tệp {path.name} không phải văn bản UTF-8: lưu lại tệp ở mã hóa UTF-8.",
            file=path.name,
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, Problem(
            f"Tệp {path.name} không phải JSON hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: "
            f"{exc.msg}. Kiểm tra dấu phẩy, ngoặc và dấu nháy kép.",
            line=exc.lineno,
            file=path.name,
        )
    if not isinstance(value, dict):
        return None, Problem(
            f"Tệp {path.name} phải chứa một đối tượng JSON ({{...}}).", line=1, file=path.name
        )
    return value, None


def load_forms_dir(path: Path) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """Read every ``<key>.schema.json`` (+ optional ``<key>.ui.json``) in ``path``."""
    forms: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    if not path.is_dir():
        return forms, [Problem(f"Không tìm thấy thư mục biểu mẫu {path}.", file=str(path))]
    for schema_path in sorted(path.glob(f"*{SCHEMA_SUFFIX}")):
        key = schema_path.name[: -len(SCHEMA_SUFFIX)]
        schema, problem = _read_json(schema_path)
        ui_path = path / f"{key}{UI_SUFFIX}"
        ui = None
        if ui_path.is_file():
            ui, ui_problem = _read_json(ui_path)
            if ui_problem is not None:
                problems.append(ui_problem)
        if problem is not None:
            problems.append(problem)
        else:
            forms[key] = {"schema": schema, "ui": ui}
    for ui_path in sorted(path.glob(f"*{UI_SUFFIX}")):
        key = ui_path.name[: -len(UI_SUFFIX)]
        if not (path / f"{key}{SCHEMA_SUFFIX}").is_file():
            problems.append(
                Problem(
                    f"Tệp {ui_path.name} không có tệp {key}{SCHEMA_SUFFIX} đi kèm: thêm schema "
                    "hoặc xóa tệp giao diện.",
                    file=ui_path.name,
                )
            )
    return forms, problems
