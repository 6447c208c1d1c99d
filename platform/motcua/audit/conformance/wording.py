"""The legal checks' findings on a published version, worded for the auditor's report: what
differs from the decision, and the fix the agency is asked for. What differs is decided by
the checker (``processes.checks.legal``); nothing here compares again, it only reads the
checker's findings and what they were made of (rows, steps, totals)."""

from __future__ import annotations

from motcua.audit.conformance.rules import ERROR, LEGAL_SEVERITY, Finding
from motcua.processes.checks.document import label
from motcua.processes.checks.legal import (
    DecisionRow,
    LegalChecker,
    duration_text,
    row_key,
    who_acts,
)
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.words import AgencyName, cap_label, capital

_NEW_VERSION = "rồi công bố phiên bản mới của quy trình điện tử"


class LegalWording:
    def __init__(self, checker: LegalChecker, agency_name: AgencyName | None) -> None:
        self.checker = checker
        self.names = agency_name
        self.table = {r.no: r for r in reversed(checker.procedure.rows)}

    def _who(self, role: str | None, unit: str | None) -> str:
        return who_acts(role, unit, self.names)

    def _name(self, ident: str | None, capital: bool = False) -> str:
        el = self.checker.doc.find(ident)
        if el is None:
            return "quy trình"
        return cap_label(el) if capital else label(el)

    def _row(self, no: str | None) -> DecisionRow | None:
        return self.table.get(row_key(no)) if no else None

    def _row_text(self, row: DecisionRow) -> str:
        return f'bước {row.no} của quyết định ("{row.work}")'

    def finding(self, problem: Problem) -> Finding:
        rule = problem.rule
        severity = LEGAL_SEVERITY.get(rule, ERROR)
        ident, no = problem.element_id, problem.step_no
        words = self._words(problem)
        if words is None:
            # A rule the checker learnt after this module: its own message, never dropped.
            return Finding(rule, severity, problem.message, None, ident, no)
        message, suggestion = words
        return Finding(rule, severity, message, suggestion, ident, no)

    def _words(self, problem: Problem) -> tuple[str, str] | None:
        rule, ident = problem.rule, problem.element_id
        step = self.checker.steps.get(ident or "")
        row = self._row(problem.step_no) or (self._row(step.row) if step and step.row else None)
        if rule == "time-over-limit":
            total = duration_text(self.checker.longest_minutes or 0)
            limit = duration_text(self.checker.procedure.time_limit_minutes)
            return (f"Tổng thời gian giải quyết các bước trên đường xử lý dài nhất của quy trình "
                    f"là {total}, vượt thời hạn giải quyết {limit} của thủ tục: hồ sơ không thể "
                    "trả đúng hẹn dù mọi bước đều đúng hạn.",
                    f"Giảm thời gian giải quyết của các bước (từ {self._name(ident)} tổng đã "
                    f"vượt) cho đúng thời gian từng bước của quyết định, tổng không quá {limit}, "
                    f"{_NEW_VERSION}.")
        if rule == "decision-step-missing" and row is not None:
            return (f"{capital(self._row_text(row))}, do {self._who(row.role, row.unit)} "
                    "thực hiện, không có bước nào trong quy trình điện tử.",
                    f'Bổ sung bước "{row.work}" ({self._who(row.role, row.unit)}, '
                    f"{duration_text(row.minutes)}) vào quy trình điện tử, hoặc ghi bước {row.no} "
                    f"cho bước đang làm việc này, {_NEW_VERSION}.")
        if step is None:
            return None
        name, cap = self._name(ident), self._name(ident, capital=True)
        if rule == "decision-step-extra":
            fix = (f"Bỏ {name} khỏi quy trình điện tử hoặc ghi đúng bước của quyết định mà bước "
                   f"thực hiện, {_NEW_VERSION}; nếu bước là cần thiết, đề nghị sửa đổi quy trình "
                   "nội bộ trong quyết định công bố.")
            if step.row:
                return (f"{cap} ghi là bước {step.row} của quyết định, nhưng bảng quy trình nội bộ "
                        "của quyết định không có bước này.", fix)
            return (f"{cap} nằm trên đường xử lý chính nhưng không tương ứng với bước nào còn lại "
                    "của quyết định.", fix)
        if row is None:
            return None
        if rule == "decision-step-by-order":
            return (f"{cap} không ghi bước của quyết định; theo thứ tự trên đường xử lý chính, "
                    f"bước được đối chiếu với {self._row_text(row)}.",
                    f"Ghi bước {row.no} (hoặc bước đúng) của quyết định cho {name} để việc đối "
                    "chiếu không phụ thuộc thứ tự các bước.")
        if rule == "decision-step-responsible":
            return (f"{cap} do {self._who(step.role, step.unit)} thực hiện, nhưng "
                    f"{self._row_text(row)} giao cho {self._who(row.role, row.unit)}.",
                    f"Giao {name} cho {self._who(row.role, row.unit)} như quyết định, "
                    f"{_NEW_VERSION}.")
        if rule == "decision-step-time":
            return (f"Thời gian giải quyết của {name} là {duration_text(step.allotted_minutes)}, "
                    f"{self._row_text(row)} quy định {duration_text(row.minutes)}.",
                    f"Đặt thời gian giải quyết của {name} là {duration_text(row.minutes)}, "
                    f"{_NEW_VERSION}.")
        if rule == "decision-step-order":
            other = self.checker.after.get(ident or "")
            other_step = self.checker.steps.get(other or "")
            before = (f" sau {self._name(other)} (bước {other_step.row})"
                      if other_step is not None else "")
            return (f"{cap} ({self._row_text(row)}) được thực hiện{before}, ngược thứ tự của "
                    "quy trình nội bộ.",
                    f"Sắp lại các bước theo thứ tự của quyết định, hoặc ghi lại đúng bước của "
                    f"quyết định cho từng bước, {_NEW_VERSION}.")
        return None


def legal_findings(checker: LegalChecker, agency_name: AgencyName | None) -> list[Finding]:
    wording = LegalWording(checker, agency_name)
    return [wording.finding(p) for p in checker.problems]
