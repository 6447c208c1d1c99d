"""The safe expression subset of the BPMN dialect (gateway conditions, timers, scripts).

SpiffWorkflow's default engine hands the BPMN text to ``eval``/``exec``; restricting the
builtins is not enough (``().__class__.__base__.__subclasses__()`` walks back to anything).
Here the text is parsed with :mod:`ast`, checked against a whitelist of node types, and then
interpreted by a small tree walker of our own: Python's ``eval``/``exec`` are never used.

Language (Python syntax, ``mode="eval"``):

* literals: ``str``, ``int``, ``float``, ``bool``, ``None``; list/tuple/dict/set displays;
* names from the data (``extra`` first, then the data); ``a.b`` is ``a["b"]`` on a dict
  (the data is JSON), plus ``year``/``month``/``day``/``hour``/``minute``/``second`` of
  dates; ``a["b"]``, ``a[0]``, ``a[1:3]``;
* comparisons (``in``/``not in``; ``is``/``is not`` only against ``None``/``True``/``False``),
  ``and``/``or``/``not``, unary ``-``/``+``, ``+ - * / // % **``, ``x if c else y``;
* calls of the functions in :data:`FUNCTIONS`, by plain name only.

Rejected: names, attributes and keyword arguments starting with ``_``, method calls,
lambdas, comprehensions, ``:=``, ``*``/``**`` unpacking, bitwise operators and f-strings.
F-strings are rejected outright because a format spec (``f"{x:>999999999}"``) allocates
without bound; use ``str(x) + "..."``. ``%`` only works on numbers for the same reason.

Scripts are lines of ``name = expr``, ``name.key = expr``, ``name["key"] = expr`` or the
augmented forms (``n += 1``); values are stored as JSON (dates become ISO strings).
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import json
import textwrap
import warnings
from collections.abc import Callable, Collection, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date as _Date
from datetime import datetime as _DateTime
from datetime import time as _Time
from datetime import timedelta, timezone, tzinfo
from typing import Any, Final

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException

__all__ = [
    "FUNCTIONS",
    "VIETNAM_TZ",
    "ExpressionError",
    "SafeScriptEngine",
    "check_expression",
    "check_script",
    "evaluate",
    "execute",
]

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

# Vietnam has had no daylight saving since 1975, so a fixed offset is exact.
VIETNAM_TZ: Final = timezone(timedelta(hours=7), "ICT")

FUNCTIONS: Final = frozenset(
    (
        *("len", "min", "max", "round", "abs", "int", "float", "str", "bool", "sum", "any"),
        *("all", "sorted", "lower", "upper", "strip", "contains", "get"),
        *("date", "datetime", "today", "now", "days_between", "add_days"),
    )
)
_CLOCK_FUNCTIONS: Final = frozenset({"today", "now"})

Clock = Callable[[], _DateTime]
_Position = tuple[int | None, int | None]  # (lineno, col)


class ExpressionError(ValueError):
    """An expression or script that is not allowed, or failed while being evaluated.

    ``lineno`` is 1-based within the source, ``col`` a 0-based column in characters.
    """

    def __init__(self, message: str, *, lineno: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message = message
        self.lineno = lineno
        self.col = col

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ExpressionError({self.message!r}, lineno={self.lineno!r}, col={self.col!r})"


# ---------------------------------------------------------------------------------------------
# Parsing and checking


@dataclass(frozen=True)
class _SourceMap:
    """Maps positions in the text given to ast.parse back to the caller's source."""

    lines: tuple[str, ...]
    line_delta: int = 0
    first_col_delta: int = 0
    col_delta: int = 0

    def _shift(self, lineno: int, col: int) -> tuple[int, int]:
        extra = self.col_delta + (self.first_col_delta if lineno == 1 else 0)
        return lineno + self.line_delta, col + extra

    def from_node(self, node: ast.AST) -> _Position:
        return self._from_bytes(getattr(node, "lineno", None), getattr(node, "col_offset", None))

    def from_attribute(self, node: ast.Attribute) -> _Position:
        """Position of the attribute name itself, which is what a reader looks for."""
        end_line, end_col = node.end_lineno, node.end_col_offset
        if end_line is None or end_col is None:
            return self.from_node(node)
        return self._from_bytes(end_line, max(end_col - len(node.attr.encode("utf-8")), 0))

    def _from_bytes(self, lineno: int | None, byte_col: int | None) -> _Position:
        if lineno is None or byte_col is None:
            return None, None
        # ast columns count UTF-8 bytes; Vietnamese text needs them turned into characters.
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        col = len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
        return self._shift(lineno, col)

    def from_syntax_error(self, err: SyntaxError) -> _Position:
        if err.lineno is None:
            return None, None
        return self._shift(err.lineno, max((err.offset or 1) - 1, 0))


