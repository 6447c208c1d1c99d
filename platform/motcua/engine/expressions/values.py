"""What the language knows about values: their names in messages and the argument checks."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date as _Date
from datetime import datetime as _DateTime
from datetime import timedelta
from typing import Any, Final

from .errors import ExpressionError

_CONTAINERS: Final = (str, list, tuple, dict, set, frozenset, Mapping)


def _type_name(value: object) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "logic"
    names: list[tuple[type | tuple[type, ...], str]] = [
        (int, "số nguyên"),
        (float, "số thực"),
        (str, "chuỗi"),
        (list, "danh sách"),
        (tuple, "bộ giá trị"),
        (Mapping, "từ điển"),
        ((set, frozenset), "tập hợp"),
        (_DateTime, "ngày giờ"),
        (_Date, "ngày"),
        (timedelta, "khoảng thời gian"),
    ]
    for kind, name in names:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _short(value: object, limit: int = 60) -> str:
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float)


def _require_iterable(value: Any, function: str) -> Collection[Any]:
    if not isinstance(value, _CONTAINERS):
        raise ExpressionError(
            f"Hàm {function} cần một danh sách, không dùng được với {_type_name(value)}"
        )
    return value


def _require_number(value: Any, function: str) -> float:
    if not _is_number(value):
        raise ExpressionError(f"Hàm {function} cần một số, không dùng được với {_type_name(value)}")
    return value


def _require_str(value: Any, function: str) -> str:
    if not isinstance(value, str):
        raise ExpressionError(
            f"Hàm {function} cần một chuỗi, không dùng được với {_type_name(value)}"
        )
    return value
