"""Each process scope (the process and every sub-process) as a graph of flow nodes, with the
walks the shape, token and legal rules share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from motcua.processes.checks.document import local_name

FLOW_NODE_TAGS = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "task", "userTask", "manualTask", "scriptTask", "serviceTask",
    "sendTask", "receiveTask", "businessRuleTask", "callActivity", "subProcess",
    "transaction", "adHocSubProcess", "exclusiveGateway", "inclusiveGateway",
    "parallelGateway", "eventBasedGateway", "complexGateway",
})
# Gateways that wait for the branches they join (SpiffWorkflow's unstructured joins).
SYNC_GATEWAYS = ("parallelGateway", "inclusiveGateway")
CHOICE_GATEWAYS = ("exclusiveGateway", "eventBasedGateway")


def is_event_subprocess(el: etree._Element) -> bool:
    return local_name(el) == "subProcess" and el.get("triggeredByEvent") == "true"


def non_interrupting(event: etree._Element) -> bool:
    return event.get("cancelActivity", "true") == "false"


@dataclass
class ScopeGraph:
    """The flow nodes directly inside one scope and the sequence flows between them."""

    scope: etree._Element
    nodes: dict[str, etree._Element] = field(default_factory=dict)
    flows: list[etree._Element] = field(default_factory=list)
    outgoing: dict[str, list[etree._Element]] = field(default_factory=dict)
    incoming: dict[str, list[etree._Element]] = field(default_factory=dict)
    # activity id -> ids of the boundary events attached to it
    boundary: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, scope: etree._Element) -> ScopeGraph:
        graph = cls(scope)
        for el in scope:
            name = local_name(el)
            ident = el.get("id")
            if name == "sequenceFlow":
                graph.flows.append(el)
            elif name in FLOW_NODE_TAGS and ident:
                graph.nodes[ident] = el
                graph.kinds[ident] = name
        for flow in graph.flows:
            source, target = flow.get("sourceRef") or "", flow.get("targetRef") or ""
            if source in graph.nodes and target in graph.nodes:
                graph.outgoing.setdefault(source, []).append(flow)
                graph.incoming.setdefault(target, []).append(flow)
        for ident, el in graph.nodes.items():
            if graph.kinds[ident] == "boundaryEvent":
                graph.boundary.setdefault(el.get("attachedToRef") or "", []).append(ident)
        return graph

    def kind(self, ident: str) -> str:
        return self.kinds[ident]

    def outs(self, ident: str) -> list[etree._Element]:
        return self.outgoing.get(ident, [])

    def ins(self, ident: str) -> list[etree._Element]:
        return self.incoming.get(ident, [])

    def successors(self, ident: str) -> Iterator[str]:
        for flow in self.outs(ident):
            yield flow.get("targetRef") or ""
        yield from self.boundary.get(ident, [])

    def moves_on(self, ident: str) -> Iterator[str]:
        """Where the token of ``ident`` itself may go: its flows, and the interrupting events
        on its border (a non-interrupting one starts another token, this one stays)."""
        for flow in self.outs(ident):
            yield flow.get("targetRef") or ""
        for event in self.boundary.get(ident, []):
            if not non_interrupting(self.nodes[event]):
                yield event

    def moved_from(self, ident: str) -> Iterator[str]:
        """The reverse of :meth:`moves_on`."""
        for flow in self.ins(ident):
            yield flow.get("sourceRef") or ""
        el = self.nodes[ident]
        if local_name(el) == "boundaryEvent" and not non_interrupting(el):
            attached = el.get("attachedToRef") or ""
            if attached in self.nodes:
                yield attached

    @property
    def starts(self) -> list[str]:
        return [i for i in self.nodes if self.kind(i) == "startEvent"]

    @property
    def ends(self) -> list[str]:
        return [i for i in self.nodes if self.kind(i) == "endEvent"]


def closure(starts: Iterable[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    """Every node reached from ``starts`` by ``step`` (a node -> neighbours function)."""
    seen = set(starts)
    stack = list(seen)
    while stack:
        for nxt in step(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def strongly_connected(graph: ScopeGraph, among: set[str]) -> list[list[str]]:
    """Tarjan's components of the nodes in ``among``, iteratively (diagrams may be deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in (n for n in graph.nodes if n in among):
        if root in index:
            continue
        work = [(root, iter([s for s in graph.successors(root) if s in among]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter([s for s in graph.successors(child) if s in among])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found
