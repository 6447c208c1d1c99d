"""What the operators do to values: bounded arithmetic and comparisons."""

from __future__ import annotations

import ast
from typing import Any

from .checker import _BIN_OPS, _COMPARE_OPS, _FORBIDDEN_OPS
from .errors import ExpressionError
from .functions import _contains
from .limits import MAX_EXPONENT, MAX_INT_BITS, _check_int, _check_length
from .values import _CONTAINERS, _is_number, _short, _type_name


def _arithmetic(op: ast.operator, left: Any, right: Any) -> Any:
    symbol = _BIN_OPS.get(type(op))
    if symbol is None:
        raise ExpressionError(f"Không được dùng toán tử {_FORBIDDEN_OPS.get(type(op), '?')}")
    numbers = _is_number(left) and _is_number(right)
    try:
        if isinstance(op, ast.Add):
            if numbers:
                return _check_int(left + right)
            if type(left) is type(right) and isinstance(left, str | list | tuple):
                _check_length(len(left) + len(right))
                return left + right
        elif isinstance(op, ast.Mult):
            if numbers:
                if isinstance(left, int) and isinstance(right, int):
                    _check_int(1 << (left.bit_length() + right.bit_length() - 1))
                return _check_int(left * right)
            if isinstance(left, int) and isinstance(right, str | list | tuple):
                left, right = right, left
            if isinstance(left, str | list | tuple) and isinstance(right, int):
                return _repeat(left, right)
        elif numbers:
            if isinstance(op, ast.Pow):
                return _power(left, right)
            if isinstance(op, ast.Sub):
                return _check_int(left - right)
            if isinstance(op, ast.Div):
                return left / right
            if isinstance(op, ast.FloorDiv):
                return left // right
            return left % right
    except ZeroDivisionError as err:
        raise ExpressionError("Chia cho 0") from err
    except OverflowError as err:
        raise ExpressionError("Kết quả quá lớn") from err
    raise ExpressionError(
        f'Không dùng được toán tử "{symbol}" giữa {_type_name(left)} và {_type_name(right)}'
    )


def _repeat(sequence: str | list[Any] | tuple[Any, ...], times: int) -> Any:
    _check_length(len(sequence) * max(times, 0))
    # Repeating a container would share it: [[0]*n]*n is small to build, huge to compare.
    if not isinstance(sequence, str) and any(isinstance(x, _CONTAINERS[1:]) for x in sequence):
        raise ExpressionError("Chỉ được lặp danh sách gồm các giá trị đơn")
    return sequence * times


def _power(base: float, exponent: float) -> Any:
    if abs(exponent) > MAX_EXPONENT:
        raise ExpressionError(f"Số mũ quá lớn: {_short(exponent)} (tối đa {MAX_EXPONENT})")
    # Estimated before computing: the result has about bits(base) * exponent bits.
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and (abs(base).bit_length() - 1) * exponent > MAX_INT_BITS
    ):
        raise ExpressionError(f"Số quá lớn (tối đa {MAX_INT_BITS} bit)")
    result = base**exponent
    if isinstance(result, complex):
        raise ExpressionError("Kết quả không phải số thực")
    return _check_int(result)


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq):
        return bool(left == right)
    if isinstance(op, ast.NotEq):
        return bool(left != right)
    if isinstance(op, ast.In):
        return _contains(right, left)
    if isinstance(op, ast.NotIn):
        return not _contains(right, left)
    if isinstance(op, ast.Is):
        return left is right
    if isinstance(op, ast.IsNot):
        return left is not right
    symbol = _COMPARE_OPS.get(type(op), "?")
    try:
        if isinstance(op, ast.Lt):
            return bool(left < right)
        if isinstance(op, ast.LtE):
            return bool(left <= right)
        if isinstance(op, ast.Gt):
            return bool(left > right)
        if isinstance(op, ast.GtE):
            return bool(left >= right)
    except TypeError as err:
        raise ExpressionError(
            f'Không so sánh "{symbol}" được {_type_name(left)} với {_type_name(right)}'
        ) from err
    raise ExpressionError(f"Không được dùng phép so sánh {symbol}")
