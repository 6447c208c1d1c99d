"""Parsing and checking a source once (cached): bounds, the whitelist and constant folding."""

from __future__ import annotations

import ast
import functools
import textwrap
import warnings
from dataclasses import dataclass
from typing import Final

from .checker import _Checker
from .dates import _CLOCK_FUNCTIONS, _default_clock
from .errors import ExpressionError, _normalize_newlines, _SourceMap
from .evaluator import _Evaluator
from .limits import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_SCRIPT_LENGTH,
    MAX_SCRIPT_NODES,
    MAX_SOURCE_LENGTH,
)

# Operator and context singletons are not counted towards the size limit.
_UNCOUNTED: Final = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


@dataclass(frozen=True)
class _Compiled:
    tree: ast.AST | None
    problems: tuple[tuple[str, int | None, int | None], ...]
    where: _SourceMap

    def errors(self) -> list[ExpressionError]:
        return [ExpressionError(m, lineno=ln, col=c) for m, ln, c in self.problems]


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
    text = _normalize_newlines(source)
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


# Python's own words for a syntax error, as a designer reads them; anything else is named
# only as invalid syntax (the column says where).
_SYNTAX_WORDS = (
    ("unterminated string", "chuỗi ký tự chưa có dấu nháy đóng"),
    ("unterminated triple-quoted string", "chuỗi ký tự chưa có dấu nháy đóng"),
    ("was never closed", "dấu ngoặc mở chưa được đóng"),
    ("unmatched", "dấu ngoặc đóng không có dấu mở tương ứng"),
    ("does not match opening parenthesis", "dấu ngoặc đóng không khớp dấu mở"),
    ("invalid decimal literal", "số viết sai (một số không thể liền với chữ)"),
    ("invalid character", "có ký tự không dùng được trong biểu thức"),
    ("invalid non-printable character", "có ký tự không in được trong biểu thức"),
    ("leading zeros", "số không được bắt đầu bằng chữ số 0"),
    ("unexpected indent", "thừa khoảng trắng ở đầu dòng"),
    ("unindent does not match", "khoảng trắng đầu dòng không khớp"),
    ("expected an indented block", "thiếu khối lệnh thụt vào sau dấu hai chấm"),
    ("expected ':'", "thiếu dấu hai chấm"),
    ("cannot assign", "phép gán không dùng được ở đây (so sánh bằng thì viết ==)"),
    ("Maybe you meant '=='", "so sánh bằng thì viết ==, không phải ="),
)


def syntax_words(message: str) -> str:
    for english, vietnamese in _SYNTAX_WORDS:
        if english in message:
            return vietnamese
    return "biểu thức viết chưa đúng (ví dụ đúng: outcome == \"approve\")"


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
        return rejected(f"Lỗi cú pháp: {syntax_words(err.msg)}", lineno, col)
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


def _checked(source: str, mode: str) -> tuple[ast.AST, _SourceMap]:
    compiled = _compiled(source, mode)
    if compiled.tree is None:
        raise compiled.errors()[0]
    return compiled.tree, compiled.where


def check_expression(source: str) -> list[ExpressionError]:
    """Every problem of an expression; an empty list means it may be evaluated."""
    return _compiled(source, "eval").errors()


def check_script(source: str) -> list[ExpressionError]:
    """Every problem of a script; an empty list means it may be executed."""
    return _compiled(source, "exec").errors()