@dataclass(frozen=True)
class _Compiled:
    tree: ast.AST | None
    problems: tuple[tuple[str, int | None, int | None], ...]
    where: _SourceMap

    def errors(self) -> list[ExpressionError]:
        return [ExpressionError(m, lineno=ln, col=c) for m, ln, c in self.problems]


_FORBIDDEN_SYNTAX: Final[dict[type[ast.AST], str]] = {
    ast.Lambda: "hàm lambda",
    ast.ListComp: "biểu thức bao danh sách (comprehension)",
    ast.SetComp: "biểu thức bao tập hợp (comprehension)",
    ast.DictComp: "biểu thức bao từ điển (comprehension)",
    ast.GeneratorExp: "biểu thức sinh (generator)",
    ast.NamedExpr: "phép gán trong biểu thức (:=)",
    ast.Starred: "toán tử mở rộng *",
    ast.JoinedStr: "chuỗi f-string",
    ast.FormattedValue: "chuỗi f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
}

_FORBIDDEN_STATEMENTS: Final[dict[type[ast.AST], str]] = {
    ast.For: "vòng lặp for",
    ast.AsyncFor: "vòng lặp for",
    ast.While: "vòng lặp while",
    ast.If: "câu lệnh if (hãy dùng biểu thức x if điều_kiện else y)",
    ast.FunctionDef: "định nghĩa hàm (def)",
    ast.AsyncFunctionDef: "định nghĩa hàm (def)",
    ast.ClassDef: "định nghĩa lớp (class)",
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.With: "câu lệnh with",
    ast.AsyncWith: "câu lệnh with",
    ast.Try: "câu lệnh try",
    ast.Raise: "câu lệnh raise",
    ast.Assert: "câu lệnh assert",
    ast.Delete: "câu lệnh del",
    ast.Global: "câu lệnh global",
    ast.Nonlocal: "câu lệnh nonlocal",
    ast.Return: "câu lệnh return",
    ast.Pass: "câu lệnh pass",
    ast.Break: "câu lệnh break",
    ast.Continue: "câu lệnh continue",
    ast.AnnAssign: "phép gán có chú thích kiểu",
    ast.Match: "câu lệnh match",
}

_BIN_OPS: Final[dict[type[ast.operator], str]] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_FORBIDDEN_OPS: Final[dict[type[ast.AST], str]] = {
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
}
_COMPARE_OPS: Final[dict[type[ast.cmpop], str]] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
# Operator and context singletons are not counted towards the size limit.
_UNCOUNTED: Final = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def _underscore(kind: str, name: str) -> str:
    return f'Không được dùng {kind} bắt đầu bằng "_": {name}'


