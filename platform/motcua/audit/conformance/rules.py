"""What a model-conformance finding is, its rules and how the audit grades them.

The comparisons of a process with the decision's step table are the designer's checks
(``processes.checks.legal``); the audit grades their findings again because it asks another
question. For a designer a warning blocks nothing and an error blocks publishing; for the
auditor an *error* is a way the electronic process departs from the published internal
process (a step missing or extra, another responsible, another time, another order, the
longest route over the time limit) or from the catalogue (an abolished procedure still
running, a procedure in force without a process, a process not updated in time), and a
*warning* is what the auditor should verify (a step matched only by its order, an update
still within its deadline).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from motcua.processes.checks.problems import Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# The legal checks' own rules, as the audit grades them.
LEGAL_SEVERITY: dict[str, Severity] = {
    "time-over-limit": ERROR,
    "decision-step-missing": ERROR,
    "decision-step-extra": ERROR,
    "decision-step-responsible": ERROR,
    "decision-step-time": ERROR,
    "decision-step-order": ERROR,
    "decision-step-by-order": WARNING,
}

# The audit's own rules, on the catalogue and the versions rather than on one process.
ABOLISHED_IN_FORCE = "abolished-process-in-force"
ABOLISHED_DOSSIERS = "abolished-dossiers-received"
NO_PROCESS = "no-published-process"
NOT_UPDATED = "process-not-updated"
UPDATE_DUE = "process-update-due"
UNREADABLE = "process-unreadable"

RULE_WORDS: dict[str, str] = {
    "time-over-limit": "Tổng thời gian vượt thời hạn giải quyết",
    "decision-step-missing": "Thiếu bước của quyết định",
    "decision-step-extra": "Bước không có trong quyết định",
    "decision-step-responsible": "Khác bộ phận, người thực hiện",
    "decision-step-time": "Khác thời gian giải quyết của bước",
    "decision-step-order": "Khác thứ tự các bước",
    "decision-step-by-order": "Đối chiếu theo thứ tự",
    ABOLISHED_IN_FORCE: "Thủ tục đã bãi bỏ, quy trình vẫn áp dụng",
    ABOLISHED_DOSSIERS: "Hồ sơ tiếp nhận sau khi bãi bỏ",
    NO_PROCESS: "Chưa có quy trình điện tử",
    NOT_UPDATED: "Quy trình chưa cập nhật theo quyết định",
    UPDATE_DUE: "Quy trình đang chờ cập nhật",
    UNREADABLE: "Không đọc được quy trình",
}

SEVERITY_WORDS = {ERROR: "Sai lệch", WARNING: "Cần xem xét"}


class Status(StrEnum):
    CONFORMING = "conforming"
    DEVIATING = "deviating"
    NO_PROCESS = "no_process"


STATUS_WORDS = {Status.CONFORMING: "Khớp", Status.DEVIATING: "Có sai lệch",
                Status.NO_PROCESS: "Chưa có quy trình"}


@dataclass(frozen=True)
class Finding:
    """One way the process in force departs from the decision in force (contract: api.md,
    *Finding dossiers, audit and indicators*). ``count`` is the number of dossiers a finding
    is about, when it is about dossiers."""

    rule: str
    severity: Severity
    message: str
    suggestion: str | None = None
    element_id: str | None = None
    step_no: str | None = None
    count: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is ERROR

    @property
    def rule_text(self) -> str:
        return RULE_WORDS.get(self.rule, self.rule)

    def as_dict(self) -> dict[str, Any]:
        items = {"rule": self.rule, "severity": self.severity.value,
                 "element_id": self.element_id, "step_no": self.step_no,
                 "message": self.message, "suggestion": self.suggestion, "count": self.count}
        return {k: v for k, v in items.items() if v is not None}


def by_severity(findings: list[Finding]) -> list[Finding]:
    """Errors first, each group in the order found (the checks' order: the route, then the
    table)."""
    return sorted(findings, key=lambda f: not f.is_error)
