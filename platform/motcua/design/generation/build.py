"""Generating a complete draft from a procedure's step table: lanes, tasks with their row,
time, outcomes and documents, the loops, a starter form per step, and the diagram."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.calendar.working_time import parse_duration
from motcua.catalog.decisions import infer_role_unit
from motcua.catalog.models import Procedure
from motcua.design.generation import forms as starter
from motcua.design.generation.layout import lay_out
from motcua.design.generation.plan import (
    DESK,
    Lane,
    Plan,
    Task,
    connect,
    ident,
    kinds,
    outcomes_for,
)
from motcua.design.generation.responsible import OrgIndex, Resolved
from motcua.design.generation.rows import headings
from motcua.design.generation.xml import write_bpmn
from motcua.processes.checks import Problem
from motcua.processes.checks.problems import Severity

MAX_NAME = 300
DESK_LANE_NAME = "Bộ phận Một cửa"


@dataclass
class Generated:
    bpmn: str
    forms: dict[str, dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)
    filename: str = "process.bpmn"


def task_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that are tasks: a step whose sub-steps follow (3 with 3.1, 3.2) is a heading."""
    heads = headings([str(s.get("no", "")) for s in steps])
    return [s for s in steps if str(s.get("no", "")) not in heads]


def _resolve(org: OrgIndex, step: dict[str, Any]) -> Resolved:
    text = str(step.get("responsible") or "")
    role, unit = step.get("role") or None, step.get("unit") or None
    if not step.get("inferred", not (role and unit)):
        return org.resolve(text, role, unit)  # the row wrote both: they are final
    # read_steps filled in what the row left out from the catalogue's rules; a unit other
    # than the rules' was written by the row and stays, the rules' own selector is looked
    # up again in the organisation tree.
    guess = infer_role_unit(text)
    written = unit if unit and (guess is None or unit != guess[1]) else None
    return org.resolve(text, role, written)


def _allotted(step: dict[str, Any]) -> str:
    time = str(step.get("time") or "0").strip()
    try:
        parse_duration(time)
    except ValueError:
        return "0"
    return time


def _name(text: str, fallback: str) -> str:
    return " ".join(text.split())[:MAX_NAME] or fallback


def generate(procedure: Procedure, steps: list[dict[str, Any]] | None = None,
             time_limit_minutes: int | None = None) -> Generated:
    """A draft process for ``procedure`` from ``steps`` (rows as ``Procedure.steps`` stores
    them; default the procedure's own): runnable without edits when every responsible text
    resolves. What could not be resolved is in ``problems``, on the element it concerns."""
    rows = task_steps(list(procedure.steps if steps is None else steps))
    code = procedure.code
    filename = f"{code}.bpmn"
    if not rows:
        return Generated("", {}, [Problem("Bảng quy trình chưa có bước nào để tạo quy trình.",
                                          rule="table")], filename)
    org = OrgIndex.load(procedure.agency.code if procedure.agency else None,
                        procedure.handling_unit.code if procedure.handling_unit else None)
    used: set[str] = set()
    ids = [ident(s.get("no", i + 1), used) for i, s in enumerate(rows)]
    resolved = [_resolve(org, s) for s in rows]
    problems = [
        Problem(r.problem, element_id=task_id, rule="responsible",
                severity=Severity.ERROR if r.blocking else Severity.WARNING)
        for r, task_id in zip(resolved, ids, strict=True) if r.problem]
    step_kinds = kinds([r.role for r in resolved])

    plan = Plan()
    lane_of: dict[tuple[str | None, str | None], int] = {}
    if any(k in ("reception", "examination") for k in step_kinds):
        # The desk receives supplements: its lane exists and comes first.
        first = resolved[0] if step_kinds[0] == "reception" else None
        name = str(rows[0].get("responsible") or "") if first else DESK_LANE_NAME
        lane_of[DESK] = 0
        plan.lanes.append(Lane("Lane_1", _name(name, DESK_LANE_NAME), *DESK))
    for row, r in zip(rows, resolved, strict=True):
        key = (r.role, r.unit)
        if key not in lane_of:
            lane_of[key] = len(plan.lanes)
            plan.lanes.append(Lane(f"Lane_{len(plan.lanes) + 1}",
                                   _name(str(row.get("responsible") or ""), "Làn"), *key))

    forms: dict[str, dict[str, Any]] = {starter.START_FORM: starter.start_form(procedure.name)}
    for i, (row, r) in enumerate(zip(rows, resolved, strict=True)):
        number = str(row.get("no", i + 1))
        previous = str(rows[i - 1].get("no", i)) if i else None
        task = Task(id=ids[i], name=_name(str(row.get("work") or ""), f"Bước {number}"),
                    lane=lane_of[(r.role, r.unit)], kind=step_kinds[i], column=i, row=number,
                    allotted=_allotted(row), outcomes=outcomes_for(step_kinds[i], previous))
        if task.kind == "reception":
            task.document = "receipt"
        elif task.kind == "issue":
            task.document = "result"
        elif task.kind == "assignment":
            task.assignee_role = resolved[i + 1].role
        form_key = "buoc-" + "".join(c if c.isalnum() else "-" for c in number)
        task.form = form_key
        forms[form_key] = starter.step_form(task, form_key, f"Bước {number}: {task.name}")
        plan.tasks.append(task)
    connect(plan, lane_of.get(DESK, 0))
    if any(t.kind == "supplement" for t in plan.tasks):
        forms[starter.SUPPLEMENT_FORM] = starter.supplement_form()
    problems.extend(_time_problems(procedure, plan, time_limit_minutes))
    bpmn = write_bpmn(plan, lay_out(plan), process_id=ident(code, set(), "Process_"),
                      name=procedure.name, participant=procedure.agency.name
                      if procedure.agency else procedure.name,
                      start_form=starter.START_FORM)
    return Generated(bpmn, forms, problems, filename)


def _days(minutes: int) -> str:
    return f"{minutes / 480:g} ngày làm việc"


def _time_problems(procedure: Procedure, plan: Plan, table_limit: int | None) -> list[Problem]:
    total = sum(parse_duration(t.allotted) for t in plan.tasks if t.kind != "supplement")
    problems = []
    legal = procedure.time_limit_minutes or 0
    if table_limit is not None and legal and table_limit != legal:
        problems.append(Problem(
            f"Dòng tổng của bảng ghi {_days(table_limit)} nhưng thủ tục {procedure.code} có thời "
            f"hạn giải quyết {_days(legal)}: kiểm tra lại bảng hoặc quyết định công bố.",
            rule="time_limit", severity=Severity.WARNING))
    limit = table_limit if table_limit is not None else legal
    if limit and total > limit:
        problems.append(Problem(
            f"Tổng thời gian các bước ({_days(total)}) vượt thời hạn giải quyết "
            f"({_days(limit)}): rút ngắn thời gian của các bước.",
            rule="time_limit", severity=Severity.WARNING))
    return problems
