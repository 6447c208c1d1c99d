"""The process against its procedure (bpmn-dialect.md, *Checks: errors and warnings*): the
longest main path against the time limit, and the decision's step table. One seeded defect
per rule in ``scenarios/base.bpmn`` with rows added, its severity, and the fixed version."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from motcua.calendar.working_time import parse_duration
from motcua.catalog.decisions import read_steps
from motcua.catalog.models import Procedure
from motcua.processes.checks import (
    CheckResult,
    DecisionRow,
    Problem,
    ProcedureContext,
    check_process,
    load_forms_dir,
)
from motcua.processes.checks.problems import Severity
from support.bpmn import BASE, check, line_of, variant
from support.paths import DEMO, REPO, SAMPLES
from support.rows import BASE_ROWS, ROWS, TASK_ROWS, with_rows

LEGAL = {"time-over-limit", "decision-step-missing", "decision-step-extra",
         "decision-step-order", "decision-step-responsible", "decision-step-time",
         "decision-step-by-order"}


def legal(result: CheckResult) -> list[Problem]:
    return [p for p in result.problems if p.rule in LEGAL]


def by_rule(result: CheckResult, rule: str) -> list[Problem]:
    return [p for p in result.problems if p.rule == rule]


def context(limit: str = "3d", rows: tuple[DecisionRow, ...] = ROWS) -> ProcedureContext:
    return ProcedureContext(parse_duration(limit), rows)




def test_the_base_scenario_with_its_rows_matches_its_decision() -> None:
    result = check(BASE_ROWS, procedure=context())
    assert result.problems == []
    assert result.spec is not None


# --------------------------------------------------------------------------- time limit


def test_the_longest_path_over_the_time_limit_is_an_error() -> None:
    result = check(BASE_ROWS, procedure=context("2d"))
    [problem] = legal(result)
    assert (problem.rule, problem.severity) == ("time-over-limit", Severity.ERROR)
    # Drawn on the step where the running total passes 2 days: 4h + 4h + 1d4h.
    assert problem.element_id == "Task_Examine"
    assert problem.line == line_of(BASE_ROWS, '<bpmn:userTask id="Task_Examine"')
    assert "2 ngày 4 giờ 30 phút" in problem.message and "2 ngày" in problem.message
    assert not result.ok and result.spec is None
    assert legal(check(BASE_ROWS, procedure=context("2d4h30m"))) == []


def test_a_time_limit_not_counted_is_not_checked() -> None:
    assert legal(check(BASE_ROWS, procedure=context("0"))) == []


def test_timer_branches_are_not_on_the_main_path() -> None:
    # The reminder after the timer takes 5 days; it is auxiliary: neither counted nor extra.
    text = variant(('<bpmn:userTask id="Task_Remind" name="Đôn đốc">',
                    '<bpmn:userTask id="Task_Remind" name="Đôn đốc"><bpmn:extensionElements>'
                    '<spiffworkflow:properties><spiffworkflow:property name="allotted" '
                    'value="5d"/></spiffworkflow:properties></bpmn:extensionElements>'),
                   text=BASE_ROWS)
    assert legal(check(text, procedure=context())) == []


SUPPLEMENT = (
    '    <bpmn:userTask id="Task_Supplement" name="Nhận hồ sơ bổ sung">\n'
    "      <bpmn:extensionElements><spiffworkflow:properties>\n"
    '        <spiffworkflow:property name="allotted" value="5d"/>\n'
    '        <spiffworkflow:property name="document" value="supplement"/>\n'
    "      </spiffworkflow:properties></bpmn:extensionElements>\n"
    "    </bpmn:userTask>\n"
    '    <bpmn:sequenceFlow id="Flow_Supplement" sourceRef="Gw_Examine" '
    'targetRef="Task_Supplement">\n'
    '      <bpmn:conditionExpression>outcome == "bs"</bpmn:conditionExpression>\n'
    "    </bpmn:sequenceFlow>\n"
    '    <bpmn:sequenceFlow id="Flow_Supplemented" sourceRef="Task_Supplement" '
    'targetRef="Task_Sign"/>\n'
)


def supplement_branch(meaning: str) -> str:
    """Examination may ask for a supplement, received in 5 days, after which signing."""
    return variant(
        ('value="approve=Đề xuất duyệt;back=Trả lại"',
         f'value="approve=Đề xuất duyệt;back=Trả lại;bs:{meaning}=Bổ sung"'),
        ("        <bpmn:flowNodeRef>Task_Examine</bpmn:flowNodeRef>\n",
         "        <bpmn:flowNodeRef>Task_Examine</bpmn:flowNodeRef>\n"
         "        <bpmn:flowNodeRef>Task_Supplement</bpmn:flowNodeRef>\n"),
        ("  </bpmn:process>", SUPPLEMENT + "  </bpmn:process>"),
        text=BASE_ROWS)


def test_supplement_branches_are_not_counted_and_not_extra() -> None:
    result = check(supplement_branch("supplement"), procedure=context())
    assert legal(result) == [], result.problems
    assert result.ok, result.problems
    # The same branch taken by an outcome that moves on is the main path: counted and extra.
    forward = check(supplement_branch("forward"), procedure=context())
    assert {(p.rule, p.element_id) for p in legal(forward)} == {
        ("time-over-limit", "Task_Supplement"), ("decision-step-extra", "Task_Supplement")}


def test_back_edges_are_not_counted() -> None:
    # The send-back to the assignment makes a loop; the path is measured without it.
    result = check(BASE_ROWS, procedure=context("2d4h30m"))
    assert legal(result) == []


# --------------------------------------------------------------------------- step table


def test_a_decision_row_no_task_carries_is_missing() -> None:
    # The decision files the dossier (row 6) after returning the result; no task does.
    rows = (*ROWS, DecisionRow("6", "Lưu trữ hồ sơ", "clerk", "@agency", 0))
    result = check(BASE_ROWS, procedure=context(rows=rows))
    [problem] = by_rule(result, "decision-step-missing")
    assert problem.element_id == "Process_Base" and problem.severity is Severity.WARNING
    assert problem.line == line_of(BASE_ROWS, '<bpmn:process id="Process_Base"')
    assert problem.step_no == "6"
    assert "Bước 6" in problem.message and "Lưu trữ hồ sơ" in problem.message
    assert result.ok  # warnings block nothing
    assert by_rule(check(BASE_ROWS, procedure=context()), "decision-step-missing") == []


def test_a_task_without_row_takes_the_next_row_no_task_declares() -> None:
    text = with_rows(BASE, {k: v for k, v in TASK_ROWS.items() if k != "Task_Return"})
    result = check(text, procedure=context())
    [problem] = legal(result)
    assert (problem.rule, problem.element_id, problem.step_no, problem.severity) == (
        "decision-step-by-order", "Task_Return", "5", Severity.WARNING)
    assert 'bước 5 của quyết định ("Trả kết quả")' in problem.message
    assert problem.message.endswith("(thuộc tính row).")
    assert result.ok


def test_a_task_matched_by_order_is_compared_with_its_row() -> None:
    text = with_rows(BASE, {k: v for k, v in TASK_ROWS.items() if k != "Task_Examine"})
    rows = (*ROWS[:2], DecisionRow("3", "Thẩm định", "unit_head", "@handling", 480), *ROWS[3:])
    found = {(p.rule, p.element_id, p.step_no) for p in legal(check(text,
                                                                    procedure=context(rows=rows)))}
    assert found == {("decision-step-by-order", "Task_Examine", "3"),
                     ("decision-step-responsible", "Task_Examine", "3"),
                     ("decision-step-time", "Task_Examine", "3")}


def test_no_task_takes_a_row_before_one_declared_earlier_on_its_route() -> None:
    # The assignment declares the examination's row (3): the examination after it, with no
    # row, cannot be the assignment (row 2); it is extra, and row 2 is missing.
    text = with_rows(BASE, {"Task_Receive": "1", "Task_Assign": "3", "Task_Sign": "4",
                            "Task_Return": "5"})
    result = check(text, procedure=context())
    assert by_rule(result, "decision-step-by-order") == []
    assert [p.element_id for p in by_rule(result, "decision-step-extra")] == ["Task_Examine"]
    assert [p.step_no for p in by_rule(result, "decision-step-missing")] == ["2"]


def test_a_heading_row_whose_sub_steps_are_carried_is_not_missing() -> None:
    rows: tuple[DecisionRow, ...] = (*ROWS[:2], DecisionRow("3", "Thẩm định", None, None, 0),
            DecisionRow("3.1", "Thẩm định hồ sơ", "specialist", "@handling", 720), *ROWS[3:])
    text = with_rows(BASE, {**TASK_ROWS, "Task_Examine": "3.1"})
    assert legal(check(text, procedure=context(rows=rows))) == []
    # A sub-step nobody carries is missing, under its own number.
    rows = (*rows[:4], DecisionRow("3.2", "Tra cứu", "specialist", "@handling", 0),
            *rows[4:])
    [problem] = by_rule(check(text, procedure=context(rows=rows)), "decision-step-missing")
    assert "Bước 3.2" in problem.message


def test_a_task_carrying_a_row_the_decision_has_not_is_extra() -> None:
    text = with_rows(BASE, {**TASK_ROWS, "Task_Examine": "9"})
    result = check(text, procedure=context())
    extra = by_rule(result, "decision-step-extra")
    assert [(p.element_id, p.severity) for p in extra] == [("Task_Examine", Severity.WARNING)]
    assert '"9"' in extra[0].message
    # Row 3 is then missing too: the designer sees both ends of the mistake.
    [missing] = by_rule(result, "decision-step-missing")
    assert missing.message.startswith("Bước 3 ")


def test_a_main_path_task_without_row_is_extra_but_an_auxiliary_one_is_not() -> None:
    text = with_rows(BASE, {k: v for k, v in TASK_ROWS.items() if k != "Task_Assign"})
    rows = tuple(r for r in ROWS if r.no != "2")
    result = check(text, procedure=context(rows=rows))
    [problem] = by_rule(result, "decision-step-extra")
    assert problem.element_id == "Task_Assign" and problem.severity is Severity.WARNING
    assert problem.line == line_of(text, '<bpmn:userTask id="Task_Assign"')
    # Task_Remind (reached only by a timer) carries no row either, and is not reported.
    assert "Task_Remind" not in {p.element_id for p in legal(result)}


def test_rows_in_another_order_along_the_main_path() -> None:
    # The decision examines before assigning.
    rows = (ROWS[0], ROWS[2], ROWS[1], *ROWS[3:])
    result = check(BASE_ROWS, procedure=context(rows=rows))
    [problem] = by_rule(result, "decision-step-order")
    assert problem.element_id == "Task_Examine" and problem.severity is Severity.WARNING
    assert 'bước "Phân công"' in problem.message
    assert legal(result) == [problem]


def test_another_responsible_than_the_decision() -> None:
    rows = (*ROWS[:2], DecisionRow("3", "Thẩm định", "unit_head", "@handling", 720), *ROWS[3:])
    result = check(BASE_ROWS, procedure=context(rows=rows))
    [problem] = by_rule(result, "decision-step-responsible")
    assert problem.element_id == "Task_Examine" and problem.severity is Severity.WARNING
    assert '"Vai trò" là "Lãnh đạo phòng"' in problem.message
    assert "(thuộc tính role)" in problem.message
    # The row says only the unit: the role is not compared.
    rows = (*ROWS[:2], DecisionRow("3", "Thẩm định", None, "@handling", 720), *ROWS[3:])
    assert legal(check(BASE_ROWS, procedure=context(rows=rows))) == []


def test_another_time_than_the_decision() -> None:
    rows = (*ROWS[:2], DecisionRow("3", "Thẩm định", "specialist", "@handling", 480), *ROWS[3:])
    result = check(BASE_ROWS, procedure=context(rows=rows))
    [problem] = by_rule(result, "decision-step-time")
    assert problem.element_id == "Task_Examine" and problem.severity is Severity.WARNING
    assert "1,5 ngày" in problem.message and "1 ngày" in problem.message


def test_a_process_that_declares_no_row_is_compared_by_order() -> None:
    # Older files: the officer steps along the main route take the table's rows in order, a
    # warning each; the steps that differ from their row are reported as for a declared row.
    problems = legal(check(BASE, procedure=context()))
    assert [(p.rule, p.element_id, p.step_no) for p in problems] == [
        ("decision-step-by-order", task, no) for task, no in TASK_ROWS.items()]
    # The reminder (reached only by a timer) takes no row.
    assert "Task_Remind" not in {p.element_id for p in problems}
    over = legal(check(BASE, procedure=context("2d")))
    assert [p.rule for p in over if p.rule != "decision-step-by-order"] == ["time-over-limit"]


def test_legal_problems_are_reported_alongside_other_errors() -> None:
    text = variant(('value="specialist"', 'value="chuyen_vien"'), text=BASE_ROWS)
    rules = {p.rule for p in check(text, procedure=context("2d")).problems}
    assert {"dialect", "time-over-limit"} <= rules


# --------------------------------------------------------------------------- context


def test_context_from_a_procedure_reads_its_stored_steps() -> None:
    steps = read_steps([
        {"no": 1, "work": "Tiếp nhận", "responsible": "Công chức Bộ phận Một cửa",
         "time": "0.5d"},
        {"no": "3.1", "work": "Thẩm định", "responsible": "Chuyên viên", "role": "specialist",
         "unit": "@handling", "time": "7d"},
    ])
    procedure = Procedure(time_limit="10d", time_limit_minutes=4800, steps=steps)
    ctx = ProcedureContext.from_procedure(procedure)
    assert ctx.time_limit_minutes == 4800
    assert ctx.rows == (DecisionRow("1", "Tiếp nhận", "receiver", "@desk", 240),
                        DecisionRow("3.1", "Thẩm định", "specialist", "@handling", 3360))
    assert ProcedureContext.from_procedure(SimpleNamespace(time_limit_minutes=0, steps=None)) \
        == ProcedureContext(0, ())


# --------------------------------------------------------------------------- the library


def _procedures() -> dict[str, ProcedureContext]:
    found = {}
    for path in (DEMO / "decision.json", SAMPLES / "decision.json"):
        for entry in json.loads(path.read_text(encoding="utf-8"))["procedures"]:
            if entry.get("action") == "abolished":
                continue
            state = SimpleNamespace(time_limit_minutes=parse_duration(entry["time_limit"]),
                                    steps=read_steps(entry.get("steps", [])))
            found[entry["code"]] = ProcedureContext.from_procedure(state)
    return found


def _library() -> list[tuple[str, Path]]:
    entries = json.loads((REPO / "bpmn" / "library.json").read_text(encoding="utf-8"))
    return [(e["procedure"], REPO / "bpmn" / e["bpmn"]) for e in entries["processes"]]


@pytest.mark.parametrize(("code", "path"), _library(), ids=lambda v: getattr(v, "name", v))
def test_the_library_processes_match_their_decisions(code: str, path: Path) -> None:
    forms, form_problems = load_forms_dir(REPO / "forms")
    assert form_problems == []
    result = check_process(path.read_bytes(), path.name, forms, procedure=_procedures()[code])
    assert result.problems == []
    assert result.spec is not None


def test_the_shared_sample_checks_without_errors_against_its_procedure() -> None:
    forms, _ = load_forms_dir(SAMPLES / "forms")
    path = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"
    result = check_process(path.read_bytes(), path.name, forms,
                           procedure=_procedures()["2.000488"])
    assert result.ok, result.errors
    assert result.spec is not None


# --------------------------------------------------------------------------- upload


def test_an_upload_over_the_time_limit_is_refused(sample: dict[str, Any], api: Any) -> None:
    text = (SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn").read_text(encoding="utf-8")
    # 2.000488 allows 10 days; the sample's steps use exactly 10. Examination takes 9 here.
    assert text.count('name="allotted" value="7d"') == 1
    slow = text.replace('name="allotted" value="7d"', 'name="allotted" value="9d"')
    forms = [(io.BytesIO(p.read_bytes()), p.name)
             for p in sorted((SAMPLES / "forms").glob("*.json"))]
    response = api.post("qt.binh", "/processes", data={
        "procedure": "2.000488", "bpmn": (io.BytesIO(slow.encode()), "ly-lich.bpmn"),
        "forms": forms}, content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    [detail] = response.get_json()["error"]["details"]
    # 0.5 + 0.5 + 9 days reach the limit; the review, next, passes it.
    assert (detail["rule"], detail["element_id"]) == ("time-over-limit", "Task_Review")
    assert "12 ngày" in detail["message"] and "10 ngày" in detail["message"]


def test_a_called_process_counts_with_its_own_longest_path() -> None:
    scenarios = REPO / "tests" / "processes" / "scenarios"
    forms, _ = load_forms_dir(scenarios / "forms")
    main = (scenarios / "call-main.bpmn").read_bytes()
    library = [("dong-dau.bpmn", (scenarios / "library" / "dong-dau.bpmn").read_bytes())]
    # The main process has no allotted time of its own; the stamping it calls takes 1 hour.
    over = check_process(main, "call-main.bpmn", forms, library=library,
                         procedure=context("30m", ()))
    [problem] = legal(over)
    assert (problem.rule, problem.element_id) == ("time-over-limit", "Call_Stamp")
    assert "1 giờ" in problem.message and "30 phút" in problem.message
    within = check_process(main, "call-main.bpmn", forms, library=library,
                           procedure=context("1h", ()))
    assert legal(within) == []
