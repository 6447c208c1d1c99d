"""Two of SpiffWorkflow's token traps, found on the diagram before any dossier runs into them.

* A step (or an exclusive gateway) reached by two branches that run at once, with no
  parallel join between: SpiffWorkflow starts it once per branch (an ordinary task spec is
  ready as soon as any parent completes), so the officer gets the step twice.
* A parallel join fed by the alternatives of an exclusive choice: SpiffWorkflow's parallel
  gateway waits for a token on every incoming flow, so it waits forever for the branch that
  was not chosen, and the dossier never finishes.

Branches that run at once start at a parallel split, or at a step and the non-interrupting
timers on its border. Conditions are not evaluated: a walk follows every flow, so a finding
is a path the diagram allows, whatever the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from motcua.processes.checks.document import label
from motcua.processes.checks.graph import (
    CHOICE_GATEWAYS,
    SYNC_GATEWAYS,
    ScopeGraph,
    non_interrupting,
)
from motcua.processes.checks.words import cap_label


@dataclass
class Walk:
    # node id -> ids of the flows a token may arrive on
    arrivals: dict[str, set[str]]
    visited: set[str]


@dataclass(frozen=True)
class Split:
    """A node whose completion starts several branches at once; each branch is the flows
    its token leaves by."""

    node: str
    branches: tuple[tuple[etree._Element, ...], ...]


class TokenChecker:
    def __init__(self, graph: ScopeGraph) -> None:
        self.graph = graph
        self.splits = list(self._splits())
        # Per split, per branch: where its token goes until a join synchronises it.
        self.walks = {
            s.node: [self._walk(branch, {s.node}, stop_at_joins=True) for branch in s.branches]
            for s in self.splits
        }

    @cached_property
    def _back(self) -> dict[str, list[str]]:
        """Where a token at each node may have come from: flows in, and the activity a
        boundary event is attached to."""
        graph = self.graph
        back: dict[str, list[str]] = {ident: [] for ident in graph.nodes}
        for ident in graph.nodes:
            for flow in graph.outs(ident):
                back[flow.get("targetRef") or ""].append(ident)
            for event in graph.boundary.get(ident, []):
                back[event].append(ident)
        return back

    def _is_join(self, ident: str) -> bool:
        return self.graph.kind(ident) in SYNC_GATEWAYS and len(self.graph.ins(ident)) > 1

    def _splits(self) -> Iterator[Split]:
        graph = self.graph
        for ident in graph.nodes:
            outs = graph.outs(ident)
            if graph.kind(ident) == "parallelGateway" and len(outs) > 1:
                yield Split(ident, tuple((f,) for f in outs))
            timers = [b for b in graph.boundary.get(ident, [])
                      if non_interrupting(graph.nodes[b]) and graph.outs(b)]
            if timers and outs:
                yield Split(ident, (tuple(outs), *(tuple(graph.outs(b)) for b in timers)))

    def _walk(self, flows: Iterable[etree._Element], stop: set[str], *,
              stop_at_joins: bool) -> Walk:
        graph = self.graph
        walk = Walk({}, set())
        pending = list(flows)
        while pending:
            flow = pending.pop()
            target = flow.get("targetRef") or ""
            if target not in graph.nodes:
                continue
            walk.arrivals.setdefault(target, set()).add(flow.get("id") or "")
            if target in walk.visited or target in stop:
                continue
            walk.visited.add(target)
            if stop_at_joins and self._is_join(target):
                continue
            pending.extend(graph.outs(target))
            for event in graph.boundary.get(target, []):
                walk.visited.add(event)
                pending.extend(graph.outs(event))
        return walk

    def problems(self) -> list[tuple[etree._Element, str, str]]:
        return [*self._double_starts(), *self._deadlocks()]

    def _double_starts(self) -> Iterator[tuple[etree._Element, str, str]]:
        graph = self.graph
        flagged: set[str] = set()
        for split in self.splits:
            walks = self.walks[split.node]
            for ident, el in graph.nodes.items():
                if ident in flagged or len(graph.ins(ident)) < 2:
                    continue
                if graph.kind(ident) in (*SYNC_GATEWAYS, "endEvent"):
                    continue  # an end event only consumes each branch's token: harmless
                pair = self._concurrent_pair(ident, walks)
                if pair is None:
                    continue
                flagged.add(ident)
                first, second = (self._flow_label(f) for f in pair)
                source = label(graph.nodes[split.node])
                if graph.kind(ident) == "exclusiveGateway":
                    what = f"{cap_label(el)} gộp hai nhánh chạy song song từ {source}"
                    fix = ('"Đổi loại phần tử" của cổng này thành "Cổng song song" để chờ đủ '
                           "các nhánh rồi đi tiếp")
                else:
                    what = (f"{cap_label(el)} được hai nhánh chạy song song từ {source} cùng "
                            "dẫn tới")
                    fix = "đặt một cổng song song trước phần tử để gộp các nhánh"
                yield (
                    el,
                    f"{what} ({first} và {second}) mà không qua cổng song song gộp nhánh: bộ "
                    "máy quy trình sẽ chạy phần tử này một lần cho mỗi nhánh (cán bộ nhận việc "
                    f"hai lần). Hãy {fix}.",
                    "implicit-join",
                )

    def _flow_label(self, ident: str) -> str:
        flow = next((f for f in self.graph.flows if f.get("id") == ident), None)
        return label(flow) if flow is not None else f"luồng {ident}"

    @staticmethod
    def _concurrent_pair(ident: str, walks: list[Walk]) -> tuple[str, str] | None:
        for i, one in enumerate(walks):
            for other in walks[i + 1:]:
                for a in sorted(one.arrivals.get(ident, ())):
                    for b in sorted(other.arrivals.get(ident, ())):
                        if a != b:
                            return a, b
        return None

    def _siblings(self, choice: str, join: str) -> set[str]:
        """Flows into ``join`` that branches running beside ``choice`` bring a token to."""
        found: set[str] = set()
        for split in self.splits:
            walks = self.walks[split.node]
            for i, walk in enumerate(walks):
                if choice in walk.visited:
                    for j, other in enumerate(walks):
                        if j != i:
                            found |= other.arrivals.get(join, set())
        return found

    def _deadlocks(self) -> Iterator[tuple[etree._Element, str, str]]:
        graph = self.graph
        choices = [i for i in graph.nodes
                   if graph.kind(i) in CHOICE_GATEWAYS and len(graph.outs(i)) > 1]
        for join, el in graph.nodes.items():
            if graph.kind(join) != "parallelGateway" or len(graph.ins(join)) < 2:
                continue
            needed = {f.get("id") or "" for f in graph.ins(join)}
            found = self._deadlock(join, needed, choices)
            if found is None:
                continue
            choice, flow, missing = found
            yield (
                el,
                f"{cap_label(el)} chờ hồ sơ tới trên mọi luồng vào, nhưng khi "
                f"{label(graph.nodes[choice])} đi theo {self._flow_label(flow)} thì "
                f"{self._flow_label(missing)} không bao giờ có hồ sơ tới: hồ sơ chờ mãi và "
                "không kết thúc. Nếu các nhánh là lựa chọn (chỉ đi một nhánh), gộp chúng bằng "
                "cổng rẽ nhánh; nếu phải làm đồng thời, tách chúng bằng cổng song song.",
                "parallel-join-deadlock",
            )

    def _feeding(self, join: str) -> dict[str, set[str]]:
        """Per flow into ``join``, the nodes from which a token may reach that flow without
        passing ``join`` (walking back once per flow, not forward once per choice)."""
        graph = self.graph
        found: dict[str, set[str]] = {}
        for flow in graph.ins(join):
            source = flow.get("sourceRef") or ""
            seen = {source, join}
            stack = [source]
            while stack:
                for prev in self._back[stack.pop()]:
                    if prev not in seen:
                        seen.add(prev)
                        stack.append(prev)
            seen.discard(join)
            found[flow.get("id") or ""] = seen
        return found

    def _deadlock(self, join: str, needed: set[str],
                  choices: list[str]) -> tuple[str, str, str] | None:
        feeding = self._feeding(join)
        for choice in choices:
            # Not stopped at the choice itself: coming back to it, it may choose again.
            reached = [(flow, {f for f, nodes in feeding.items()
                               if f == flow.get("id") or flow.get("targetRef") in nodes})
                       for flow in self.graph.outs(choice)]
            if not any(got for _, got in reached):
                continue  # this choice does not lead to the join
            siblings = self._siblings(choice, join)
            for flow, got in reached:
                tokens = got | siblings
                if tokens and tokens != needed:
                    missing = sorted(needed - tokens)[0]
                    return choice, flow.get("id") or "", missing
        return None
