"""The process against the procedure it carries out: the legal time limit and the decision's
step table (contract: *Checks: errors and warnings*).

The longest main path over the time limit is an error (the appointment printed on the receipt
could not be kept even if every step were on time); the step table's rows missing, extra, in
another order, with another responsible or another time are warnings: a province may have
reasons, an auditor will ask. Tasks are matched to rows by the ``row`` they declare; an officer
step on the main route that declares none is matched by order to the rows no step declares (a
warning saying so), so that older files are compared too. The audit (``audit.conformance``)
runs the same checker on published versions through :func:`review`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from lxml import etree

from motcua.calendar.working_time import DAY_MINUTES, HOUR_MINUTES, parse_duration
from motcua.processes.checks.dialect import StepConfig
from motcua.processes.checks.document import Document, label, local_name
from motcua.processes.checks.mainpath import MainPath, main_path
from motcua.processes.checks.problems import Problem, Severity
from motcua.processes.checks.properties import readable_time
from motcua.processes.checks.structure import Library, resolve_calls, select_process
from motcua.processes.checks.words import (
    ALLOTTED,
    DECISION_ROW,
    ROLE,
    UNIT,
    AgencyName,
    cap_label,
    hint,
    role_text,
    unit_text,
)
from motcua.processes.checks.xml_safety import XmlRejected, parse_xml


@lru_cache(maxsize=4096)
def row_key(no: object) -> str:
    """A step number as one text: ``3``, ``"3"`` and ``"03"`` are the same row. Kept per
    value: every step and row of every process the audit compares asks again."""
    text = str(no).strip()
    parts = text.split(".")
    if all(p.isdigit() for p in parts):
        return ".".join(str(int(p)) for p in parts)
    return text


def duration_text(minutes: int) -> str:
    """Working time as a designer reads it: ``0,5 ngày``, ``1 ngày 4 giờ``, ``30 phút``."""
    if minutes == 0:
        return "không tính"
    if minutes % (DAY_MINUTES // 2) == 0:
        days = minutes / DAY_MINUTES
        return f"{days:g}".replace(".", ",") + " ngày"
    days, rest = divmod(minutes, DAY_MINUTES)
    hours, mins = divmod(rest, HOUR_MINUTES)
    parts = [f"{days} ngày" if days else "", f"{hours} giờ" if hours else "",
             f"{mins} phút" if mins else ""]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class DecisionRow:
    no: str
    work: str
    role: str | None
    unit: str | None
    minutes: int


@dataclass(frozen=True)
class ProcedureContext:
    """What the legal checks need of a procedure: its time limit (0 = not counted) and the
    rows of its decision's step table, in the table's order."""

    time_limit_minutes: int
    rows: tuple[DecisionRow, ...] = ()

    @classmethod
    def from_procedure(cls, state: Any) -> ProcedureContext:
        """From a Procedure, a ProcedureRevision or anything with ``time_limit_minutes`` and
        ``steps`` as ``catalog.decisions.read_steps`` stores them."""
        rows = []
        for step in getattr(state, "steps", None) or []:
            if not isinstance(step, Mapping) or step.get("no") in (None, ""):
                continue
            minutes = step.get("minutes")
            if not isinstance(minutes, int):
                try:
                    minutes = parse_duration(str(step.get("time") or "0"))
                except ValueError:
                    minutes = 0
            rows.append(DecisionRow(
                no=row_key(step["no"]), work=str(step.get("work") or ""),
                role=step.get("role") or None, unit=step.get("unit") or None,
                minutes=minutes))
        return cls(int(getattr(state, "time_limit_minutes", 0) or 0), tuple(rows))


def who_acts(role: str | None, unit: str | None, agency_name: AgencyName | None) -> str:
    parts = [f"{ROLE.lower()} {role_text(role)}" if role else "",
             f"{UNIT.lower()} {unit_text(unit, agency_name)}" if unit else ""]
    return ", ".join(p for p in parts if p) or "(không rõ)"


class LegalChecker:
    def __init__(self, doc: Document, process: etree._Element,
                 steps: Mapping[str, StepConfig], procedure: ProcedureContext,
                 called: Mapping[str, etree._Element],
                 agency_name: AgencyName | None = None) -> None:
        self.doc = doc
        self.agency_name = agency_name
        self.process = process
        self.steps = steps
        self.procedure = procedure
        self.called = called
        self.problems: list[Problem] = []
        self.path: MainPath = main_path(process, steps)
        self._call_weights: dict[str, int] = {}
        # What the findings were made of, for callers that word them again (the audit): the
        # longest route's total, the row each row-less step was matched to by order, and for
        # a step out of order the later-numbered step before it.
        self.longest_minutes: int | None = None
        self.matched: dict[str, DecisionRow] = {}
        self.after: dict[str, str] = {}

    def run(self) -> list[Problem]:
        self.time_limit()
        self.rows()
        return self.problems

    def _warn(self, el: etree._Element, message: str, rule: str,
              step_no: str | None = None) -> None:
        problem = self.doc.problem(el, message, rule=rule, severity=Severity.WARNING)
        self.problems.append(replace(problem, step_no=step_no))

    # ------------------------------------------------------------------ time limit

    def _called_minutes(self, process_id: str, open_: frozenset[str]) -> int:
        if process_id in open_ or process_id not in self.called:
            return 0  # a recursive call is refused elsewhere; an unknown one, too
        if process_id not in self._call_weights:
            inner = main_path(self.called[process_id], self.steps)
            seen = open_ | {process_id}
            self._call_weights[process_id], _ = inner.longest(
                lambda n: self._weight(inner, n, seen))
        return self._call_weights[process_id]

    def _weight(self, path: MainPath, ident: str, open_: frozenset[str]) -> int:
        el = path.nodes[ident]
        if local_name(el) == "callActivity":
            return self._called_minutes((el.get("calledElement") or "").strip(), open_)
        step = self.steps.get(ident)
        return step.allotted_minutes if step is not None else 0

    def time_limit(self) -> None:
        limit = self.procedure.time_limit_minutes
        if limit <= 0:
            return
        total, route = self.path.longest(lambda n: self._weight(self.path, n, frozenset()))
        self.longest_minutes = total
        if total <= limit:
            return
        timed = [(n, self._weight(self.path, n, frozenset())) for n in route]
        timed = [(n, w) for n, w in timed if w]
        running, culprit = 0, timed[-1][0] if timed else route[-1]
        for node, minutes in timed:
            running += minutes
            if running > limit:
                culprit = node
                break
        shown = " → ".join(f"{label(self.path.nodes[n])} {duration_text(w)}"
                           for n, w in timed[:8]) + (" → …" if len(timed) > 8 else "")
        self.problems.append(self.doc.problem(
            self.path.nodes[culprit],
            f"Tổng thời gian giải quyết các bước trên đường đi dài nhất là "
            f"{duration_text(total)} ({shown}), vượt thời hạn giải quyết "
            f"{duration_text(limit)} của thủ tục: hồ sơ không thể trả đúng hẹn dù mọi bước đều "
            f'đúng hạn. Giảm "{ALLOTTED}" của các bước cho tổng không quá thời hạn giải quyết; '
            f"từ {label(self.path.nodes[culprit])} tổng đã vượt{hint('allotted')}.",
            rule="time-over-limit",
        ))

    # ------------------------------------------------------------------ step table

    def rows(self) -> None:
        rows = self.procedure.rows
        if not rows:
            return
        table = {r.no: r for r in reversed(rows)}
        position = {no: i for i, no in enumerate(dict.fromkeys(r.no for r in rows))}
        # "3" is a heading when "3.1" (or "3.1.2") is a row too.
        headings = {".".join(parts[:i]) for r in rows
                    for parts in [r.no.split(".")] for i in range(1, len(parts))}
        carriers: dict[str, list[StepConfig]] = {}
        for step in self.steps.values():
            if step.row is not None:
                carriers.setdefault(row_key(step.row), []).append(step)
        open_rows = [table[no] for no in position if no not in carriers and no not in headings]
        self.matched = self._match_by_order(open_rows, position)
        taken = {row.no for row in self.matched.values()}
        reported: set[str] = set()
        for row in rows:
            if (row.no not in carriers and row.no not in headings and row.no not in taken
                    and row.no not in reported):
                reported.add(row.no)  # once, even if the table repeats the number
                self._warn(
                    self.process,
                    f'Bước {row.no} của quyết định ("{row.work}") chưa có bước nào trên sơ đồ '
                    "thực hiện: thêm bước cho việc này, hoặc chọn "
                    f'"{DECISION_ROW}" là bước {row.no} cho bước đang làm việc này'
                    f"{hint('row')}.",
                    "decision-step-missing",
                    row.no,
                )
        for ident, step in self.steps.items():
            el = self.doc.find(ident)
            if el is None:
                continue
            if step.row is None:
                if (by_order := self.matched.get(ident)) is not None:
                    self._by_order(el, by_order)
                    self._responsible(el, step, by_order)
                    self._time(el, step, by_order)
                elif ident in self.path.reached and self.path.human(ident):
                    self._warn(
                        el,
                        f"{cap_label(el)} nằm trên đường xử lý chính nhưng chưa chọn "
                        f'"{DECISION_ROW}": chọn bước tương ứng của bảng quy trình nội bộ; nếu '
                        "quyết định không có việc này, đây là bước thừa"
                        f"{hint('row')}.",
                        "decision-step-extra",
                    )
                continue
            found = table.get(row_key(step.row))
            if found is None:
                known = ", ".join(position)
                self._warn(
                    el,
                    f'{cap_label(el)} có "{DECISION_ROW}" là "{step.row}" nhưng bảng quy trình '
                    f"của quyết định không có bước này (các bước: {known}): chọn lại bước trong "
                    f"danh sách hoặc bỏ bước thừa{hint('row')}.",
                    "decision-step-extra",
                )
                continue
            self._responsible(el, step, found)
            self._time(el, step, found)
        self._order(position)

    def _match_by_order(self, open_rows: Sequence[DecisionRow], position: Mapping[str, int]
                        ) -> dict[str, DecisionRow]:
        """The officer steps without a row, along the main route with the most officer steps
        (a refusal or notice branch is not the route the table describes), each taking the
        next row no step declares. A step that declares a row moves the match past it: the
        rows before a declared one can only be matched by steps before it."""
        if not open_rows:
            return {}
        _, route = self.path.longest(lambda n: 1 if self.path.human(n) else 0)
        matched: dict[str, DecisionRow] = {}
        cursor, floor = 0, -1
        for ident in route:
            step = self.steps.get(ident)
            if step is None or not self.path.human(ident):
                continue
            if step.row is not None:
                floor = max(floor, position.get(row_key(step.row), floor))
                continue
            while cursor < len(open_rows) and position[open_rows[cursor].no] < floor:
                cursor += 1
            if cursor == len(open_rows):
                break
            matched[ident] = open_rows[cursor]
            cursor += 1
        return matched

    def _by_order(self, el: etree._Element, row: DecisionRow) -> None:
        self._warn(
            el,
            f'{cap_label(el)} chưa chọn "{DECISION_ROW}" nên được đối chiếu theo thứ tự trên '
            f'đường xử lý chính với bước {row.no} của quyết định ("{row.work}"): chọn '
            f'"{DECISION_ROW}" là bước {row.no} nếu đúng, hoặc chọn bước mà bước này thực hiện'
            f"{hint('row')}.",
            "decision-step-by-order",
            row.no,
        )

    def _responsible(self, el: etree._Element, step: StepConfig, row: DecisionRow) -> None:
        role = row.role is not None and row.role != step.role
        unit = row.unit is not None and row.unit != step.unit
        if not (role or unit):
            return
        names = self.agency_name
        fix = " và ".join(x for x in (
            f'"{ROLE}" là {role_text(row.role)}' if role and row.role else "",
            f'"{UNIT}" là {unit_text(row.unit, names)}' if unit and row.unit else "") if x)
        props = [p for p, differs in (("role", role), ("unit", unit)) if differs]
        self._warn(
            el,
            f"{cap_label(el)} do {who_acts(step.role, step.unit, names)} thực hiện, nhưng bước "
            f"{row.no} của quyết định giao cho {who_acts(row.role, row.unit, names)}: chọn {fix} "
            f"cho làn của bước, hoặc cho riêng bước{hint(*props)}.",
            "decision-step-responsible",
            row.no,
        )

    def _time(self, el: etree._Element, step: StepConfig, row: DecisionRow) -> None:
        if step.allotted_minutes == row.minutes or not readable_time(self.doc, el):
            return
        self._warn(
            el,
            f'"{ALLOTTED}" của {label(el)} là {duration_text(step.allotted_minutes)}, khác '
            f"thời gian {duration_text(row.minutes)} của bước {row.no} trong quyết định: nhập "
            f'"{ALLOTTED}" bằng thời gian của quyết định{hint("allotted")}.',
            "decision-step-time",
            row.no,
        )

    def _order(self, position: Mapping[str, int]) -> None:
        before = self.path.before()
        rank = {ident: position[key] for ident, step in self.steps.items()
                if step.row is not None and (key := row_key(step.row)) in position}
        for ident in self.path.order:
            mine = rank.get(ident)
            if mine is None:
                continue
            later = [(rank[p], p) for p in before.get(ident, ()) if rank.get(p, -1) > mine]
            if not later:
                continue
            _, other = max(later)
            self.after[ident] = other
            el, other_el = self.path.nodes[ident], self.path.nodes[other]
            self._warn(
                el,
                f"{cap_label(el)} (bước {self.steps[ident].row} của quyết định) đến sau "
                f"{label(other_el)} (bước {self.steps[other].row}) trên đường xử lý chính, "
                "ngược thứ tự của quyết định: sắp lại các bước, hoặc chọn lại "
                f'"{DECISION_ROW}" cho đúng{hint("row")}.',
                "decision-step-order",
                self.steps[ident].row,
            )


def check_legal(doc: Document, process: etree._Element, steps: Mapping[str, StepConfig],
                procedure: ProcedureContext,
                called: Mapping[str, etree._Element] | None = None,
                agency_name: AgencyName | None = None) -> list[Problem]:
    return LegalChecker(doc, process, steps, procedure, called or {}, agency_name).run()


def review(bpmn: bytes, filename: str, steps: Mapping[str, StepConfig],
           procedure: ProcedureContext, library: Sequence[tuple[str, bytes]] = (),
           agency_name: AgencyName | None = None) -> LegalChecker | None:
    """The legal checks alone, of a process every other check has passed (a published
    version, with its steps as the dialect read them at upload), against ``procedure``: what
    the audit compares with the decision in force on a day. None when no process can be
    read from ``bpmn`` (a published version always has one)."""
    try:
        doc = Document(parse_xml(bpmn, filename), filename)
    except XmlRejected:
        return None
    selection = select_process(doc)
    if selection.process is None:
        return None
    calls = resolve_calls(doc, selection.checked, Library(library, filename))
    called = {p.get("id") or "": p for _, p in calls.processes}
    checker = LegalChecker(doc, selection.process, steps, procedure, called, agency_name)
    checker.run()
    return checker