class _Checker:
    """Collects every construct outside the subset (the tree is already depth-bounded)."""

    def __init__(self, where: _SourceMap) -> None:
        self.where = where
        self.errors: list[ExpressionError] = []

    def fail(self, node: ast.AST, message: str) -> None:
        if isinstance(node, ast.Attribute):
            lineno, col = self.where.from_attribute(node)
        else:
            lineno, col = self.where.from_node(node)
        self.errors.append(ExpressionError(message, lineno=lineno, col=col))

    def expr(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant):
            self.constant(node)
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                self.fail(node, _underscore("tên", node.id))
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                self.fail(node, _underscore("thuộc tính", node.attr))
            self.expr(node.value)
        elif isinstance(node, ast.Subscript):
            self.expr(node.value)
            self.expr(node.slice)
        elif isinstance(node, ast.Slice):
            for part in (node.lower, node.upper, node.step):
                if part is not None:
                    self.expr(part)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            for elt in node.elts:
                self.expr(elt)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    self.fail(value, "Không được dùng toán tử mở rộng **")
                else:
                    self.expr(key)
                self.expr(value)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expr(value)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                self.fail(node, "Không được dùng toán tử ~")
            self.expr(node.operand)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BIN_OPS:
                symbol = _FORBIDDEN_OPS.get(type(node.op), type(node.op).__name__)
                self.fail(node, f"Không được dùng toán tử {symbol}")
            self.expr(node.left)
            self.expr(node.right)
        elif isinstance(node, ast.Compare):
            self.compare(node)
        elif isinstance(node, ast.IfExp):
            self.expr(node.test)
            self.expr(node.body)
            self.expr(node.orelse)
        elif isinstance(node, ast.Call):
            self.call(node)
        else:
            # Not descended into: the parts of a lambda or comprehension only add noise.
            what = _FORBIDDEN_SYNTAX.get(type(node), f"cú pháp {type(node).__name__}")
            self.fail(node, f"Không được dùng {what}")

    def constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool | str | float) or value is None:
            return
        if isinstance(value, int):
            if value.bit_length() > MAX_INT_BITS:
                self.fail(node, f"Số quá lớn (tối đa {MAX_INT_BITS} bit)")
            return
        kind = {bytes: "chuỗi bytes", complex: "số phức"}.get(type(value), repr(value))
        self.fail(node, f"Không được dùng hằng {kind}")

    def compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            if isinstance(op, ast.Is | ast.IsNot) and not any(
                isinstance(side, ast.Constant)
                and (side.value is None or isinstance(side.value, bool))
                for side in operands[i : i + 2]
            ):
                self.fail(node, f'Chỉ được dùng "{_COMPARE_OPS[type(op)]}" với None, True, False')
        for operand in operands:
            self.expr(operand)

    def call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            if func.id.startswith("_"):
                self.fail(func, _underscore("tên", func.id))
            elif func.id not in FUNCTIONS:
                self.fail(func, f"Hàm không được phép: {func.id}")
            elif not any(isinstance(arg, ast.Starred) for arg in node.args) and all(
                keyword.arg is not None for keyword in node.keywords
            ):
                # Wrong arity or an unknown keyword is found at upload, not at run time.
                signature = _SIGNATURES[func.id]
                try:
                    signature.bind(*node.args, **{str(k.arg): k.value for k in node.keywords})
                except TypeError:
                    self.fail(func, f"Sai tham số khi gọi hàm {func.id}{signature}")
        else:
            if isinstance(func, ast.Attribute):
                self.fail(func, f"Không được gọi phương thức: .{func.attr}()")
            else:
                self.fail(func, "Chỉ được gọi hàm theo tên")
            self.expr(func)
        for arg in node.args:
            self.expr(arg)
        for keyword in node.keywords:
            if keyword.arg is None:
                self.fail(keyword, "Không được dùng toán tử mở rộng **")
            elif keyword.arg.startswith("_"):
                self.fail(keyword, _underscore("tham số", keyword.arg))
            self.expr(keyword.value)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.target(target)
            self.expr(node.value)
        elif isinstance(node, ast.AugAssign):
            if type(node.op) not in _BIN_OPS:
                symbol = _FORBIDDEN_OPS.get(type(node.op), type(node.op).__name__)
                self.fail(node, f"Không được dùng toán tử {symbol}=")
            self.target(node.target)
            self.expr(node.value)
        elif isinstance(node, ast.Expr):
            self.fail(node, "Mỗi dòng của kịch bản phải là một phép gán: tên = biểu thức")
        else:
            what = _FORBIDDEN_STATEMENTS.get(type(node), f"câu lệnh {type(node).__name__}")
            self.fail(node, f"Không được dùng {what}")

    def target(self, node: ast.expr) -> None:
        if isinstance(node, ast.Name):
            self.expr(node)
            return
        if not isinstance(node, ast.Attribute | ast.Subscript):
            self.fail(node, "Chỉ được gán vào một tên, tên.khóa hoặc tên[khóa]")
            return
        # The container must be a path into the data, not an arbitrary computed value.
        path: ast.expr = node
        while isinstance(path, ast.Attribute | ast.Subscript):
            path = path.value
        if not isinstance(path, ast.Name):
            self.fail(node, "Chỉ được gán vào một tên, tên.khóa hoặc tên[khóa]")
        self.expr(node)


