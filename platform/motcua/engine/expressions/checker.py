"""The syntax whitelist: which node types, operators and calls the subset accepts."""

from __future__ import annotations

import ast
from typing import Final

from .errors import ExpressionError, _SourceMap, _underscore
from .functions import FUNCTIONS, _argument_problem
from .limits import MAX_INT_BITS

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

_TARGET_ONLY: Final = "Chỉ được gán vào một tên, tên.khóa hoặc tên[khóa]"


class _Checker:
    """Collects every construct outside the subset (the tree is already depth-bounded)."""

    def __init__(self, where: _SourceMap) -> None:
        self.where = where
        self.errors: list[ExpressionError] = []

    def fail(self, node: ast.AST, message: str) -> None:
        lineno, col = self.where.position(node)
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
            self.operator(node)
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

    def operator(self, node: ast.BinOp | ast.AugAssign, suffix: str = "") -> None:
        """Refuses the operators outside the subset; ``suffix`` is "=" for ``x op= y``."""
        if type(node.op) not in _BIN_OPS:
            symbol = _FORBIDDEN_OPS.get(type(node.op), type(node.op).__name__)
            self.fail(node, f"Không được dùng toán tử {symbol}{suffix}")

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
                keywords = {str(k.arg): k.value for k in node.keywords}
                problem = _argument_problem(func.id, node.args, keywords)
                if problem is not None:
                    self.fail(func, problem)
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
            self.operator(node, suffix="=")
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
            self.fail(node, _TARGET_ONLY)
            return
        # The container must be a path into the data, not an arbitrary computed value.
        path: ast.expr = node
        while isinstance(path, ast.Attribute | ast.Subscript):
            path = path.value
        if not isinstance(path, ast.Name):
            self.fail(node, _TARGET_ONLY)
        self.expr(node)
