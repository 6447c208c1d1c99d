"""How problems are reported: :class:`ExpressionError` and positions in the caller's source."""

from __future__ import annotations

import ast
from dataclasses import dataclass

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


def _underscore(kind: str, name: str) -> str:
    return f'Không được dùng {kind} bắt đầu bằng "_": {name}'


def _normalize_newlines(source: str) -> str:
    # Line numbers of errors count these lines, so every reader of the source splits the same.
    return source.replace("\r\n", "\n").replace("\r", "\n")


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

    def position(self, node: ast.AST) -> _Position:
        """Where a reader looks for the node: an attribute's name, else the node's start."""
        if isinstance(node, ast.Attribute):
            return self.from_attribute(node)
        return self.from_node(node)

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