def _measure(tree: ast.AST) -> tuple[int, int, ast.AST]:
    """Node count and depth, iteratively: the tree may be deeper than the recursion limit."""
    count = depth = 0
    deepest = tree
    stack = [(tree, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, _UNCOUNTED):
            continue
        count += 1
        if level > depth:
            depth, deepest = level, node
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return count, depth, deepest


def _parse(text: str, mode: str) -> ast.AST:
    # Parse warnings (invalid escapes) become syntax errors rather than stderr noise.
    # catch_warnings swaps process-wide filters, but only once per distinct source (cached).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return ast.parse(text, mode=mode)


def _prepare(source: str, mode: str) -> tuple[str, _SourceMap]:
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    if mode == "eval":
        # BPMN modelers indent condition bodies; Python's own eval() tolerates that too.
        body = text.strip()
        lead = text[: len(text) - len(text.lstrip())]
        return body, _SourceMap(
            lines=tuple(body.split("\n")),
            line_delta=lead.count("\n"),
            first_col_delta=len(lead) - (lead.rfind("\n") + 1),
        )
    body = textwrap.dedent(text)
    indent = 0
    for before, after in zip(text.split("\n"), body.split("\n"), strict=True):
        if after.strip():
            indent = len(before) - len(after)
            break
    return body, _SourceMap(lines=tuple(body.split("\n")), col_delta=indent)


def _constant_folding(tree: ast.AST, where: _SourceMap) -> list[ExpressionError]:
    """Evaluate the parts that do not depend on data, so `"a" * 10**9` fails at upload."""
    errors: list[ExpressionError] = []
    dynamic: dict[ast.AST, bool] = {}

    def is_dynamic(node: ast.AST) -> bool:
        if node not in dynamic:
            if isinstance(node, ast.Call):
                # The called name is a function, not a variable; only the clock varies.
                own = isinstance(node.func, ast.Name) and node.func.id in _CLOCK_FUNCTIONS
                parts: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
            else:
                own = isinstance(node, ast.Name)
                parts = list(ast.iter_child_nodes(node))
            children = [is_dynamic(part) for part in parts]
            dynamic[node] = own or any(children)
        return dynamic[node]

    folder = _Evaluator({}, None, _default_clock, where)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.expr) and not is_dynamic(node):
            try:
                folder.eval(node)
            except ExpressionError as err:
                errors.append(err)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return errors


