"""The interpreter: walks a checked syntax tree over the data (``eval`` is never used)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from datetime import date as _Date
from datetime import datetime as _DateTime
from datetime import timedelta
from typing import Any, Final

from .dates import Clock, _DateFunctions
from .errors import ExpressionError, _SourceMap, _underscore
from .functions import _PURE_FUNCTIONS, FUNCTIONS, _argument_problem
from .limits import _check_int, _check_result
from .operators import _arithmetic, _compare
from .values import _is_number, _short, _type_name

_DATE_ATTRIBUTES: Final = frozenset({"year", "month", "day"})
_DATETIME_ATTRIBUTES: Final = _DATE_ATTRIBUTES | {"hour", "minute", "second"}
_TIMEDELTA_ATTRIBUTES: Final = frozenset({"days", "seconds"})


class _Evaluator(_DateFunctions):
    """Walks a checked tree. Every handler re-checks what it relies on (defense in depth)."""

    def __init__(
        self,
        data: Mapping[str, Any],
        extra: Mapping[str, Any] | None,
        clock: Clock,
        where: _SourceMap,
    ) -> None:
        self.data = data
        self.extra = extra or {}
        self.clock = clock
        self.where = where
        self.functions: dict[str, Callable[..., Any]] = {
            **_PURE_FUNCTIONS,
            "date": self.fn_date,
            "datetime": self.fn_datetime,
            "today": self.fn_today,
            "now": self.fn_now,
            "days_between": self.fn_days_between,
            "add_days": self.fn_add_days,
        }

    # -- dispatch --------------------------------------------------------------------------

    def eval(self, node: ast.AST) -> Any:
        handler = _HANDLERS.get(type(node))
        try:
            if handler is None:
                raise ExpressionError(f"Không được dùng cú pháp {type(node).__name__}")
            return handler(self, node)
        except ExpressionError as err:
            if err.lineno is None:  # the innermost node that failed names the position
                err.lineno, err.col = self.where.position(node)
            raise
        except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as err:
            # A case no handler foresaw is still an expression error, never a raw exception.
            lineno, col = self.where.position(node)
            message = f"Lỗi khi tính biểu thức: {err}"
            raise ExpressionError(message, lineno=lineno, col=col) from err

    def truth(self, value: Any) -> bool:
        return bool(value)

    def lookup(self, name: str) -> Any:
        if name.startswith("_"):
            raise ExpressionError(_underscore("tên", name))
        if name in self.extra:
            return self.extra[name]
        if name in self.data:
            return self.data[name]
        raise ExpressionError(f"Biến không tồn tại: {name}")

    # -- nodes -----------------------------------------------------------------------------

    def constant(self, node: ast.Constant) -> Any:
        value = node.value
        if value is None or isinstance(value, bool | int | float | str):
            return _check_int(value)
        raise ExpressionError(f"Không được dùng hằng {_type_name(value)}")

    def name(self, node: ast.Name) -> Any:
        return self.lookup(node.id)

    def attribute(self, node: ast.Attribute) -> Any:
        return self.get_attribute(self.eval(node.value), node.attr)

    def get_attribute(self, value: Any, attr: str) -> Any:
        if attr.startswith("_"):
            raise ExpressionError(_underscore("thuộc tính", attr))
        if isinstance(value, Mapping):
            if attr in value:
                return value[attr]
            raise ExpressionError(f'Không có khóa "{attr}"')
        # Never getattr() on arbitrary objects: only these plain fields of dates.
        if isinstance(value, _DateTime):
            allowed = _DATETIME_ATTRIBUTES
        elif isinstance(value, _Date):
            allowed = _DATE_ATTRIBUTES
        elif isinstance(value, timedelta):
            allowed = _TIMEDELTA_ATTRIBUTES
        else:
            allowed = frozenset()
        if attr not in allowed:
            raise ExpressionError(f'Không đọc được thuộc tính "{attr}" của {_type_name(value)}')
        return getattr(value, attr)

    def subscript(self, node: ast.Subscript) -> Any:
        value = self.eval(node.value)
        if isinstance(node.slice, ast.Slice):
            window = self.eval(node.slice)
            if not isinstance(value, str | list | tuple):
                raise ExpressionError(f"Không cắt lát được {_type_name(value)}")
            return value[window]
        return self.item(value, self.eval(node.slice))

    def item(self, value: Any, key: Any) -> Any:
        if isinstance(value, Mapping):
            try:
                return value[key]
            except KeyError:
                raise ExpressionError(f"Không có khóa {_short(key)}") from None
            except TypeError as err:
                raise ExpressionError(f"Khóa không hợp lệ: {_type_name(key)}") from err
        if isinstance(value, str | list | tuple):
            if not isinstance(key, int):
                raise ExpressionError(f"Chỉ số phải là số nguyên, không phải {_type_name(key)}")
            if not -len(value) <= key < len(value):
                raise ExpressionError(f"Chỉ số ngoài phạm vi: {key}")
            return value[key]
        raise ExpressionError(f"Không lấy phần tử được từ {_type_name(value)}")

    def slice(self, node: ast.Slice) -> slice:
        parts = []
        for part in (node.lower, node.upper, node.step):
            bound = None if part is None else self.eval(part)
            if bound is not None and not isinstance(bound, int):
                raise ExpressionError("Cận của lát cắt phải là số nguyên")
            parts.append(bound)
        if parts[2] == 0:
            raise ExpressionError("Bước của lát cắt không được bằng 0")
        return slice(*parts)

    def list_display(self, node: ast.List) -> list[Any]:
        return [self.eval(elt) for elt in node.elts]

    def tuple_display(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self.eval(elt) for elt in node.elts)

    def set_display(self, node: ast.Set) -> set[Any]:
        try:
            return {self.eval(elt) for elt in node.elts}
        except TypeError as err:
            raise ExpressionError("Tập hợp chỉ chứa được giá trị đơn") from err

    def dict_display(self, node: ast.Dict) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                raise ExpressionError("Không được dùng toán tử mở rộng **")
            key = self.eval(key_node)
            try:
                result[key] = self.eval(value_node)
            except TypeError as err:
                raise ExpressionError(f"Khóa không hợp lệ: {_type_name(key)}") from err
        return result

    def bool_op(self, node: ast.BoolOp) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for value_node in node.values:
            value = self.eval(value_node)
            if self.truth(value) != is_and:
                return value
        return value

    def unary_op(self, node: ast.UnaryOp) -> Any:
        operand = self.eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not self.truth(operand)
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExpressionError("Không được dùng toán tử ~")
        if not _is_number(operand):
            raise ExpressionError(f"Không đổi dấu được {_type_name(operand)}")
        return -operand if isinstance(node.op, ast.USub) else +operand

    def bin_op(self, node: ast.BinOp) -> Any:
        return _arithmetic(node.op, self.eval(node.left), self.eval(node.right))

    def compare(self, node: ast.Compare) -> bool:
        left = self.eval(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator)
            if not _compare(op, left, right):
                return False
            left = right
        return True

    def if_exp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body if self.truth(self.eval(node.test)) else node.orelse)

    def call(self, node: ast.Call) -> Any:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            raise ExpressionError("Chỉ được gọi các hàm cho phép, theo tên")
        name = func.id
        args = [self.eval(arg) for arg in node.args]
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None or keyword.arg.startswith("_"):
                raise ExpressionError("Tham số không hợp lệ")
            kwargs[keyword.arg] = self.eval(keyword.value)
        problem = _argument_problem(name, args, kwargs)
        if problem is not None:
            raise ExpressionError(problem) from None
        try:
            result = self.functions[name](*args, **kwargs)
        except ExpressionError:
            raise
        except (TypeError, ValueError, ArithmeticError, LookupError) as err:
            raise ExpressionError(f"Lỗi khi gọi hàm {name}: {err}") from err
        return _check_result(result)


_HANDLERS: Final[dict[type[ast.AST], Callable[[_Evaluator, Any], Any]]] = {
    ast.Expression: lambda ev, node: ev.eval(node.body),
    ast.Constant: _Evaluator.constant,
    ast.Name: _Evaluator.name,
    ast.Attribute: _Evaluator.attribute,
    ast.Subscript: _Evaluator.subscript,
    ast.Slice: _Evaluator.slice,
    ast.List: _Evaluator.list_display,
    ast.Tuple: _Evaluator.tuple_display,
    ast.Set: _Evaluator.set_display,
    ast.Dict: _Evaluator.dict_display,
    ast.BoolOp: _Evaluator.bool_op,
    ast.UnaryOp: _Evaluator.unary_op,
    ast.BinOp: _Evaluator.bin_op,
    ast.Compare: _Evaluator.compare,
    ast.IfExp: _Evaluator.if_exp,
    ast.Call: _Evaluator.call,
}
