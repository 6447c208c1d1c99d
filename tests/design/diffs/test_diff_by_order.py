"""The diff against the decision reads the legal check's matching: an officer step without a
row is compared with the row the check matched it to by order ("khớp theo thứ tự"), the rows
left unmatched are rows with no step, and the diff's findings are the draft's check findings,
pair for pair, whether the process declares no row, every row or some of them."""

from __future__ import annotations

from typing import Any

from diff_support import DESIGNER, Designer, Edit
from flask import Flask
from lxml import etree

from motcua.calendar.working_time import parse_duration
from motcua.catalog.operations import get_procedure
from motcua.processes.checks import ProcedureContext
from motcua.processes.checks.legal import DecisionRow, row_key
from support.api import PROCEDURE
from support.web import Browser, text

BY_ORDER = "decision-step-by-order"
MATCHED = "khớp theo thứ tự"


def decision_rows() -> list[DecisionRow]:
    return list(ProcedureContext.from_procedure(get_procedure(PROCEDURE)).rows)


def legal(rule: str | None) -> bool:
    return bool(rule) and (rule == "time-over-limit" or str(rule).startswith("decision-"))


def findings(items: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    """(rule, element, decision row) of the legal findings, of a check or of a diff."""
    return sorted((i["rule"], i.get("element_id"), i.get("step_no"))
                  for i in items if legal(i.get("rule")))


def tied_in_order(edit: Edit, rows: list[DecisionRow]) -> list[etree._Element]:
    """The generated draft's steps that carry a row, in the table's order (the main route's)."""
    position = {r.no: i for i, r in enumerate(rows)}
    tied = [t for t in edit.tasks() if edit.prop(t, "row")]
    return sorted(tied, key=lambda t: position[row_key(edit.prop(t, "row"))])


def drop_row(edit: Edit, task: etree._Element) -> None:
    for prop in edit.all_in(task, ".//spiffworkflow:property[@name='row']"):
        prop.getparent().remove(prop)


def compared(designer: Designer, bpmn: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The saved draft's check findings and its diff against the decision."""
    draft = designer.save(designer.generated(), bpmn=bpmn)
    return draft["problems"], designer.changes(f"/drafts/{draft['id']}/diff?against=decision")


def pairs(items: list[dict[str, Any]]) -> dict[str | None, str | None]:
    return {i.get("element_id"): i.get("step_no") for i in items if i.get("rule") == BY_ORDER}


def test_a_process_without_rows_gives_the_pairs_the_check_reports(designer: Designer) -> None:
    rows = decision_rows()
    edit = Edit(designer.generated()["bpmn"])
    tied = tied_in_order(edit, rows)
    # Taking out an early step shifts the matching: every step after it takes the row
    # before its own, and the table's last row is left with no step.
    gone = next(t for t in tied if len(edit.flows(targetRef=t.get("id") or "")) == 1
                and len(edit.flows(sourceRef=t.get("id") or "")) == 1
                and not edit.prop(t, "outcomes"))
    edit.remove_task(gone)
    kept = [t for t in tied if t is not gone]
    for task in kept:
        drop_row(edit, task)
    expected = {t.get("id"): r.no for t, r in zip(kept, rows, strict=False)}
    left = [r.no for r in rows[len(kept):]]
    assert left, "the table has a row more than the steps kept"

    problems, changes = compared(designer, edit.xml)
    assert pairs(problems) == expected
    assert pairs(changes) == expected
    assert findings(changes) == findings(problems)
    assert [c["old"]["no"] for c in changes if c["element_kind"] == "row"] == left

    table = {r.no: r for r in rows}
    for change in changes:
        if change["rule"] == BY_ORDER:
            no = expected[change["element_id"]]
            assert (change["kind"], change["field"], change["old"], change["new"]) == (
                "changed", "row", no, None)
            assert MATCHED in change["message"] and table[no].work in change["message"]
        elif change["rule"] in ("decision-step-time", "decision-step-responsible"):
            # Compared with the row the check matched, and said so.
            assert change["step_no"] == expected[change["element_id"]]
            assert f"bước {change['step_no']} của quyết định ({MATCHED})" in change["message"]
    # The shifted steps are compared for time with the row they took, as the check does.
    minutes = {t.get("id"): parse_duration(edit.prop(t, "allotted") or "0") for t in kept}
    late = {(t, no) for t, no in expected.items() if minutes[t] != table[no].minutes}
    assert late, "a shifted step's time differs from its new row's"
    timed = [c for c in changes if c["rule"] == "decision-step-time"]
    assert {(c["element_id"], c["step_no"]) for c in timed} == late
    assert all(c["old"] == table[c["step_no"]].minutes and c["new"] == minutes[c["element_id"]]
               for c in timed)
    for change in (c for c in changes if c["rule"] == "decision-step-responsible"):
        row = table[change["step_no"]]
        assert change["old"] == {"role": row.role, "unit": row.unit}


def test_every_step_matched_by_order_when_nothing_differs(designer: Designer) -> None:
    rows = decision_rows()
    edit = Edit(designer.generated()["bpmn"])
    tied = tied_in_order(edit, rows)
    for task in tied:
        drop_row(edit, task)
    problems, changes = compared(designer, edit.xml)
    # Each step in its own row's place: matched by order, and nothing else to say.
    expected = {t.get("id"): row_key(r.no) for t, r in zip(tied, rows, strict=True)}
    assert pairs(changes) == pairs(problems) == expected
    assert {c["rule"] for c in changes} == {BY_ORDER}
    assert findings(changes) == findings(problems)


def test_a_process_with_rows_is_compared_by_the_rows_it_declares(designer: Designer) -> None:
    rows = decision_rows()
    edit = Edit(designer.generated()["bpmn"])
    timed = tied_in_order(edit, rows)[0]
    edit.set_prop(timed, "allotted", "1h")
    problems, changes = compared(designer, edit.xml)
    (change,) = changes
    assert (change["element_id"], change["rule"], change["step_no"], change["old"],
            change["new"]) == (timed.get("id"), "decision-step-time", edit.prop(timed, "row"),
                               rows[0].minutes, 60)
    assert MATCHED not in change["message"]
    assert findings(changes) == findings(problems)


def test_a_mixed_process_matches_only_the_steps_without_a_row(designer: Designer) -> None:
    rows = decision_rows()
    edit = Edit(designer.generated()["bpmn"])
    tied = tied_in_order(edit, rows)
    # A step inside the route and the last one lose their row; the others keep theirs.
    inner, last = tied[1], tied[-1]
    expected = {t.get("id"): row_key(edit.prop(t, "row")) for t in (inner, last)}
    for task in (inner, last):
        drop_row(edit, task)
    edit.set_prop(inner, "allotted", "1h")
    problems, changes = compared(designer, edit.xml)
    assert pairs(changes) == pairs(problems) == expected
    assert findings(changes) == findings(problems)
    assert not [c for c in changes if c["element_kind"] == "row"]
    table = {r.no: r for r in rows}
    (time,) = [c for c in changes if c["rule"] == "decision-step-time"]
    no = expected[inner.get("id")]
    assert (time["element_id"], time["step_no"], time["old"], time["new"]) == (
        inner.get("id"), no, table[no].minutes, 60)
    assert f"bước {no} của quyết định ({MATCHED})" in time["message"]
    declared = {t.get("id") for t in tied} - set(expected)
    assert not [c for c in changes if c["element_id"] in declared]


def test_the_page_says_a_step_was_matched_by_order(app: Flask, designer: Designer) -> None:
    edit = Edit(designer.generated()["bpmn"])
    (first, *_) = tied_in_order(edit, decision_rows())
    drop_row(edit, first)
    draft = designer.save(designer.generated(), bpmn=edit.xml)
    page = text(Browser(app, DESIGNER).get(f"/design/drafts/{draft['id']}/diff?against=decision"))
    assert MATCHED in page and "Không có thay đổi nào" not in page
