"""Timer events: the two moments the dialect runs (a step's deadline, the dossier's), on
an event that can carry them; timers on a start event, durations and cycles are refused.
The flow checker hands each timer here and keeps what it records for the engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from motcua.engine.expressions import ExpressionError, check_expression
from motcua.processes.checks.dialect import StepConfig
from motcua.processes.checks.document import HUMAN_TASK_TAGS, Document, bpmn_tag, label, local_name
from motcua.processes.checks.outcomes import names_used, parse_condition
from motcua.processes.checks.properties import readable_time
from motcua.processes.checks.words import cap_label

_TIMER_KIND_HINT = (
    'Chọn "Hẹn giờ" trong khung thuộc tính: "Khi bước hết thời gian giải quyết" hoặc "Khi hồ '
    'sơ đến hạn trả kết quả" — thời hạn tính theo giờ làm việc (trong tệp: timeDate là '
    "due_step hoặc due_dossier)."
)
_DUE_STEP = '"Khi bước hết thời gian giải quyết" (due_step)'
_DUE_DOSSIER = '"Khi hồ sơ đến hạn trả kết quả" (due_dossier)'

Report = Callable[..., None]
ExpressionErrors = Callable[
    [etree._Element, etree._Element, Callable[[str], list[ExpressionError]], str], bool]


def raw_text(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext())


class TimerRules:
    def __init__(self, doc: Document, steps: Mapping[str, StepConfig],
                 timers: dict[str, dict[str, Any]], report: Report,
                 expression_errors: ExpressionErrors) -> None:
        self.doc = doc
        self.steps = steps
        # BPMN id -> what the engine needs of the timer; shared with the flow checker.
        self.timers = timers
        self.report = report
        self.expression_errors = expression_errors

    def check(
        self,
        scope: etree._Element,
        event: etree._Element,
        definition: etree._Element,
        nodes: Mapping[str, etree._Element],
    ) -> None:
        kind = local_name(event)
        ident = event.get("id") or ""
        if kind == "startEvent" and scope.get("triggeredByEvent") != "true":
            # Whatever its time says: advice on choosing one would mislead (files from other
            # tools carry timeCycle or an empty timeDate here).
            self.report(
                event,
                f"{cap_label(event)} có hẹn giờ: sự kiện bắt đầu hẹn giờ không được hỗ trợ, hồ "
                'sơ bắt đầu khi được nộp. "Đổi loại phần tử" thành "Sự kiện bắt đầu"; muốn nhắc '
                "hạn thì đặt hẹn giờ lên viền bước.",
            )
            return
        unsupported = [
            tag
            for tag in ("timeDuration", "timeCycle")
            if definition.find(bpmn_tag(tag)) is not None
        ]
        for tag in unsupported:
            self.report(
                event,
                f"{cap_label(event)} hẹn theo khoảng thời gian hoặc chu kỳ ({tag}), không được "
                f"hỗ trợ. {_TIMER_KIND_HINT}",
            )
        date = definition.find(bpmn_tag("timeDate"))
        if date is None or not raw_text(date).strip():
            if not unsupported:
                self.report(
                    event, f"{cap_label(event)} chưa chọn lúc hẹn giờ. {_TIMER_KIND_HINT}"
                )
            return
        expression = raw_text(date).strip()
        attached = event.get("attachedToRef") if kind == "boundaryEvent" else None
        if kind == "boundaryEvent":
            interrupting = event.get("cancelActivity", "true") != "false"
        elif kind == "startEvent":
            interrupting = event.get("isInterrupting", "true") != "false"
        else:
            interrupting = False
        self.timers[ident] = {
            "expression": expression,
            "attached_to": attached,
            "interrupting": interrupting,
        }
        if not self.expression_errors(event, date, check_expression, "Lúc hẹn giờ (timeDate) của"):
            return
        parsed = parse_condition(expression)
        if parsed is not None and "due_step" in names_used(parsed):
            self._due_step(event, attached, nodes)

    def _due_step(
        self,
        event: etree._Element,
        attached: str | None,
        nodes: Mapping[str, etree._Element],
    ) -> None:
        task = nodes.get(attached or "")
        if local_name(event) != "boundaryEvent" or task is None:
            self.report(
                event,
                f"{cap_label(event)} hẹn {_DUE_STEP} nhưng không gắn trên viền một bước: đó là "
                "hạn của bước mà hẹn giờ gắn vào. Kéo hẹn giờ lên viền bước, hoặc chọn "
                f"{_DUE_DOSSIER} cho hạn của hồ sơ.",
            )
        elif local_name(task) not in HUMAN_TASK_TAGS:
            self.report(
                event,
                f"{cap_label(event)} hẹn {_DUE_STEP} nhưng gắn trên {label(task)}, không phải "
                "bước xử lý của cán bộ: chỉ bước xử lý mới có thời gian giải quyết. Chọn "
                f"{_DUE_DOSSIER} hoặc gắn hẹn giờ lên một bước xử lý.",
            )
        elif (
            (step := self.steps.get(task.get("id") or "")) is not None
            and not step.allotted_minutes and readable_time(self.doc, task)
        ):
            self.report(
                event,
                f'{cap_label(event)} hẹn {_DUE_STEP} nhưng {label(task)} chưa có "Thời gian '
                'giải quyết": nhập thời gian cho bước, ví dụ "0,5 ngày" (thuộc tính allotted), '
                f"hoặc chọn {_DUE_DOSSIER}.",
            )
