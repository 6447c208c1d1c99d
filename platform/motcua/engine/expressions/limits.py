"""The bounds on sources and on computed values, and the checks that enforce them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .errors import ExpressionError

MAX_SOURCE_LENGTH: Final = 2_000
MAX_NODES: Final = 500
MAX_DEPTH: Final = 50
MAX_SCRIPT_LENGTH: Final = 10_000
MAX_SCRIPT_NODES: Final = 2_500
MAX_RESULT_LENGTH: Final = 100_000  # chars of a computed string, items of a computed list
MAX_EXPONENT: Final = 100
MAX_INT_BITS: Final = 4_096
MAX_STORED_SIZE: Final = 1_000_000  # items + chars of one value a script stores
MAX_DATA_DEPTH: Final = 100


def _check_int(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError(f"Số quá lớn (tối đa {MAX_INT_BITS} bit)")
    return value


def _check_length(length: int) -> None:
    if length > MAX_RESULT_LENGTH:
        raise ExpressionError(f"Kết quả quá dài: {length} phần tử (tối đa {MAX_RESULT_LENGTH})")


def _check_result(value: Any) -> Any:
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        _check_length(len(value))
    return _check_int(value)


def _size_within(value: Any, limit: int) -> bool:
    """Whether the nested size (items plus chars) stays within limit; stops early, no recursion."""
    total = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        total += 1 + (len(item) if isinstance(item, str) else 0)
        if total > limit or level > MAX_DATA_DEPTH:
            return False
        if isinstance(item, Mapping):
            stack.extend((part, level + 1) for pair in item.items() for part in pair)
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend((part, level + 1) for part in item)
    return True
