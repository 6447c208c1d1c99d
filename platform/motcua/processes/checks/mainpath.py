"""The main path of a procedure's process: the route a dossier takes when nobody asks for a
supplement, sends it back or lets a timer fire (contract: *Checks: errors and warnings*).

Embedded sub-processes are flattened (a flow into one enters at its start events, a flow out
of it leaves from its end events). A flow out of a gateway is left out when only outcomes
meaning ``back`` or ``supplement`` take it, or no outcome at all; timers on a step's border
are left out. Steps the main path never reaches are *auxiliary*. What remains may still
loop (a condition on dossier data): the loop's closing flows are dropped to measure the
longest path, which is what the legal time limit is compared with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from motcua.processes.checks.dialect import StepConfig
from motcua.processes.checks.document import HUMAN_TASK_TAGS, local_name, scopes
from motcua.processes.checks.gateways import (
    CONDITIONAL_GATEWAYS,
    keys_taking,
    routes,
    upstream_steps,
)
from motcua.processes.checks.graph import ScopeGraph, closure, is_event_subprocess
from motcua.processes.meanings import Meaning

_DETOURS = frozenset({Meaning.BACK, Meaning.SUPPLEMENT})


@dataclass
class MainPath:
    nodes: dict[str, etree._Element] = field(default_factory=dict)
    # node id -> successors along flows the main path may take
    edges: dict[str, list[str]] = field(default_factory=dict)
    starts: list[str] = field(default_factory=list)
    ends: list[str] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)
    # Nodes in an order where every kept edge goes forward (loops cut where they close).
    order: list[str] = field(default_factory=list)
    forward: dict[str, list[str]] = field(default_factory=dict)

    def human(self, ident: str) -> bool:
        return local_name(self.nodes[ident]) in HUMAN_TASK_TAGS

    def predecessors(self) -> dict[str, list[str]]:
        preds: dict[str, list[str]] = {n: [] for n in self.order}
        for source in self.order:
            for target in self.forward.get(source, []):
                preds[target].append(source)
        return preds

    def longest(self, weight: Callable[[str], int]) -> tuple[int, list[str]]:
        """The heaviest path from a start to an end, and its nodes."""
        best: dict[str, int] = {}
        parent: dict[str, str | None] = {}
        preds = self.predecessors()
        for node in self.order:
            options = [(best[p], p) for p in preds[node] if p in best]
            if node in self.starts and not options:
                best[node], parent[node] = weight(node), None
            elif options:
                value, source = max(options)
                best[node], parent[node] = value + weight(node), source
        finished = [(best[e], e) for e in self.ends if e in best]
        if not finished:
            return 0, []
        total, node = max(finished)
        path: list[str] = []
        current: str | None = node
        while current is not None:
            path.append(current)
            current = parent[current]
        return total, path[::-1]

    def before(self) -> dict[str, set[str]]:
        """For each node, the officer steps that come before it on some main-path route."""
        found: dict[str, set[str]] = {}
        preds = self.predecessors()
        for node in self.order:
            acc: set[str] = set()
            for p in preds[node]:
                acc |= found.get(p, set())
                if self.human(p):
                    acc.add(p)
            found[node] = acc
        return found


def _entry_exit(graph: ScopeGraph) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    entry: dict[str, list[str]] = {}
    leave: dict[str, list[str]] = {}
    for ident, el in graph.nodes.items():
        if local_name(el) == "subProcess" and not is_event_subprocess(el):
            inner = ScopeGraph.of(el)
            if inner.starts:
                entry[ident] = inner.starts
            if inner.ends:
                leave[ident] = inner.ends
    return entry, leave


def _detours(graph: ScopeGraph, gateway: str,
             steps: Mapping[str, StepConfig]) -> list[etree._Element]:
    """The flows out of ``gateway`` that only back or supplement outcomes (or no outcome at
    all) take. Read once per gateway: its routes parse every condition of its flows."""
    deciders = [steps[s] for s in upstream_steps(gateway, graph.nodes, graph.incoming)
                if s in steps and steps[s].outcomes]
    keys = list(dict.fromkeys(k for d in deciders for k in d.outcome_keys))
    if not keys:
        return []
    flows = routes(graph.nodes[gateway], graph.outs(gateway))
    found = []
    for route in flows:
        taking = keys_taking(route, flows, keys)
        meanings = {o.meaning for d in deciders for k in taking
                    if (o := d.outcome(k)) is not None}
        if not taking or meanings <= _DETOURS:
            found.append(route.flow)
    return found


def _scope_edges(graph: ScopeGraph, steps: Mapping[str, StepConfig]) -> Iterator[tuple[str, str]]:
    detours: dict[str, list[etree._Element]] = {}
    for flow in graph.flows:
        source, target = flow.get("sourceRef") or "", flow.get("targetRef") or ""
        if source not in graph.nodes or target not in graph.nodes:
            continue
        if graph.kind(source) in CONDITIONAL_GATEWAYS:
            if source not in detours:
                detours[source] = _detours(graph, source, steps)
            if any(d is flow for d in detours[source]):
                continue
        yield source, target


def main_path(process: etree._Element, steps: Mapping[str, StepConfig]) -> MainPath:
    path = MainPath()
    for scope in scopes(process):
        if is_event_subprocess(scope):
            continue
        graph = ScopeGraph.of(scope)
        path.nodes.update(graph.nodes)
        if scope is process:
            path.starts, path.ends = graph.starts, graph.ends
        entry, leave = _entry_exit(graph)
        for source, target in _scope_edges(graph, steps):
            for a in leave.get(source, [source]):
                path.edges.setdefault(a, []).extend(entry.get(target, [target]))
    path.reached = closure(path.starts, lambda n: path.edges.get(n, []))
    _order(path)
    return path


def _order(path: MainPath) -> None:
    """Depth-first from the starts; an edge back to a node still open closes a loop and is
    dropped, the rest are put in topological order."""
    state: dict[str, int] = {}
    post: list[str] = []
    for root in path.starts:
        if root in state:
            continue
        state[root] = 1
        work = [(root, iter(path.edges.get(root, [])))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                state[node] = 2
                post.append(node)
                continue
            if state.get(child) == 1:
                continue  # closes a loop
            path.forward.setdefault(node, []).append(child)
            if child not in state:
                state[child] = 1
                work.append((child, iter(path.edges.get(child, []))))
    path.order = post[::-1]
