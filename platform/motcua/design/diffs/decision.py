"""A draft against the decision's step table, as changes: the legal checks' comparison
(``processes.checks.legal``: rows missing, extra, with another responsible or another time,
in another order, steps matched by order; the longest path over the time limit), each finding
with the values compared. The comparison itself is the check's: which row a step is compared
with (the row it declares, or the one the checker matched it to by order) and which rows no
step does are read from the checker, never decided again here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from motcua.design.diffs.read import parse
from motcua.design.diffs.snapshot import Change
from motcua.processes.checks.dialect import DialectChecker, StepConfig
from motcua.processes.checks.document import label
from motcua.processes.checks.legal import (
    DecisionRow,
    LegalChecker,
    ProcedureContext,
    duration_text,
    row_key,
)
from motcua.processes.checks.legal import who_acts as who
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.structure import Library, resolve_calls
from motcua.processes.checks.words import DECISION_ROW, AgencyName, capital

BY_ORDER = "khớp theo thứ tự"


def _row(row: DecisionRow) -> dict[str, Any]:
    return {"no": row.no, "work": row.work, "role": row.role, "unit": row.unit,
            "minutes": row.minutes}


class DecisionChanges:
    """The checker's findings as changes, each with the row the checker compared."""

    def __init__(self, checker: LegalChecker, labels: Mapping[str, str],
                 agency_name: AgencyName | None) -> None:
        self.checker = checker
        self.table = {r.no: r for r in reversed(checker.procedure.rows)}
        self.labels = labels
        self.process_id = checker.process.get("id")
        self.names = agency_name

    def _compared_row(self, ident: str, step: StepConfig) -> tuple[DecisionRow | None, bool]:
        """The row the check compared ``step`` with and whether it was matched by order (the
        step declares no row): the checker's match, so diff and check name the same row."""
        if step.row:
            return self.table.get(row_key(step.row)), False
        matched = self.checker.matched.get(ident)
        return matched, matched is not None

    def _row_words(self, row: DecisionRow, by_order: bool) -> str:
        return f"bước {row.no} của quyết định" + (f" ({BY_ORDER})" if by_order else "")

    def change(self, problem: Problem) -> Change:
        ident = problem.element_id
        rule, no = problem.rule, problem.step_no
        step = self.checker.steps.get(ident or "")
        what = self.labels.get(ident or "", "quy trình")
        if rule == "decision-step-missing":
            missing = self.table.get(no or "")
            if missing is None:
                return Change(ident, "removed", "row", "quyết định", problem.message,
                              rule=rule, step_no=no)
            return Change(
                self.process_id, "removed", "row", f"bước {missing.no} của quyết định",
                f'Bước {missing.no} của quyết định ("{missing.work}") không có bước nào trên '
                "sơ đồ thực hiện.", old=_row(missing), rule=rule, step_no=missing.no)
        if step is None:
            return Change(ident, "changed", "process", what, problem.message, rule=rule,
                          step_no=no)
        row, by_order = self._compared_row(ident or "", step)
        if rule == "decision-step-extra":
            text = (f'{capital(what)} có "{DECISION_ROW}" là "{step.row}", quyết định không '
                    "có bước này." if step.row else
                    f'{capital(what)} nằm trên đường xử lý chính, chưa chọn "{DECISION_ROW}" '
                    "và không tương ứng theo thứ tự với bước nào còn lại của quyết định.")
            # The step itself is what the decision lacks: added as a whole, its row beside.
            return Change(ident, "added", "step", what, text, new=step.row, rule=rule)
        if rule == "decision-step-by-order" and row is not None:
            # The decision's side is the row the checker took for the step; the draft's is
            # no row at all: choosing it (or the right one) makes the match not hang on order.
            return Change(
                ident, "changed", "step", what,
                f'{capital(what)} {BY_ORDER} với bước {row.no} của quyết định ("{row.work}"): '
                f'bước chưa chọn "{DECISION_ROW}" nên được so theo thứ tự các bước trên đường '
                "xử lý chính.",
                field="row", old=row.no, new=None, rule=rule, step_no=row.no)
        if rule == "decision-step-responsible" and row is not None:
            return Change(
                ident, "changed", "step", what,
                f"{capital(what)} do {who(step.role, step.unit, self.names)} thực hiện; "
                f"{self._row_words(row, by_order)} giao cho "
                f"{who(row.role, row.unit, self.names)}.",
                field="responsible", old={"role": row.role, "unit": row.unit},
                new={"role": step.role, "unit": step.unit}, rule=rule, step_no=row.no)
        if rule == "decision-step-time" and row is not None:
            return Change(
                ident, "changed", "step", what,
                f'{capital(what)}: "Thời gian giải quyết" là '
                f"{duration_text(step.allotted_minutes)}, {self._row_words(row, by_order)} "
                f"là {duration_text(row.minutes)}.", field="allotted", old=row.minutes,
                new=step.allotted_minutes, rule=rule, step_no=row.no)
        # The order of declared rows, the time limit, and any rule the checker learns after
        # this module: the check's own sentence, never dropped.
        field = "order" if rule == "decision-step-order" else None
        return Change(ident, "changed", "step", what, problem.message, field=field,
                      old=row.no if row else None, new=step.row if field else None,
                      rule=rule, step_no=no)


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
    checker = LegalChecker(doc, chosen, steps, context, called, agency_name)
    checker.run()
    labels = {ident: label(el) for ident in steps if (el := doc.find(ident)) is not None}
    changes = DecisionChanges(checker, labels, agency_name)
    return [changes.change(p) for p in checker.problems]