@functools.lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> _Compiled:
    """Parse and check once per distinct source: the same condition runs thousands of times."""
    is_script = mode == "exec"
    max_length = MAX_SCRIPT_LENGTH if is_script else MAX_SOURCE_LENGTH
    max_nodes = MAX_SCRIPT_NODES if is_script else MAX_NODES
    what = "Kịch bản" if is_script else "Biểu thức"
    empty = _SourceMap(lines=())

    def rejected(message: str, lineno: int | None = None, col: int | None = None) -> _Compiled:
        return _Compiled(None, ((message, lineno, col),), empty)

    if len(source) > max_length:
        return rejected(f"{what} quá dài: {len(source)} ký tự (tối đa {max_length})")
    if not source.strip():
        return rejected(f"{what} trống")
    text, where = _prepare(source, mode)
    try:
        tree = _parse(text, mode)
    except SyntaxError as err:
        lineno, col = where.from_syntax_error(err)
        return rejected(f"Lỗi cú pháp: {err.msg}", lineno, col)
    except (ValueError, RecursionError, MemoryError) as err:
        return rejected(f"Lỗi cú pháp: {err}")

    count, depth, deepest = _measure(tree)
    if count > max_nodes:
        return rejected(f"{what} quá phức tạp: {count} thành phần (tối đa {max_nodes})")
    # The checker and the evaluator recurse; the depth bound keeps them far from the limit.
    if depth > MAX_DEPTH + (1 if is_script else 0):
        lineno, col = where.from_node(deepest)
        return rejected(f"{what} lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp)", lineno, col)

    checker = _Checker(where)
    if isinstance(tree, ast.Expression):
        checker.expr(tree.body)
    elif isinstance(tree, ast.Module):
        for statement in tree.body:
            checker.statement(statement)
    errors = checker.errors or _constant_folding(tree, where)
    errors.sort(key=lambda e: (e.lineno or 0, e.col or 0))
    return _Compiled(
        None if errors else tree,
        tuple((e.message, e.lineno, e.col) for e in errors),
        where,
    )


def _compiled(source: object, mode: str) -> _Compiled:
    if not isinstance(source, str):
        message = "Biểu thức phải là một chuỗi" if mode == "eval" else "Kịch bản phải là một chuỗi"
        return _Compiled(None, ((message, None, None),), _SourceMap(lines=()))
    return _compile(source, mode)


def check_expression(source: str) -> list[ExpressionError]:
    """Every problem of an expression; an empty list means it may be evaluated."""
    return _compiled(source, "eval").errors()


def check_script(source: str) -> list[ExpressionError]:
    """Every problem of a script; an empty list means it may be executed."""
    return _compiled(source, "exec").errors()


# ---------------------------------------------------------------------------------------------
# Evaluation


def _default_clock() -> _DateTime:
    return _DateTime.now(VIETNAM_TZ)


_DATE_ATTRIBUTES: Final = frozenset({"year", "month", "day"})
_DATETIME_ATTRIBUTES: Final = _DATE_ATTRIBUTES | {"hour", "minute", "second"}
_TIMEDELTA_ATTRIBUTES: Final = frozenset({"days", "seconds"})
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


def _parse_date(value: Any, function: str) -> _Date:
    if isinstance(value, _DateTime):
        return value.date()
    if isinstance(value, _Date):
        return value
    text = _require_str(value, function).strip()
    try:
        return _Date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return _DateTime.fromisoformat(text).date()
    except ValueError as err:
        raise ExpressionError(f"Ngày không hợp lệ: {_short(value)}") from err


