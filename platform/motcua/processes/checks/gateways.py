"""What each flow out of a conditional gateway does with the buttons of the steps before it.

A gateway right after an officer step decides by ``outcome``. For conditions that compare
``outcome`` with literals (``==``, ``!=``, ``in``, combined with ``and``/``or``/``not``) the
answer is known for every key the step declares, so we can prove that every key has a way
out (else the dossier is stuck: SpiffWorkflow raises "No conditions satisfied") and that no
key has two (an exclusive gateway takes the first true flow in the order SpiffWorkflow sorts
them, by their vertical position on the diagram: moving a flow would silently change the
route). Conditions that look at dossier data are never reported as uncovered.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from motcua.processes.checks.dialect import StepConfig
from motcua.processes.checks.document import HUMAN_TASK_TAGS, Document, bpmn_tag, label, local_name
from motcua.processes.checks.outcomes import compared_keys, holds, parse_condition
from motcua.processes.checks.problems import Problem, Severity
from motcua.processes.checks.words import OUTCOMES, cap_label

CONDITIONAL_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")


def condition_text(flow: etree._Element) -> etree._Element | None:
    condition = flow.find(bpmn_tag("conditionExpression"))
    if condition is None or not "".join(condition.itertext()).strip():
        return None
    return condition


def upstream_steps(
    gateway_id: str,
    nodes: Mapping[str, etree._Element],
    incoming: Mapping[str, Sequence[etree._Element]],
) -> list[str]:
    """Officer steps whose completion leads to the gateway, directly or through gateways."""
    found: list[str] = []
    seen = {gateway_id}
    stack = [gateway_id]
    while stack:
        for flow in incoming.get(stack.pop(), []):
            source_id = flow.get("sourceRef") or ""
            source = nodes.get(source_id)
            if source is None or source_id in seen:
                continue
            seen.add(source_id)
            name = local_name(source) or ""
            if name in HUMAN_TASK_TAGS:
                found.append(source_id)
            elif name.endswith("Gateway"):
                stack.append(source_id)
    return found


@dataclass(frozen=True)
class Route:
    """One flow out of a gateway and, per outcome key, whether it is taken: True, False, or
    None when the condition also depends on the dossier."""

    flow: etree._Element
    is_default: bool
    expr: ast.expr | None
    # False when the flow has a condition we could not read (unsafe or unparsable).
    readable: bool

    def takes(self, key: str) -> bool | None:
        if self.expr is None:
            return None
        return holds(self.expr, key)


def routes(
    gateway: etree._Element,
    outs: Sequence[etree._Element],
    valid: set[str] | None = None,
) -> list[Route]:
    """The flows out of ``gateway``; ``valid`` (flow ids whose condition passed the
    expression check) limits which conditions are read, None reads all."""
    default = gateway.get("default")
    found = []
    for flow in outs:
        ident = flow.get("id") or ""
        condition = condition_text(flow)
        is_default = ident == default or (condition is None and len(outs) == 1)
        if condition is None:
            found.append(Route(flow, is_default, None, True))
            continue
        ok = valid is None or ident in valid
        expr = parse_condition("".join(condition.itertext())) if ok else None
        found.append(Route(flow, is_default, expr, expr is not None))
    return found


def keys_taking(route: Route, others: Sequence[Route], keys: Sequence[str]) -> list[str]:
    """The outcome keys that may send the dossier along ``route``."""
    if route.is_default:
        return [k for k in keys if not any(o.takes(k) for o in others if not o.is_default)]
    if route.expr is None:
        return list(keys)
    return [k for k in keys if route.takes(k) is not False]


class OutcomeAnalysis:
    """Checks one conditional gateway's flows against the outcomes of the steps before it."""

    def __init__(
        self,
        doc: Document,
        steps: Mapping[str, StepConfig],
        nodes: Mapping[str, etree._Element],
        incoming: Mapping[str, Sequence[etree._Element]],
        valid: set[str],
    ) -> None:
        self.doc = doc
        self.steps = steps
        self.nodes = nodes
        self.incoming = incoming
        self.valid = valid
        self.problems: list[Problem] = []
        # Outcome key -> its button's label, as the designer knows the outcome.
        self._captions: dict[str, str] = {}

    def _button(self, key: str) -> str:
        return f'nút "{self._captions.get(key) or key}"'

    def _report(self, el: etree._Element, message: str, rule: str, *,
                line: int | None = None, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(self.doc.problem(el, message, line=line, rule=rule,
                                              severity=severity))

    def check(self, gateway: etree._Element, outs: Sequence[etree._Element]) -> None:
        gateway_id = gateway.get("id") or ""
        sources = upstream_steps(gateway_id, self.nodes, self.incoming)
        deciders = [self.steps[s] for s in sources if s in self.steps and self.steps[s].outcomes]
        keys = list(dict.fromkeys(k for step in deciders for k in step.outcome_keys))
        self._captions = {}
        for step in deciders:
            for outcome in step.outcomes:
                self._captions.setdefault(outcome.key, outcome.label)
        names = ", ".join(label(self.nodes[s]) for s in sources)
        flows = routes(gateway, outs, self.valid)
        for route in flows:
            self._compared(route, bool(sources), deciders, keys, names)
        self._default_condition(gateway, flows)
        if not deciders:
            self._data_without_default(gateway, flows, None)
            return
        if any(not r.readable for r in flows):
            return  # a broken condition is reported as such; nothing to prove around it
        self._cover(gateway, flows, deciders, keys)

    def _compared(self, route: Route, has_sources: bool, deciders: Sequence[StepConfig],
                  keys: Sequence[str], names: str) -> None:
        if route.expr is None or not has_sources:
            return
        flow = route.flow
        condition = condition_text(flow)
        line = condition.sourceline if condition is not None else None
        compared = compared_keys(route.expr)
        if compared and not deciders:
            self._report(
                flow,
                f"Điều kiện của {label(flow)} theo kết quả của bước trước nhưng {names} chưa có "
                f'nút kết quả nào: thêm "{OUTCOMES}" cho bước (thuộc tính outcomes).',
                "gateway-unknown-outcome", line=line,
            )
            return
        for key in dict.fromkeys(k for k in compared if k not in keys):
            buttons = ", ".join(f'"{self._captions.get(k) or k}"' for k in keys)
            self._report(
                flow,
                f'Điều kiện của {label(flow)} chờ kết quả có khóa "{key}" nhưng {names} không '
                f'có nút nào với khóa này (các nút: {buttons}): chọn lại "Đi theo luồng này" '
                "trong danh sách.",
                "gateway-unknown-outcome", line=line,
            )

    def _default_condition(self, gateway: etree._Element, flows: Sequence[Route]) -> None:
        for route in flows:
            if route.is_default and route.expr is not None and len(flows) > 1:
                self._report(
                    route.flow,
                    f"{cap_label(route.flow)} là luồng mặc định của {label(gateway)} nhưng có "
                    "điều kiện: bộ máy quy trình bỏ qua điều kiện của luồng mặc định (luồng này "
                    "được đi khi không luồng nào khác đúng). Xóa điều kiện, hoặc \"Đổi loại "
                    'phần tử" thành "Luồng có điều kiện".',
                    "default-flow-condition", severity=Severity.WARNING,
                )

    def _owners(self, deciders: Sequence[StepConfig], key: str) -> str:
        return ", ".join(
            label(self.nodes[s.element_id]) for s in deciders
            if key in s.outcome_keys and s.element_id in self.nodes
        )

    def _cover(self, gateway: etree._Element, flows: Sequence[Route],
               deciders: Sequence[StepConfig], keys: Sequence[str]) -> None:
        has_default = any(r.is_default for r in flows)
        conditional = [r for r in flows if not r.is_default]
        exclusive = local_name(gateway) == "exclusiveGateway"
        unsure: list[str] = []
        for key in keys:
            results = [r.takes(key) for r in conditional]
            if not has_default and results and all(r is False for r in results):
                self._report(
                    gateway,
                    f"{cap_label(gateway)} không có luồng ra nào cho {self._button(key)} của "
                    f"{self._owners(deciders, key)}: hồ sơ sẽ bị kẹt. Nối thêm một luồng ra từ "
                    'cổng và chọn "Đi theo luồng này" là khi kết quả là '
                    f'"{self._captions.get(key) or key}", hoặc đổi một luồng thành "Luồng mặc '
                    'định".',
                    "gateway-uncovered-outcome",
                )
            elif not has_default and not any(results):
                unsure.append(key)
            true = [r.flow for r, ok in zip(conditional, results, strict=True) if ok]
            if exclusive and len(true) > 1:
                self._report(
                    gateway,
                    f"Với {self._button(key)} của {self._owners(deciders, key)}, điều kiện của "
                    f"nhiều luồng ra khỏi {label(gateway)} cùng đúng "
                    f"({'; '.join(label(f) for f in true)}): bộ máy chỉ đi luồng đầu tiên theo "
                    "vị trí trên sơ đồ, nên kéo một luồng đi chỗ khác sẽ đổi đường đi của hồ "
                    'sơ. Sửa "Đi theo luồng này" để kết quả này chỉ đi đúng một luồng.',
                    "gateway-overlapping-conditions",
                )
        if unsure:
            self._data_without_default(gateway, flows, unsure)

    def _data_without_default(self, gateway: etree._Element, flows: Sequence[Route],
                              keys: Sequence[str] | None) -> None:
        """SpiffWorkflow raises at run time when no condition holds and there is no default:
        when that depends on the dossier's data we cannot prove it, only warn."""
        if any(r.is_default for r in flows) or not any(r.expr is not None for r in flows):
            return
        if keys is None and any(r.expr is None for r in flows):
            return  # a flow without condition and not default: reported as an error
        when = f" (ví dụ với {self._button(keys[0])})" if keys else ""
        self._report(
            gateway,
            f"{cap_label(gateway)} không có luồng mặc định và điều kiện các luồng ra phụ "
            f"thuộc dữ liệu hồ sơ{when}: nếu không điều kiện nào đúng, bộ máy quy trình dừng "
            'với lỗi và hồ sơ bị kẹt. Đổi một luồng ra thành "Luồng mặc định".',
            "gateway-no-default", severity=Severity.WARNING,
        )
