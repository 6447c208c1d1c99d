"""The functions an expression may call (:data:`FUNCTIONS`) and their signatures."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from datetime import date as _Date
from typing import Any, Final

from .dates import _DateFunctions
from .errors import ExpressionError
from .limits import MAX_RESULT_LENGTH, _check_int, _size_within
from .values import (
    _CONTAINERS,
    _require_iterable,
    _require_number,
    _require_str,
    _type_name,
)

FUNCTIONS: Final = frozenset(
    (
        *("len", "min", "max", "round", "abs", "int", "float", "str", "bool", "sum", "any"),
        *("all", "sorted", "lower", "upper", "strip", "contains", "get"),
        *("date", "datetime", "today", "now", "days_between", "add_days"),
    )
)


class _Missing:
    def __repr__(self) -> str:
        return "<không có>"


_MISSING: Final = _Missing()


def _fn_len(value: Any) -> int:
    return len(_require_iterable(value, "len"))


def _extreme(pick: Callable[..., Any], name: str, values: tuple[Any, ...], default: Any) -> Any:
    # No `key=`: it would have to be a callable, and no value of the subset is callable.
    if len(values) == 1:
        values = tuple(_require_iterable(values[0], name))
    if not values:
        if default is _MISSING:
            raise ExpressionError(f"Hàm {name} không dùng được với danh sách rỗng")
        return default
    return pick(values)


def _fn_min(*values: Any, default: Any = _MISSING) -> Any:
    return _extreme(min, "min", values, default)


def _fn_max(*values: Any, default: Any = _MISSING) -> Any:
    return _extreme(max, "max", values, default)


def _fn_round(number: Any, ndigits: Any = None) -> Any:
    _require_number(number, "round")
    if ndigits is not None and not isinstance(ndigits, int):
        raise ExpressionError("Hàm round: số chữ số phải là số nguyên")
    return round(number, ndigits)


def _fn_abs(number: Any) -> Any:
    return abs(_require_number(number, "abs"))


def _fn_int(value: Any, base: Any = None) -> int:
    if base is not None:
        return int(_require_str(value, "int"), base)
    if not isinstance(value, str | int | float):
        raise ExpressionError(f"Hàm int không dùng được với {_type_name(value)}")
    return int(value)


def _fn_float(value: Any) -> float:
    if not isinstance(value, str | int | float):
        raise ExpressionError(f"Hàm float không dùng được với {_type_name(value)}")
    return float(value)


def _fn_str(value: Any) -> str:
    if isinstance(value, _Date):
        return value.isoformat()
    # Check before formatting: str() of a large nested value would allocate first.
    if not _size_within(value, MAX_RESULT_LENGTH):
        raise ExpressionError(f"Kết quả quá dài (tối đa {MAX_RESULT_LENGTH} ký tự)")
    return str(value)


def _fn_bool(value: Any) -> bool:
    return bool(value)


def _fn_sum(values: Any, start: Any = 0) -> Any:
    # Numbers only: sum() of lists is quadratic concatenation.
    total = _require_number(start, "sum")
    for value in _require_iterable(values, "sum"):
        total = _check_int(total + _require_number(value, "sum"))
    return total


def _fn_any(values: Any) -> bool:
    return any(_require_iterable(values, "any"))


def _fn_all(values: Any) -> bool:
    return all(_require_iterable(values, "all"))


def _fn_sorted(values: Any, reverse: Any = False) -> list[Any]:
    return sorted(_require_iterable(values, "sorted"), reverse=bool(reverse))


def _fn_lower(text: Any) -> str:
    return _require_str(text, "lower").lower()


def _fn_upper(text: Any) -> str:
    return _require_str(text, "upper").upper()


def _fn_strip(text: Any) -> str:
    return _require_str(text, "strip").strip()


def _fn_contains(container: Any, item: Any) -> bool:
    return _contains(container, item)


def _fn_get(container: Any, key: Any, default: Any = None) -> Any:
    if isinstance(container, Mapping):
        try:
            return container.get(key, default)
        except TypeError:
            return default
    if isinstance(container, str | list | tuple) and isinstance(key, int):
        return container[key] if -len(container) <= key < len(container) else default
    return default


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str) and not isinstance(item, str):
        raise ExpressionError(f'Không tìm được {_type_name(item)} "in" một chuỗi')
    if not isinstance(container, _CONTAINERS):
        raise ExpressionError(f'Không dùng được "in" với {_type_name(container)}')
    try:
        return item in container
    except TypeError as err:
        raise ExpressionError(f'Không dùng được "in" với {_type_name(item)}') from err


_PURE_FUNCTIONS: Final[dict[str, Callable[..., Any]]] = {
    "len": _fn_len,
    "min": _fn_min,
    "max": _fn_max,
    "round": _fn_round,
    "abs": _fn_abs,
    "int": _fn_int,
    "float": _fn_float,
    "str": _fn_str,
    "bool": _fn_bool,
    "sum": _fn_sum,
    "any": _fn_any,
    "all": _fn_all,
    "sorted": _fn_sorted,
    "lower": _fn_lower,
    "upper": _fn_upper,
    "strip": _fn_strip,
    "contains": _fn_contains,
    "get": _fn_get,
}


def _signature(function: Callable[..., Any], bound: bool) -> inspect.Signature:
    # Shown in error messages, so without annotations and without `self`.
    parameters = list(inspect.signature(function).parameters.values())[1 if bound else 0 :]
    return inspect.Signature([p.replace(annotation=inspect.Parameter.empty) for p in parameters])


_SIGNATURES: Final[dict[str, inspect.Signature]] = {
    **{name: _signature(fn, bound=False) for name, fn in _PURE_FUNCTIONS.items()},
    "date": _signature(_DateFunctions.fn_date, bound=True),
    "datetime": _signature(_DateFunctions.fn_datetime, bound=True),
    "today": _signature(_DateFunctions.fn_today, bound=True),
    "now": _signature(_DateFunctions.fn_now, bound=True),
    "days_between": _signature(_DateFunctions.fn_days_between, bound=True),
    "add_days": _signature(_DateFunctions.fn_add_days, bound=True),
}
assert set(_SIGNATURES) == FUNCTIONS


def _argument_problem(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str | None:
    """Why a call of ``name`` does not fit its parameters, or None when it does.

    Shared by the upload-time check (syntax nodes) and the run-time call (values), so that
    both refuse the same calls with the same message.
    """
    signature = _SIGNATURES[name]
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return f"Sai tham số khi gọi hàm {name}{signature}"
    return None