class _Evaluator:
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
                err.lineno, err.col = self.position(node)
            raise
        except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as err:
            # A case no handler foresaw is still an expression error, never a raw exception.
            lineno, col = self.position(node)
            message = f"Lỗi khi tính biểu thức: {err}"
            raise ExpressionError(message, lineno=lineno, col=col) from err

    def position(self, node: ast.AST) -> _Position:
        if isinstance(node, ast.Attribute):
            return self.where.from_attribute(node)
        return self.where.from_node(node)

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
        return self.arithmetic(node.op, self.eval(node.left), self.eval(node.right))

    def arithmetic(self, op: ast.operator, left: Any, right: Any) -> Any:
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
        signature = _SIGNATURES[name]
        try:
            signature.bind(*args, **kwargs)
        except TypeError:
            raise ExpressionError(f"Sai tham số khi gọi hàm {name}{signature}") from None
        try:
            result = self.functions[name](*args, **kwargs)
        except ExpressionError:
            raise
        except (TypeError, ValueError, ArithmeticError, LookupError) as err:
            raise ExpressionError(f"Lỗi khi gọi hàm {name}: {err}") from err
        return _check_result(result)

    # -- clock and date helpers ------------------------------------------------------------

    def fn_now(self) -> _DateTime:
        now = self.clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=VIETNAM_TZ)

    def fn_today(self) -> _Date:
        return self.fn_now().date()

    def timezone(self) -> tzinfo:
        zone = self.fn_now().tzinfo
        return zone if zone is not None else VIETNAM_TZ

    def fn_date(self, value: Any) -> _Date:
        return _parse_date(value, "date")

    def fn_datetime(self, value: Any) -> _DateTime:
        if isinstance(value, _DateTime):
            moment = value
        elif isinstance(value, _Date):
            moment = _DateTime.combine(value, _Time())
        else:
            text = _require_str(value, "datetime").strip()
            try:
                moment = _DateTime.fromisoformat(text)
            except ValueError as err:
                raise ExpressionError(f"Ngày giờ không hợp lệ: {_short(value)}") from err
        # A time without offset is read in the platform's (clock's) time zone.
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=self.timezone())

    def fn_days_between(self, start: Any, end: Any) -> int:
        return (_parse_date(end, "days_between") - _parse_date(start, "days_between")).days

    def fn_add_days(self, value: Any, days: Any) -> _Date:
        if not isinstance(days, int) or isinstance(days, bool):
            raise ExpressionError("Hàm add_days: số ngày phải là số nguyên")
        if isinstance(value, str):
            try:
                value = _Date.fromisoformat(value.strip())
            except ValueError:
                value = self.fn_datetime(value)
        elif not isinstance(value, _Date):
            raise ExpressionError(f"Hàm add_days không dùng được với {_type_name(value)}")
        try:
            return value + timedelta(days=days)
        except OverflowError as err:
            raise ExpressionError("Ngày vượt quá phạm vi") from err


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


def _signature(function: Callable[..., Any], bound: bool) -> inspect.Signature:
    # Shown in error messages, so without annotations and without `self`.
    parameters = list(inspect.signature(function).parameters.values())[1 if bound else 0 :]
    return inspect.Signature([p.replace(annotation=inspect.Parameter.empty) for p in parameters])


_SIGNATURES: Final[dict[str, inspect.Signature]] = {
    **{name: _signature(fn, bound=False) for name, fn in _PURE_FUNCTIONS.items()},
    "date": _signature(_Evaluator.fn_date, bound=True),
    "datetime": _signature(_Evaluator.fn_datetime, bound=True),
    "today": _signature(_Evaluator.fn_today, bound=True),
    "now": _signature(_Evaluator.fn_now, bound=True),
    "days_between": _signature(_Evaluator.fn_days_between, bound=True),
    "add_days": _signature(_Evaluator.fn_add_days, bound=True),
}
assert set(_SIGNATURES) == FUNCTIONS


def _checked(source: str, mode: str) -> tuple[ast.AST, _SourceMap]:
    compiled = _compiled(source, mode)
    if compiled.tree is None:
        raise compiled.errors()[0]
    return compiled.tree, compiled.where


