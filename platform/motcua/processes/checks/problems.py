"""The one shape every upload-time finding takes, whichever check produced it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    # Blocks publishing and the upload of a version.
    ERROR = "error"
    # Listed, blocks nothing.
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded process or form.

    ``message`` is Vietnamese and says what is wrong and how to fix it; ``element_id`` and
    ``line`` point into ``file`` when the problem concerns one element. ``rule`` names the
    check that found it (the layer's name until a check gives a finer one); ``step_no`` the
    decision's row a legal finding is about.
    """

    message: str
    element_id: str | None = None
    line: int | None = None
    file: str | None = None
    rule: str = ""
    severity: Severity = Severity.ERROR
    step_no: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, Any]:
        items = {
            "element_id": self.element_id,
            "message": self.message,
            "line": self.line,
            "file": self.file,
            "rule": self.rule or None,
            "severity": self.severity.value,
            "step_no": self.step_no,
        }
        return {k: v for k, v in items.items() if v is not None}


def with_rule(problems: Iterable[Problem], rule: str) -> list[Problem]:
    """Name the check of problems that do not name a finer one."""
    return [p if p.rule else replace(p, rule=rule) for p in problems]


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warning(problem: Problem) -> Problem:
    return replace(problem, severity=Severity.WARNING)
