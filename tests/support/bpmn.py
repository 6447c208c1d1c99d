"""Scenarios for the process checks: ``tests/processes/scenarios/base.bpmn`` (a small valid
procedure, one element per line) changed one thing at a time, checked, and the line of the
element a problem should name."""

from __future__ import annotations

from typing import Any

from motcua.processes.checks import CheckResult, check_process, load_forms_dir
from support.paths import REPO

SCENARIOS = REPO / "tests" / "processes" / "scenarios"
BASE = (SCENARIOS / "base.bpmn").read_text(encoding="utf-8")
FORMS, FORM_PROBLEMS = load_forms_dir(SCENARIOS / "forms")


def variant(*edits: tuple[str, str], text: str = BASE) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"scenario edit must match exactly once: {old!r}"
        text = text.replace(old, new)
    return text


def check(text: str, forms: Any = FORMS, **kwargs: Any) -> CheckResult:
    return check_process(text.encode("utf-8"), "test.bpmn", forms, **kwargs)


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, f"needle must occur exactly once: {needle!r}"
    return text[: text.index(needle)].count("\n") + 1