def evaluate(
    source: str,
    data: Mapping[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
    clock: Clock | None = None,
) -> Any:
    """Evaluate an expression; names come from ``extra`` first, then ``data``."""
    tree, where = _checked(source, "eval")
    return _Evaluator(data, extra, clock or _default_clock, where).eval(tree)


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
            value = self.arithmetic(node.op, current, self.eval(node.value))
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
            raise ExpressionError("Chỉ được gán vào một tên, tên.khóa hoặc tên[khóa]")
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
            raise ExpressionError("Chỉ được gán vào một tên, tên.khóa hoặc tên[khóa]")
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


def execute(
    source: str,
    data: MutableMapping[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
    clock: Clock | None = None,
) -> None:
    """Run a script, assigning into ``data``; on error ``data`` is left unchanged."""
    tree, where = _checked(source, "exec")
    assert isinstance(tree, ast.Module)
    # A copy to work on, so that a failing line does not leave half the script applied.
    work: dict[str, Any] = copy.deepcopy(dict(data))
    _ScriptRunner(work, extra, clock or _default_clock, where).run(tree, work)
    data.update(work)


# ---------------------------------------------------------------------------------------------
# SpiffWorkflow integration


def _engine_value(value: Any) -> Any:
    # Timer definitions parse ISO strings, and task data is JSON.
    return value.isoformat() if isinstance(value, _Date) else value


class _SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Serves the places where SpiffWorkflow calls ``script_engine.environment`` directly
    (completion conditions, message correlations), so no path reaches ``eval``."""

    def __init__(self, clock: Clock | None) -> None:
        super().__init__({})
        self.clock = clock

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Any = None
    ) -> Any:
        result = evaluate(expression, context, extra=external_context, clock=self.clock)
        return _engine_value(result)

    def execute(
        self, script: str, context: MutableMapping[str, Any], external_context: Any = None
    ) -> bool:
        execute(script, context, extra=external_context, clock=self.clock)
        return True

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ExpressionError("Nền tảng không hỗ trợ tác vụ dịch vụ (service task)")


class SafeScriptEngine(PythonScriptEngine):
    """Drop-in SpiffWorkflow script engine that only runs the safe subset."""

    def __init__(
        self,
        clock: Clock | None = None,
        context_provider: Callable[[Any], Mapping[str, Any] | None] | None = None,
    ) -> None:
        super().__init__(environment=_SafeEnvironment(clock))
        self.clock = clock
        self.context_provider = context_provider

    def validate(self, expression: str) -> None:
        problems = check_expression(expression)
        if problems:
            raise problems[0]

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        extra = self._extra(task, external_context)
        try:
            result = evaluate(expression, task.data, extra=extra, clock=self.clock)
        except ExpressionError as err:
            raise self._task_error(task, "biểu thức", expression, err) from err
        return _engine_value(result)

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        extra = self._extra(task, external_context)
        try:
            execute(script, task.data, extra=extra, clock=self.clock)
        except ExpressionError as err:
            raise self._task_error(task, "kịch bản", script, err) from err
        return True

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException(
            "Nền tảng không hỗ trợ tác vụ dịch vụ (service task)", task=task
        )

    def _extra(self, task: Any, external_context: Mapping[str, Any] | None) -> dict[str, Any]:
        extra = dict(external_context or {})
        if self.context_provider is not None:
            try:
                extra.update(self.context_provider(task) or {})
            except SpiffWorkflowException:
                raise
            except Exception as err:
                # Still name the element whose evaluation needed the context.
                raise WorkflowTaskException(
                    f"Lỗi khi lấy biến hệ thống: {err}", task=task, exception=err
                ) from err
        return extra

    @staticmethod
    def _task_error(task: Any, kind: str, source: str, err: ExpressionError) -> Any:
        lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        error_line = None
        if err.lineno is not None and 0 < err.lineno <= len(lines):
            error_line = lines[err.lineno - 1]
        shown = " ".join(source.split())
        shown = shown if len(shown) <= 120 else shown[:119] + "…"
        return WorkflowTaskException(
            f'Lỗi {kind} "{shown}": {err.message}',
            task=task,
            exception=err,
            line_number=err.lineno,
            offset=None if err.col is None else err.col + 1,
            error_line=error_line,
        )
