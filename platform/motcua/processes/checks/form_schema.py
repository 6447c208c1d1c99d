"""What a form schema may hold beyond its meta-schema: refs that stay inside it and end, and
patterns RE2 compiles. The validator (``motcua.safe_schema``) refuses the rest at run time
too; here the designer learns where, and how to fix it.

A recursive definition is fine when every way back to itself passes a field that may be left
out (a property outside ``required``, ``additionalProperties``, ...): a tree whose optional
``children`` list holds nodes. The renderer draws a ``$ref`` node as one JSON box, so it
never follows one; but a recursion through required properties or array items has no finite
value the example generator (which fills every required field and one row per list) could
stop at, and one through ``allOf``/``anyOf``/... or refs alone never ends in the validator.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import pairwise
from typing import Any
from urllib.parse import urljoin

from referencing import Specification
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012, specification_with

from motcua.processes.checks.problems import Problem
from motcua.safe_schema import (
    NO_RETRIEVAL,
    Path,
    PatternError,
    children,
    compile_pattern,
    subschemas,
    unevaluated_with_patterns,
)
from motcua.schema_errors import json_path

REFS = ("$ref", "$dynamicRef", "$recursiveRef")
# Keywords that apply their subschema to the same value as their own schema.
IN_PLACE = frozenset({"allOf", "anyOf", "oneOf", "not", "if", "then", "else",
                      "dependentSchemas", "dependencies"})
# Keywords whose subschema a value's parts must meet, as the example generator fills them
# (besides required properties).
FILLED = frozenset({"items", "prefixItems", "contains"})
UNGUARDED = frozenset({*REFS, "in-place"})
FORCED = UNGUARDED | {"filled"}
# Enough to show the designer every loop of a real schema, few enough to stay cheap.
MAX_LOOPS = 20

Edge = tuple[Path, Path, str]  # from, to, kind: a ref keyword, "in-place", "filled", "free"


def at(path: Path) -> str:
    return json_path(path, root="$")


def _nodes(schema: Mapping[str, Any],
           spec: Specification[Any]) -> Iterator[tuple[Path, Mapping[str, Any], str]]:
    """Every schema object with its path and base URI (what its ``$id``s make of it)."""
    stack: list[tuple[Path, Mapping[str, Any], str]] = [((), schema, "")]
    while stack:
        path, node, base = stack.pop()
        own = spec.id_of(node)
        base = urljoin(base, own) if isinstance(own, str) else base
        yield path, node, base
        stack.extend(reversed([(path + step, child, base) for step, child in children(node)
                               if isinstance(child, Mapping)]))


def _kind(node: Mapping[str, Any], step: Path) -> str:
    keyword = step[0]
    required = node.get("required")
    if keyword in IN_PLACE:
        return "in-place"
    if keyword in FILLED or (keyword == "properties" and isinstance(required, list)
                             and step[1] in required):
        return "filled"
    return "free"


def ref_problems(key: str, file: str, schema: Mapping[str, Any]) -> list[Problem]:
    """Refs that leave the schema, lead nowhere in it or loop (see the module's docstring).
    ``schema`` has passed its meta-schema."""
    spec = specification_with(str(schema.get("$schema", "")), default=DRAFT202012)
    resource = spec.create_resource(schema)
    registry = NO_RETRIEVAL.with_resource(resource.id() or "", resource)
    nodes = list(_nodes(schema, spec))
    by_path = {path: node for path, node, _ in nodes}
    where = {id(node): path for path, node, _ in nodes}
    edges: dict[Path, list[Edge]] = {}
    problems = []
    for path, node, base in nodes:
        out = edges.setdefault(path, [])
        out.extend((path, path + step, _kind(node, step)) for step, child in children(node)
                   if isinstance(child, Mapping))
        for keyword in REFS:
            ref = node.get(keyword)
            if not isinstance(ref, str):
                continue
            place = f'"{keyword}" tại {at((*path, keyword))} ("{ref}")'
            if not ref.startswith("#"):
                problems.append(Problem(
                    f'Biểu mẫu "{key}": {place} trỏ ra ngoài biểu mẫu. Biểu mẫu chỉ được tham '
                    'chiếu tới chính nó, bằng một tham chiếu bắt đầu bằng "#" (ví dụ '
                    f'"#/$defs/dia_chi"): chép định nghĩa vào "$defs" của tệp {file} rồi tham '
                    "chiếu tới đó.", file=file))
                continue
            try:
                target = registry.resolver(base_uri=base).lookup(ref).contents
            except Unresolvable:
                target = None
            if isinstance(target, bool):
                continue
            if not isinstance(target, Mapping) or id(target) not in where:
                problems.append(Problem(
                    f'Biểu mẫu "{key}": {place} không trỏ tới một schema con nào trong biểu '
                    'mẫu. Trỏ tới một định nghĩa có thật, ví dụ "#/$defs/dia_chi" hoặc '
                    f'"#/properties/ho_ten", trong tệp {file}.', file=file))
                continue
            out.append((path, where[id(target)], keyword))
    order = [path for path, _, _ in nodes]
    for loop in _loops(edges, order, UNGUARDED):
        problems.append(Problem(
            f'Biểu mẫu "{key}": {_first_ref(loop, by_path)} tạo vòng tham chiếu {_chain(loop)}: '
            "kiểm tra dữ liệu sẽ lặp mãi. Bỏ một tham chiếu của vòng hoặc thay nó bằng chính "
            f"định nghĩa, trong tệp {file}.", file=file))
    for loop in _loops(edges, order, FORCED):
        if all(kind in UNGUARDED for _, _, kind in loop):
            continue  # a loop of refs alone, reported above
        problems.append(Problem(
            f'Biểu mẫu "{key}": {_first_ref(loop, by_path)} làm định nghĩa chứa lại chính nó qua '
            f"các trường bắt buộc {_chain(loop)}: không có dữ liệu hữu hạn nào hợp lệ và dữ "
            "liệu mẫu không tạo được. Đệ quy phải đi qua một trường không bắt buộc: bỏ trường "
            f'đệ quy khỏi "required", trong tệp {file}.', file=file))
    return problems


def _loops(edges: Mapping[Path, list[Edge]], order: list[Path],
           kinds: frozenset[str]) -> list[list[Edge]]:
    """A loop for each edge of ``kinds`` that closes one in a depth-first walk (so at least
    one for every group of nodes that reach each other), at most MAX_LOOPS."""
    state: dict[Path, bool] = {}  # True while on the walk's stack, False once done
    depth: dict[Path, int] = {}
    loops: list[list[Edge]] = []
    for start in order:
        if start in state or len(loops) >= MAX_LOOPS:
            continue
        state[start], depth[start] = True, 0
        stack = [(start, iter(edges.get(start, ())))]
        trail: list[Edge] = []  # the edges from start to the top of the stack
        while stack and len(loops) < MAX_LOOPS:
            node, pending = stack[-1]
            for edge in pending:
                target = edge[1]
                if edge[2] not in kinds:
                    continue
                if state.get(target) is True:
                    loops.append([*trail[depth[target]:], edge])
                elif target not in state:
                    trail.append(edge)
                    state[target], depth[target] = True, len(trail)
                    stack.append((target, iter(edges.get(target, ()))))
                    break
            else:
                state[node] = False
                stack.pop()
                if trail:
                    trail.pop()
    return loops


def _chain(loop: list[Edge]) -> str:
    return " → ".join(at(path) for path in [edge[0] for edge in loop] + [loop[0][0]])


def _first_ref(loop: list[Edge], nodes: Mapping[Path, Mapping[str, Any]]) -> str:
    source, _, keyword = next(edge for edge in loop if edge[2] in REFS)
    return f'"{keyword}" tại {at((*source, keyword))} ("{nodes[source][keyword]}")'


def pattern_problems(key: str, file: str, schema: Mapping[str, Any]) -> list[Problem]:
    """Patterns RE2 cannot run, and the one combination whose keys only ``re`` can match."""
    problems = []
    for path, node in subschemas(schema):
        found = [((*path, "pattern"), node["pattern"])] if "pattern" in node else []
        if isinstance(node.get("patternProperties"), Mapping):
            found += [((*path, "patternProperties"), p) for p in node["patternProperties"]]
        for place, pattern in found:
            if not isinstance(pattern, str):
                continue
            try:
                compile_pattern(pattern)
            except PatternError as exc:
                problems.append(Problem(
                    f'Biểu mẫu "{key}", {_field(path, node)} ({at(place)}): mẫu "{pattern}" '
                    f"không dùng được ({exc}). Máy chủ kiểm tra mẫu bằng RE2 (luôn chạy nhanh): "
                    r"viết lại mẫu không dùng tham chiếu ngược (\1, \k<tên>) hay nhìn trước/nhìn "
                    "sau ((?=…), (?!…), (?<=…), (?<!…)), và lặp không quá 1000 lần, trong tệp "
                    f"{file}.", file=file))
    both = unevaluated_with_patterns(schema)
    if both is not None:
        problems.append(Problem(
            f'Biểu mẫu "{key}": "unevaluatedProperties" (tại {at(both[0])}) không dùng được '
            f'cùng "patternProperties" (tại {at(both[1])}). Dùng "additionalProperties" thay '
            f'cho "unevaluatedProperties", trong tệp {file}.', file=file))
    return problems


def _field(path: Path, node: Mapping[str, Any]) -> str:
    title = node.get("title")
    if isinstance(title, str) and title.strip():
        return f'trường "{title.strip()}"'
    names = [str(name) for keyword, name in pairwise(path)
             if keyword == "properties"]
    return f'trường "{names[-1]}"' if names else "gốc biểu mẫu"
