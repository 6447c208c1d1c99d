"""Rules about the shape of each process scope: every node reachable from a start event and
able to reach an end event, no loop without an exit, no duplicate flow, named steps; and the
token traps of :mod:`tokens`. Each problem names its rule (kebab-case, stable)."""

from __future__ import annotations

from lxml import etree

from motcua.processes.checks.document import HUMAN_TASK_TAGS, Document, label, local_name, scopes
from motcua.processes.checks.gateways import CONDITIONAL_GATEWAYS, condition_text
from motcua.processes.checks.graph import (
    ScopeGraph,
    closure,
    is_event_subprocess,
    non_interrupting,
    strongly_connected,
)
from motcua.processes.checks.problems import Problem, Severity
from motcua.processes.checks.tokens import TokenChecker
from motcua.processes.checks.words import cap_label


class GraphChecker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def _report(self, el: etree._Element, message: str, rule: str,
                severity: Severity = Severity.ERROR) -> None:
        self.problems.append(self.doc.problem(el, message, rule=rule, severity=severity))

    def check(self, process: etree._Element) -> None:
        for scope in scopes(process):
            graph = ScopeGraph.of(scope)
            self._labels(graph)
            self._duplicates(graph)
            self._reachability(graph)
            for el, message, rule in TokenChecker(graph).problems():
                self._report(el, message, rule)

    def _labels(self, graph: ScopeGraph) -> None:
        for el in graph.nodes.values():
            if local_name(el) in HUMAN_TASK_TAGS and not (el.get("name") or "").strip():
                self._report(
                    el,
                    f"{cap_label(el)}: cán bộ thấy tên bước trong danh sách việc và phiếu kiểm "
                    'soát. Nhập "Tên" ngắn nói rõ việc phải làm (ví dụ "Thẩm định hồ sơ").',
                    "label-required", Severity.WARNING,
                )

    def _duplicates(self, graph: ScopeGraph) -> None:
        first: dict[tuple[str, str], etree._Element] = {}
        for flow in graph.flows:
            key = (flow.get("sourceRef") or "", flow.get("targetRef") or "")
            if key[0] not in graph.nodes or key[1] not in graph.nodes:
                continue
            other = first.setdefault(key, flow)
            if other is flow:
                continue
            source = graph.nodes[key[0]]
            conditional = local_name(source) in CONDITIONAL_GATEWAYS
            both = condition_text(flow) is not None and condition_text(other) is not None
            # Two conditions into one target only say "either": legal, merely clumsy. Any
            # other double flow starts the target twice or splits where nothing should.
            severity = Severity.WARNING if conditional and both else Severity.ERROR
            self._report(
                flow,
                f"Có hai luồng cùng đi từ {label(source)} tới {label(graph.nodes[key[1]])}. "
                "Xóa một luồng"
                + (
                    "; nếu cần cả hai điều kiện, gộp thành một điều kiện (biểu thức tự nhập, "
                    'ví dụ outcome in ("a", "b")).'
                    if severity is Severity.WARNING else "."
                ),
                "duplicate-flow", severity,
            )

    def _reachability(self, graph: ScopeGraph) -> None:
        starts = graph.starts
        if not starts:
            return  # reported by the structure checks (or by the engine for sub-processes)
        reached = closure(starts, graph.successors)
        for ident, el in graph.nodes.items():
            if ident in reached or is_event_subprocess(el):
                continue
            if local_name(el) == "boundaryEvent" and el.get("attachedToRef") in graph.nodes:
                continue  # its activity is reported
            self._report(
                el,
                f"{cap_label(el)} không bao giờ được tới: không có luồng nào từ sự kiện bắt đầu "
                "dẫn tới đây. Nối một luồng vào phần tử này hoặc xóa nó.",
                "unreachable",
            )
        finishing = closure(graph.ends, graph.moved_from)
        stuck = {n for n in reached if n not in finishing and not is_event_subprocess(
            graph.nodes[n])}
        if not stuck:
            return
        for component in strongly_connected(graph, stuck):
            members = set(component)
            exits = {s for n in component for s in graph.moves_on(n)} - members
            if exits:
                continue  # it flows into a dead end or a closed loop reported on its own
            if len(component) == 1 and component[0] not in set(graph.moves_on(component[0])):
                self._dead_end(graph, component[0])
                continue
            ordered = [n for n in graph.nodes if n in members]
            names = ", ".join(label(graph.nodes[n]) for n in ordered[:5])
            self._report(
                graph.nodes[ordered[0]],
                f"Vòng lặp qua {names}{' …' if len(ordered) > 5 else ''} không có lối ra: hồ sơ "
                "vào vòng này sẽ không bao giờ kết thúc. Thêm một luồng ra khỏi vòng (ví dụ "
                "từ cổng rẽ nhánh tới bước tiếp theo hoặc tới sự kiện kết thúc).",
                "loop-without-exit",
            )

    def _dead_end(self, graph: ScopeGraph, ident: str) -> None:
        el = graph.nodes[ident]
        if local_name(el) == "boundaryEvent" and non_interrupting(el):
            return  # a reminder that leads nowhere leaves the step running: harmless
        self._report(
            el,
            f"{cap_label(el)} không có luồng ra và không phải sự kiện kết thúc: hồ sơ dừng ở "
            "đây mà không qua sự kiện kết thúc nào. Nối tới bước tiếp theo hoặc tới một sự "
            "kiện kết thúc.",
            "no-path-to-end",
        )


def check_graph(doc: Document, process: etree._Element) -> list[Problem]:
    checker = GraphChecker(doc)
    checker.check(process)
    return checker.problems
