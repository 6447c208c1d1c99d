"""Scripts: lines of assignments into the data, each value stored as JSON."""

from __future__ import annotations

import ast
import copy
import json
from collections.abc import Mapping, MutableMapping
from datetime import date as _Date
from typing import Any

from .checker import _TARGET_ONLY
from .errors import ExpressionError, _underscore
from .evaluator import _Evaluator
from .limits import MAX_DATA_DEPTH, MAX_STORED_SIZE, _size_within
from .operators import _arithmetic
from .values import _type_name


def _to_json(value: Any, level: int = 0) -> Any:
    """A JSON-shaped copy of a value a script stores (dates become ISO strings)."""
    if level > MAX_DATA_DEPTH:
        raise ExpressionError("Dữ liệu lồng nhau quá sâu")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, _Date):
        return value.isoformat()
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                if key is not None and not isinstance(key, int | float):
                    raise ExpressionError(f"Khóa không lưu được: {_type_name(key)}")
                key = json.dumps(key)
            result[key] = _to_json(item, level + 1)
        return result
    if isinstance(value, list | tuple | set | frozenset):
        return [_to_json(item, level + 1) for item in value]
    raise ExpressionError(f"Không lưu được giá trị kiểu {_type_name(value)} vào dữ liệu")


class _ScriptRunner(_Evaluator):
    def run(self, module: ast.Module, work: MutableMapping[str, Any]) -> None:
        for statement in module.body:
            try:
                self.statement(statement, work)
            except ExpressionError as err:
                if err.lineno is None:
                    err.lineno, err.col = self.where.from_node(statement)
                raise

    def statement(self, node: ast.stmt, work: MutableMapping[str, Any]) -> None:
        if isinstance(node, ast.Assign):
            value = self.stored(self.eval(node.value))
            for target in node.targets:
                self.assign(target, value, work)
        elif isinstance(node, ast.AugAssign):
            current = self.eval(node.target)
            value = _arithmetic(node.op, current, self.eval(node.value))
            self.assign(node.target, self.stored(value), work)
        else:
            raise ExpressionError(f"Không được dùng câu lệnh {type(node).__name__}")

    def stored(self, value: Any) -> Any:
        # Checked first so that a value built by sharing cannot blow up while copied.
        if not _size_within(value, MAX_STORED_SIZE):
            raise ExpressionError(f"Giá trị quá lớn để lưu (tối đa {MAX_STORED_SIZE} phần tử)")
        return _to_json(value)

    def assign(self, target: ast.expr, value: Any, work: MutableMapping[str, Any]) -> None:
        root: ast.expr = target
        while isinstance(root, ast.Attribute | ast.Subscript):
            root = root.value
        if not isinstance(root, ast.Name) or root.id.startswith("_"):
            raise ExpressionError(_TARGET_ONLY)
        if root.id in self.extra:
            raise ExpressionError(f"Không được gán vào biến của hệ thống: {root.id}")
        if isinstance(target, ast.Name):
            work[target.id] = copy.deepcopy(value)
            return
        if isinstance(target, ast.Attribute):
            container, key = self.eval(target.value), target.attr
            if not isinstance(container, MutableMapping):
                raise ExpressionError(
                    f'Không gán được thuộc tính "{key}" cho {_type_name(container)}'
                )
        elif isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Slice):
            container, key = self.eval(target.value), self.eval(target.slice)
        else:
            raise ExpressionError(_TARGET_ONLY)
        if isinstance(key, str) and key.startswith("_"):
            raise ExpressionError(_underscore("khóa", key))
        if isinstance(container, MutableMapping):
            if not isinstance(key, str):
                raise ExpressionError(f"Khóa phải là chuỗi, không phải {_type_name(key)}")
            container[key] = copy.deepcopy(value)
        elif isinstance(container, list):
            if not isinstance(key, int) or isinstance(key, bool):
                raise ExpressionError(f"Chỉ số phải là số nguyên, không phải {_type_name(key)}")
            if not -len(container) <= key < len(container):
                raise ExpressionError(f"Chỉ số ngoài phạm vi: {key}")
            container[key] = copy.deepcopy(value)
        else:
            raise ExpressionError(f"Không gán được vào {_type_name(container)}")
