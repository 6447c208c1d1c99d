"""A draft against the decision's step table, as changes: the legal checks' comparison
(``processes.checks.legal``: rows missing, extra, with another responsible or another time,
in another order; the longest path over the time limit), each finding with the values
compared. The comparison itself is the check's; nothing here decides again what differs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from motcua.design.diffs.read import parse
from motcua.design.diffs.snapshot import Change
from motcua.processes.checks.dialect import DialectChecker, StepConfig
from motcua.processes.checks.document import label
from motcua.processes.checks.legal import (
    DecisionRow,
    ProcedureContext,
    check_legal,
    duration_text,
    row_key,
)
from motcua.processes.checks.legal import who_acts as who
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.structure import Library, resolve_calls
from motcua.processes.checks.words import DECISION_ROW, AgencyName, capital


def _row(row: DecisionRow) -> dict[str, Any]:
    return {"no": row.no, "work": row.work, "role": row.role, "unit": row.unit,
            "minutes": row.minutes}


class DecisionChanges:
    def __init__(self, steps: Mapping[str, StepConfig], context: ProcedureContext,
                 labels: Mapping[str, str], process_id: str | None,
                 agency_name: AgencyName | None) -> None:
        self.steps = steps
        self.table = {r.no: r for r in reversed(context.rows)}
        self.labels = labels
        self.process_id = process_id
        self.names = agency_name

    def change(self, problem: Problem) -> Change | None:
        ident = problem.element_id
        step = self.steps.get(ident or "")
        what = self.labels.get(ident or "", "quy trình")
        row = self.table.get(row_key(step.row)) if step is not None and step.row else None
        rule = problem.rule
        if rule == "decision-step-missing":
            missing = self.table.get(problem.step_no or "")
            if missing is None:
                return Change(ident, "removed", "row", "quyết định", problem.message,
                              rule=rule)
            return Change(
                self.process_id, "removed", "row", f"bước {missing.no} của quyết định",
                f'Bước {missing.no} của quyết định ("{missing.work}") không có bước nào trên '
                "sơ đồ thực hiện.", old=_row(missing), rule=rule)
        if step is None:
            return Change(ident, "changed", "process", what, problem.message, rule=rule)
        if rule == "decision-step-extra":
            text = (f'{capital(what)} có "{DECISION_ROW}" là "{step.row}", quyết định không '
                    "có bước này." if step.row else
                    f"{capital(what)} nằm trên đường xử lý chính nhưng không thuộc bước nào của "
                    "quyết định.")
            # The step itself is what the decision lacks: added as a whole, its row beside.
            return Change(ident, "added", "step", what, text, new=step.row, rule=rule)
        if rule == "decision-step-responsible" and row is not None:
            return Change(
                ident, "changed", "step", what,
                f"{capital(what)} do {who(step.role, step.unit, self.names)} thực hiện; bước "
                f"{row.no} của quyết định giao cho {who(row.role, row.unit, self.names)}.",
                field="responsible", old={"role": row.role, "unit": row.unit},
                new={"role": step.role, "unit": step.unit}, rule=rule)
        if rule == "decision-step-time" and row is not None:
            return Change(
                ident, "changed", "step", what,
                f'{capital(what)}: "Thời gian giải quyết" là '
                f"{duration_text(step.allotted_minutes)}, bước {row.no} của quyết định là "
                f"{duration_text(row.minutes)}.", field="allotted", old=row.minutes,
                new=step.allotted_minutes, rule=rule)
        field = "order" if rule == "decision-step-order" else None
        return Change(ident, "changed", "step", what, problem.message, field=field,
                      old=row.no if row else None, new=step.row if field else None, rule=rule)


_RULES = ("decision-step-missing", "decision-step-extra", "decision-step-responsible",
          "decision-step-time", "decision-step-order", "time-over-limit")


def against_decision(bpmn: str, filename: str, forms: Mapping[str, Mapping[str, Any]],
                     context: ProcedureContext,
                     agency_name: AgencyName | None = None) -> list[Change]:
    """What the draft does otherwise than the decision's step table says."""
    parsed = parse(bpmn, filename)
    if parsed is None:
        return [Change(None, "removed", "process", "quy trình",
                       "Bản nháp không có quy trình đọc được: chưa so sánh được với quyết "
                       "định.")]
    doc, selection = parsed
    chosen = selection.process
    assert chosen is not None
    # The processes its call activities reach in the file count as the draft's check counts
    # them, their steps and their longest paths (a draft calls no library process: copying
    # refuses those).
    roots = selection.checked or [chosen]
    calls = resolve_calls(doc, roots, Library((), filename))
    called = {p.get("id") or "": p for _, p in calls.processes}
    dialect = DialectChecker(forms, None)
    steps: dict[str, StepConfig] = {}
    for process in [*roots, *called.values()]:
        steps.update(dialect.steps(doc, process))
    if context.rows and not any(s.row for s in steps.values()):
        # The check says nothing then (an untied process would be all missing, all extra).
        return [Change(chosen.get("id"), "changed", "process", "quy trình",
                       f'Chưa bước nào của bản nháp chọn "{DECISION_ROW}": chọn cho mỗi bước '
                       "bước tương ứng của quyết định để so sánh được.", field="row")]
    labels = {ident: label(el) for ident in steps if (el := doc.find(ident)) is not None}
    changes = DecisionChanges(steps, context, labels, chosen.get("id"), agency_name)
    problems = check_legal(doc, chosen, steps, context, called, agency_name)
    found = [changes.change(p) for p in problems if p.rule in _RULES]
    return [c for c in found if c is not None]
