"""What a gateway condition says about ``outcome``, the key of the button an officer chose.

Only reads the syntax tree of conditions that already passed the safe-expression check;
nothing here evaluates user text.
"""

from __future__ import annotations

import ast
import warnings

OUTCOME = "outcome"


def parse_condition(text: str) -> ast.expr | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError):
            return None


def _is_outcome(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == OUTCOME


def _string(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _strings(node: ast.expr) -> list[str] | None:
    """The strings of a literal tuple/list/set, or None if it is anything else."""
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return None
    values = [_string(e) for e in node.elts]
    return None if any(v is None for v in values) else [v for v in values if v is not None]


def _pairs(node: ast.Compare) -> list[tuple[ast.cmpop, ast.expr, ast.expr]]:
    operands = [node.left, *node.comparators]
    return list(zip(node.ops, operands, operands[1:], strict=False))


def compared_keys(expr: ast.expr) -> list[str]:
    """Every string the condition compares ``outcome`` with (``==``, ``!=``, ``in``)."""
    found: list[str] = []
    for node in ast.walk(expr):
        if not isinstance(node, ast.Compare):
            continue
        for op, left, right in _pairs(node):
            if isinstance(op, (ast.Eq, ast.NotEq)):
                for name, value in ((left, right), (right, left)):
                    text = _string(value)
                    if _is_outcome(name) and text is not None:
                        found.append(text)
            elif isinstance(op, (ast.In, ast.NotIn)) and _is_outcome(left):
                found.extend(_strings(right) or [])
    return found


def holds(expr: ast.expr, key: str) -> bool | None:
    """Is the condition true when the officer chose ``key``? None when the condition looks at
    anything but ``outcome`` and literals, so that the answer depends on the dossier."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, bool):
        return expr.value
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        inner = holds(expr.operand, key)
        return None if inner is None else not inner
    if isinstance(expr, ast.BoolOp):
        values = [holds(v, key) for v in expr.values]
        if any(v is None for v in values):
            return None
        return all(values) if isinstance(expr.op, ast.And) else any(values)
    if isinstance(expr, ast.Compare):
        result = True
        for op, left, right in _pairs(expr):
            one = _holds_pair(op, left, right, key)
            if one is None:
                return None
            result = result and one
        return result
    return None


def _holds_pair(op: ast.cmpop, left: ast.expr, right: ast.expr, key: str) -> bool | None:
    if isinstance(op, (ast.Eq, ast.NotEq)):
        for name, value in ((left, right), (right, left)):
            text = _string(value)
            if _is_outcome(name) and text is not None:
                return (key == text) == isinstance(op, ast.Eq)
        return None
    if isinstance(op, (ast.In, ast.NotIn)) and _is_outcome(left):
        texts = _strings(right)
        if texts is None:
            return None
        return (key in texts) == isinstance(op, ast.In)
    return None


def names_used(expr: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(expr) if isinstance(node, ast.Name)}
