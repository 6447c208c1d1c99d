"""Helpers for the test-run tests: every path of outcomes a draft allows, and the checks of
one answer against the working-time calendar and the organisation tree, computed here from
``motcua.calendar`` and the org document, not from the simulation's own code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from motcua.calendar.operations import load_calendar
from motcua.processes.checks import StepConfig

Answer = dict[str, Any]
Choices = dict[str, list[str]]
DESIGNER = "qt.binh"


def every_path(run: Callable[[Choices], Answer], limit: int = 600) -> Iterator[tuple[Choices,
                                                                                   Answer]]:
    """Each combination of outcomes at the first visit of each step along the path (later
    visits take the default), each once: a run branches at every step after the last one it
    chose, on each outcome other than the default."""
    stack: list[tuple[Choices, int]] = [({}, 0)]
    count = 0
    while stack:
        choices, after = stack.pop()
        answer = run(choices)
        count += 1
        assert count <= limit, "more paths than expected"
        yield choices, answer
        seen: set[str] = set()
        for i, step in enumerate(answer["path"]):
            element = step["element_id"]
            if element in seen:
                continue
            seen.add(element)
            if i < after or element in choices:
                continue
            for outcome in step["outcomes"][1:]:
                stack.append(({**choices, element: [outcome["key"]]}, i + 1))


def owner(code: str, parents: dict[str, str | None]) -> str:
    """The agency a unit belongs to: the unit, or its ancestor, right below the root."""
    while parents.get(code) and parents.get(parents[code] or ""):
        code = parents[code] or code
    return code


def check_times(answer: Answer, start: datetime, limit_minutes: int,
                steps: dict[str, StepConfig]) -> None:
    """Each step opens when the one before finishes and takes its whole allotted time; the
    appointment runs from reception, or from the last supplement received, to the time
    limit; a supplement asked for and not yet received stops it."""
    calendar = load_calendar()
    at = start
    clock_from: datetime | None = start
    for step in answer["path"]:
        config = steps[step["element_id"]]
        assert datetime.fromisoformat(step["started_at"]) == at, step
        due = calendar.add(at, config.allotted_minutes) if config.allotted_minutes else None
        assert step["due_at"] == (due.isoformat() if due else None), step
        at = due or at
        assert datetime.fromisoformat(step["finished_at"]) == at
        if step["meaning"] == "supplement":
            clock_from = None
        if config.document == "supplement":
            clock_from = at
    expected = calendar.add(clock_from, limit_minutes) if clock_from and limit_minutes else None
    assert answer["due_at"] == (expected.isoformat() if expected else None)


def holders(org: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """(role, unit) -> the full names of the users holding that membership, from the org
    document: who would see a task of that role and unit in their worklist."""
    found: dict[tuple[str, str], list[str]] = {}
    for user in org["users"]:
        for membership in user.get("memberships", []):
            found.setdefault((membership["role"], membership["agency"]), []).append(
                user["full_name"])
    return found


def check_places(answer: Answer, steps: dict[str, StepConfig], selectors: dict[str, str],
                 parents: dict[str, str | None], names: dict[str, str],
                 held: dict[tuple[str, str], list[str]]) -> None:
    """Each task's role is its step's (lane or override), its unit the selector resolved for
    this procedure (an explicit code is itself), its agency the body the unit belongs to,
    and its receivers the officers holding that role in that unit."""
    for step in answer["path"]:
        config = steps[step["element_id"]]
        unit = selectors.get(config.unit, config.unit)
        assert (step["role"], step["unit"], step["agency"]) == (
            config.role, unit, owner(unit, parents)), step
        assert step["unit_name"] == names[unit]
        assert step["agency_name"] == names[owner(unit, parents)]
        assert step["role_name"]
        assert sorted(step["receivers"]) == sorted(held.get((config.role, unit), [])), step
