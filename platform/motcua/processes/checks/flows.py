"""Sequence flows, gateways, scripts and timers (their rules in ``timers``): every piece of
text the engine will evaluate goes through the safe-expression checker, and every decision
point must have somewhere to go for every button the officer may press."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from motcua.engine.expressions import ExpressionError, check_expression, check_script
from motcua.processes.checks.dialect import StepConfig
from motcua.processes.checks.document import (
    NS,
    Document,
    bpmn_tag,
    label,
    local_name,
    scopes,
)
from motcua.processes.checks.foreign import expression_hint
from motcua.processes.checks.gateways import OutcomeAnalysis, condition_text
from motcua.processes.checks.outcomes import holds, parse_condition
from motcua.processes.checks.problems import Problem, warning
from motcua.processes.checks.timers import TimerRules, raw_text
from motcua.processes.checks.words import DOCUMENT, DOCUMENT_WORDS, cap_label, document_text
from motcua.processes.meanings import Meaning, Outcome

_CONDITIONAL_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")
_TIMER_EVENTS = ("startEvent", "intermediateCatchEvent", "boundaryEvent")
_SCRIPT_EXTENSIONS = "./bpmn:extensionElements/spiffworkflow:preScript | " + (
    "./bpmn:extensionElements/spiffworkflow:postScript"
)


class FlowChecker:
    def __init__(self, doc: Document, steps: Mapping[str, StepConfig]) -> None:
        self.doc = doc
        self.steps = steps
        self.timers: dict[str, dict[str, Any]] = {}
        self.problems: list[Problem] = []
        # Conditions that passed the expression check, by flow id.
        self._valid_conditions: set[str] = set()
        self._timers = TimerRules(doc, steps, self.timers, self._report,
                                  self._expression_errors)

    def _report(self, el: etree._Element, message: str, *, line: int | None = None,
                rule: str = "") -> None:
        self.problems.append(self.doc.problem(el, message, line=line, rule=rule))

    def _expression_errors(
        self,
        el: etree._Element,
        text_el: etree._Element,
        check: Callable[[str], list[ExpressionError]],
        what: str,
    ) -> bool:
        """Report what ``check`` finds in ``text_el``'s text against ``el``; True if clean."""
        errors = check(raw_text(text_el))
        start = text_el.sourceline
        hint = expression_hint(text_el) if errors else ""
        for error in errors:
            line = start + error.lineno - 1 if start and error.lineno else start
            message = error.message.strip().rstrip(".")
            self._report(el, f"{what} {label(el)} không hợp lệ: {message}.{hint}", line=line)
        return not errors

    # ------------------------------------------------------------------ entry

    def check(self, process: etree._Element) -> None:
        for scope in scopes(process):
            self._scope(scope)

    def _scope(self, scope: etree._Element) -> None:
        nodes: dict[str, etree._Element] = {}
        flows: list[etree._Element] = []
        for el in scope:
            name = local_name(el)
            if name == "sequenceFlow":
                flows.append(el)
            elif name is not None and el.get("id"):
                nodes[el.get("id") or ""] = el
        incoming: dict[str, list[etree._Element]] = {}
        outgoing: dict[str, list[etree._Element]] = {}
        for flow in flows:
            self._flow(flow, nodes)
            outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
            incoming.setdefault(flow.get("targetRef") or "", []).append(flow)
        outcomes = OutcomeAnalysis(self.doc, self.steps, nodes, incoming, self._valid_conditions)
        for el in nodes.values():
            name = local_name(el) or ""
            outs = outgoing.get(el.get("id") or "", [])
            if len(outs) > 1 and not name.endswith("Gateway") and name != "startEvent":
                self._report(
                    el,
                    f"{cap_label(el)} có {len(outs)} luồng ra: chỉ cổng mới được tách luồng. "
                    "Nối phần tử tới một cổng rẽ nhánh (đi một đường theo kết quả) hoặc một "
                    "cổng song song (làm đồng thời), rồi nối các luồng ra từ cổng.",
                    rule="implicit-split",
                )
            if name in _CONDITIONAL_GATEWAYS:
                self._gateway(el, outs)
                outcomes.check(el, outs)
            if name == "scriptTask":
                self._script(el)
            for script in el.xpath(_SCRIPT_EXTENSIONS, namespaces=NS):
                self._expression_errors(el, script, check_script, "Kịch bản trước/sau của")
            if name in _TIMER_EVENTS:
                for definition in el.iterchildren(bpmn_tag("timerEventDefinition")):
                    self._timers.check(scope, el, definition, nodes)
            if name == "boundaryEvent":
                self._boundary(el, nodes)
        self._meanings(nodes, outgoing)
        self.problems.extend(outcomes.problems)

    def _boundary(self, event: etree._Element, nodes: Mapping[str, etree._Element]) -> None:
        if not any("EventDefinition" in (local_name(c) or "") for c in event):
            self._report(
                event,
                f"{cap_label(event)} không có loại sự kiện: đổi thành hẹn giờ trên viền bước "
                '("Đổi loại phần tử") hoặc xóa sự kiện (trong tệp: timerEventDefinition với '
                "timeDate).",
            )
        attached = event.get("attachedToRef") or ""
        if attached not in nodes:
            self._report(
                event,
                f"{cap_label(event)} không gắn vào bước nào trong cùng quy trình: kéo sự kiện "
                f'đặt lên viền của bước (trong tệp: attachedToRef="{attached}").',
            )

    # ------------------------------------------------------------------ flows

    def _flow(self, flow: etree._Element, nodes: Mapping[str, etree._Element]) -> None:
        for attr in ("sourceRef", "targetRef"):
            ref = flow.get(attr) or ""
            if ref not in nodes:
                self._report(
                    flow,
                    f"{cap_label(flow)} có một đầu không nối vào phần tử nào của cùng quy trình "
                    f'(hoặc quy trình con): nối lại hai đầu của luồng (trong tệp: {attr}="{ref}").',
                )
        condition = flow.find(bpmn_tag("conditionExpression"))
        if condition is None or not raw_text(condition).strip():
            return
        if self._expression_errors(flow, condition, check_expression, "Điều kiện của"):
            self._valid_conditions.add(flow.get("id") or "")
        source = nodes.get(flow.get("sourceRef") or "")
        if source is not None and local_name(source) not in _CONDITIONAL_GATEWAYS:
            self._report(
                flow,
                f"{cap_label(flow)} có điều kiện nhưng xuất phát từ {label(source)}, không phải "
                "cổng rẽ nhánh: điều kiện này sẽ bị bỏ qua. Đặt một cổng rẽ nhánh sau bước, rồi "
                'chọn "Đi theo luồng này" trên các luồng ra của cổng.',
                line=condition.sourceline,
                rule="condition-ignored",
            )

    def _gateway(self, gateway: etree._Element, outs: list[etree._Element]) -> None:
        default = gateway.get("default")
        if default and default not in [f.get("id") for f in outs]:
            self._report(
                gateway,
                f"Luồng mặc định của {label(gateway)} không phải luồng ra của cổng: chọn một "
                'luồng ra, "Đổi loại phần tử" thành "Luồng mặc định" (trong tệp: '
                f'default="{default}").',
                rule="gateway-default-invalid",
            )
        if len(outs) < 2:
            return
        for flow in outs:
            if condition_text(flow) is None and flow.get("id") != default:
                self._report(
                    flow,
                    f"{cap_label(flow)} ra từ {label(gateway)} chưa có điều kiện và không phải "
                    'luồng mặc định: chọn "Đi theo luồng này" (khi kết quả là …) cho luồng, '
                    'hoặc "Đổi loại phần tử" thành "Luồng mặc định".',
                    rule="gateway-flow-without-condition",
                )

    # ------------------------------------------------------------------ meanings

    def _route(
        self,
        step_id: str,
        key: str,
        nodes: Mapping[str, etree._Element],
        outgoing: Mapping[str, list[etree._Element]],
    ) -> list[etree._Element]:
        """The elements (not gateways) the dossier may reach when the officer chooses ``key``
        at ``step_id``, passing through gateways only."""
        found: list[etree._Element] = []
        seen: set[str] = set()
        stack = [step_id]
        while stack:
            current = stack.pop()
            node = nodes.get(current)
            outs = outgoing.get(current, [])
            if node is not None and local_name(node) in _CONDITIONAL_GATEWAYS:
                outs = self._taken(node, outs, key)
            for flow in outs:
                target_id = flow.get("targetRef") or ""
                target = nodes.get(target_id)
                if target is None or target_id in seen:
                    continue
                seen.add(target_id)
                if (local_name(target) or "").endswith("Gateway"):
                    stack.append(target_id)
                else:
                    found.append(target)
        return found

    def _taken(
        self, gateway: etree._Element, outs: list[etree._Element], key: str
    ) -> list[etree._Element]:
        """The flows out of a conditional gateway that ``key`` may take: those whose condition
        holds (or depends on the dossier), else the default flow."""
        taken, default = [], None
        for flow in outs:
            condition = condition_text(flow)
            if condition is None:
                if flow.get("id") == gateway.get("default") or len(outs) == 1:
                    default = flow
                continue
            valid = (flow.get("id") or "") in self._valid_conditions
            expr = parse_condition(raw_text(condition)) if valid else None
            if expr is None or holds(expr, key) is not False:
                taken.append(flow)
        return taken or ([default] if default is not None else [])

    @staticmethod
    def _reachable_without(
        starts: list[str], avoid: str, outgoing: Mapping[str, list[etree._Element]]
    ) -> set[str]:
        """Everything reachable from ``starts`` along flows that never pass ``avoid``: the
        steps that may come before ``avoid`` (an earlier step of the process)."""
        seen = set(starts) - {avoid}
        stack = list(seen)
        while stack:
            for flow in outgoing.get(stack.pop(), []):
                target = flow.get("targetRef") or ""
                if target != avoid and target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen

    def _meanings(
        self,
        nodes: Mapping[str, etree._Element],
        outgoing: Mapping[str, list[etree._Element]],
    ) -> None:
        """What each outcome means must fit where it leads: a supplement request reaches the
        step that receives the supplement; an outcome that says no meaning only moves on."""
        starts = [i for i, n in nodes.items() if local_name(n) == "startEvent"]
        for step_id, el in nodes.items():
            step = self.steps.get(step_id)
            if step is None:
                continue
            for outcome in step.outcomes:
                targets = self._route(step_id, outcome.key, nodes, outgoing)
                if outcome.meaning is Meaning.SUPPLEMENT:
                    self._supplement_target(el, outcome, targets)
                elif outcome.meaning is Meaning.FORWARD and not outcome.declared:
                    self._undeclared_forward(el, step, outcome, targets, outgoing, starts)

    def _supplement_target(
        self, el: etree._Element, outcome: Outcome, targets: list[etree._Element]
    ) -> None:
        receivers = [t for t in targets if (s := self.steps.get(t.get("id") or "")) is not None
                     and s.document == "supplement"]
        if not receivers:
            self.problems.append(self.doc.problem(
                el,
                f'Nút "{outcome.label or outcome.key}" của {label(el)} có ý nghĩa "Yêu cầu bổ '
                'sung" nhưng không dẫn tới bước nhận hồ sơ bổ sung: nối luồng của kết quả này '
                f'tới một bước có "{DOCUMENT}" là "{DOCUMENT_WORDS["supplement"]}" (bước đó nhận '
                "hồ sơ bổ sung và tính lại thời hạn) (thuộc tính outcomes, document).",
                rule="meaning.supplement",
            ))

    def _undeclared_forward(
        self,
        el: etree._Element,
        step: StepConfig,
        outcome: Outcome,
        targets: list[etree._Element],
        outgoing: Mapping[str, list[etree._Element]],
        starts: list[str],
    ) -> None:
        key = outcome.key
        step_id = el.get("id") or ""
        ends = [t for t in targets if local_name(t) == "endEvent"]
        before = self._reachable_without(starts, step_id, outgoing)
        earlier = [t for t in targets if local_name(t) != "endEvent"
                   and ((t.get("id") or "") in before or t.get("id") == step_id)]
        reasons = []
        if ends:
            reasons.append(f"nó dẫn tới {label(ends[0])}")
        if earlier:
            reasons.append(f"nó quay lại {label(earlier[0])} ở trước")
        if step.document:
            reasons.append(f"bước phát hành {document_text(step.document)}")
        if not reasons:
            return
        self.problems.append(warning(self.doc.problem(
            el,
            f'Nút "{outcome.label or key}" của {label(el)} chưa chọn ý nghĩa nên được coi là '
            f'"Chuyển tiếp", nhưng {", ".join(reasons)}. Chọn "Ý nghĩa" của nút (ví dụ "Từ '
            'chối" hoặc "Trả lại bước trước"), hoặc "Chuyển tiếp" nếu đúng là đi tiếp (trong '
            f'tệp: "{key}:refuse=…", "{key}:back=…" hoặc "{key}:forward=…"; thuộc tính '
            "outcomes).",
            rule="meaning.undeclared",
        )))

    # ------------------------------------------------------------------ scripts

    def _script(self, task: etree._Element) -> None:
        script = task.find(bpmn_tag("script"))
        if script is None or not raw_text(script).strip():
            self._report(
                task,
                f"{cap_label(task)} không có nội dung: viết kịch bản hoặc xóa tác vụ.",
            )
            return
        self._expression_errors(task, script, check_script, "Kịch bản của")
