"""One test per model-conformance rule, each with its seeded defect, and a conforming process
that gives no finding (contract: api.md, *Finding dossiers, audit and indicators*). The
procedure is the base scenario published against a decision's step table (conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from conformance_builders import CODE, STEPS, Decide, Publish, entry, scenario
from sqlalchemy import select

from motcua.audit.conformance.catalogue_rules import update_deadline
from motcua.audit.conformance.operations import Report, local_day, procedure_report, summary
from motcua.audit.settings import put_setting
from motcua.calendar.working_time import WorkingCalendar
from motcua.db import db
from motcua.org.models import User
from motcua.processes.models import ProcessVersion
from motcua.processes.operations import retire
from support.api import Api, new_dossier
from support.clock import FakeClock, local

MONDAY = date(2026, 3, 16)  # the clock fixture's day


def auditor() -> User:
    user = db.session.scalar(select(User).where(User.username == "ks.nga"))
    assert user is not None
    return user


def report(code: str = CODE, day: date = MONDAY) -> Report:
    return procedure_report(auditor(), code, day)


def rules(result: Report) -> list[tuple[str, str, str | None, str | None]]:
    return [(f.rule, f.severity.value, f.element_id, f.step_no) for f in result.findings]


def steps_with(no: int, **changes: Any) -> list[dict[str, Any]]:
    return [dict(s, **changes) if s["no"] == no else s for s in STEPS]


Procedure = Callable[..., ProcessVersion]


def test_a_process_as_the_decision_publishes_it_has_no_finding(procedure: Procedure) -> None:
    version = procedure()
    result = report()
    assert result.findings == []
    assert (result.status, result.errors, result.warnings) == ("conforming", 0, 0)
    answer = result.as_dict()
    assert (answer["procedure"], answer["process_version"], answer["decision"]) == (
        CODE, version.version, "1/QĐ-KT")
    assert answer["findings"] == []


def test_a_step_of_the_decision_the_process_lacks(procedure: Procedure) -> None:
    # The decision registers and stamps (row 5) before returning (row 6); the process has
    # no such step.
    steps = [*STEPS[:4], {"no": 5, "work": "Vào số, đóng dấu", "responsible": "Văn thư",
                          "role": "clerk", "unit": "@agency", "time": "0"},
             dict(STEPS[4], no=6)]
    procedure(bpmn=scenario({**TASK_ROWS_6}), steps=steps)
    [finding] = report().findings
    assert (finding.rule, finding.severity, finding.step_no) == (
        "decision-step-missing", "error", "5")
    assert finding.element_id == "Process_Base"
    assert "Vào số, đóng dấu" in finding.message and "Văn thư" in finding.message
    assert finding.suggestion and "Bổ sung bước" in finding.suggestion


TASK_ROWS_6 = {"Task_Receive": "1", "Task_Assign": "2", "Task_Examine": "3", "Task_Sign": "4",
               "Task_Return": "6"}


def test_a_step_the_decision_has_not(procedure: Procedure) -> None:
    # The decision does not assign: the unit head's step is extra, nothing is missing.
    procedure(steps=[s for s in STEPS if s["no"] != 2])
    [finding] = report().findings
    assert (finding.rule, finding.severity, finding.element_id, finding.step_no) == (
        "decision-step-extra", "error", "Task_Assign", None)
    assert "bước 2" in finding.message and finding.suggestion


def test_another_responsible_than_the_decision(procedure: Procedure) -> None:
    procedure(steps=steps_with(3, role="unit_head", responsible="Lãnh đạo phòng"))
    [finding] = report().findings
    assert (finding.rule, finding.severity, finding.element_id, finding.step_no) == (
        "decision-step-responsible", "error", "Task_Examine", "3")
    assert '"Chuyên viên"' in finding.message and '"Lãnh đạo phòng"' in finding.message
    assert finding.suggestion and '"Lãnh đạo phòng"' in finding.suggestion


def test_another_time_for_a_step(procedure: Procedure) -> None:
    procedure(steps=steps_with(3, time="1d"))
    [finding] = report().findings
    assert (finding.rule, finding.element_id, finding.step_no) == (
        "decision-step-time", "Task_Examine", "3")
    assert "là 1,5 ngày" in finding.message and "quy định 1 ngày" in finding.message
    assert finding.suggestion and "là 1 ngày" in finding.suggestion


def test_the_longest_path_over_the_time_limit(decide: Decide, procedure: Procedure) -> None:
    # Publishing refuses a process over its limit: the limit is shortened afterwards, to 2
    # days, while the steps (the decision's own and the process's) still take 2d4h30m.
    procedure()
    decide("2/QĐ-KT", "2026-03-16", entry(action="amended", time_limit="2d"))
    result = report()
    assert rules(result) == [("time-over-limit", "error", "Task_Examine", None),
                             ("process-update-due", "warning", "Process_Base", None)]
    finding = result.findings[0]
    assert "là 2 ngày 4 giờ 30 phút" in finding.message and "hạn giải quyết 2 ngày" in (
        finding.message)
    assert finding.suggestion and 'từ bước "Thẩm định"' in finding.suggestion


def test_steps_in_another_order(procedure: Procedure) -> None:
    # The decision examines (now row 2) before assigning (row 3).
    steps = [STEPS[0], dict(STEPS[2], no=2), dict(STEPS[1], no=3), *STEPS[3:]]
    procedure(bpmn=scenario({**TASK_ROWS_6, "Task_Assign": "3", "Task_Examine": "2",
                             "Task_Return": "5"}), steps=steps)
    [finding] = report().findings
    assert (finding.rule, finding.severity, finding.element_id) == (
        "decision-step-order", "error", "Task_Examine")
    assert 'sau bước "Phân công" (bước 3)' in finding.message


def test_steps_without_a_row_are_matched_by_order_as_warnings(procedure: Procedure) -> None:
    procedure(bpmn=scenario(rows=None))
    result = report()
    assert rules(result) == [
        ("decision-step-by-order", "warning", task, str(no))
        for no, task in enumerate(("Task_Receive", "Task_Assign", "Task_Examine", "Task_Sign",
                                   "Task_Return"), start=1)]
    assert result.status == "conforming" and result.errors == 0
    assert "theo thứ tự" in result.findings[0].message


def test_a_step_matched_by_order_is_compared_with_its_row(procedure: Procedure) -> None:
    # Only the examination declares no row; it takes row 3, whose time differs.
    rows = {k: v for k, v in TASK_ROWS_6.items() if k != "Task_Examine"} | {"Task_Return": "5"}
    procedure(bpmn=scenario(rows), steps=steps_with(3, time="1d"))
    assert rules(report()) == [("decision-step-time", "error", "Task_Examine", "3"),
                               ("decision-step-by-order", "warning", "Task_Examine", "3")]


# ------------------------------------------------------------------- catalogue rules


def test_a_procedure_in_force_with_no_published_process(decide: Decide,
                                                        publish: Publish) -> None:
    decide("1/QĐ-KT", "2026-01-05", entry())
    result = report()
    assert rules(result) == [("no-published-process", "error", None, None)]
    assert result.status == "no_process"
    # A version scheduled for later is named, and counts from its day.
    publish(effective=date(2026, 3, 20))
    [finding] = report().findings
    assert "phiên bản 1" in finding.message and "20/03/2026" in finding.message
    assert report(day=date(2026, 3, 20)).findings == []


def test_an_abolished_procedure_whose_process_still_takes_dossiers(
        decide: Decide, api: Api, clock: FakeClock) -> None:
    code = "2.000488"  # the sample's, published from 1 January 2026
    clock.set(local(2026, 3, 16, 9, 0))
    new_dossier(api)
    new_dossier(api)
    # Imported late: the abolition took effect on Monday morning, before both dossiers.
    decide("9/QĐ-KT", "2026-03-16", {"action": "abolished", "code": code})
    result = report(code)
    assert rules(result) == [
        ("abolished-process-in-force", "error", "Process_LyLichTuPhap", None),
        ("abolished-dossiers-received", "error", None, None)]
    assert result.findings[1].count == 2 and "2 hồ sơ" in result.findings[1].message
    assert result.status == "deviating"
    # The day before, the procedure was in force and its process matched by order.
    assert {f.rule for f in report(code, date(2026, 3, 13)).findings} == {
        "decision-step-by-order"}
    # Retired, the version no longer runs; the dossiers received meanwhile remain.
    version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.version == 1))
    assert version is not None
    retire(version, None)
    assert version.retired_at is not None
    # Retired at the wall clock's time: from that day on (before it, it was still running).
    retired = local_day(version.retired_at)
    [left] = report(code, retired).findings
    assert (left.rule, left.count) == ("abolished-dossiers-received", 2)


def test_a_replaced_procedure_whose_process_still_runs(decide: Decide) -> None:
    decide("9/QĐ-KT", "2026-03-16", {**entry(code="2.000999"), "action": "replaced",
                                      "replaces": "2.000488"})
    [finding] = report("2.000488").findings
    assert (finding.rule, finding.severity) == ("abolished-process-in-force", "error")
    assert "thay thế bởi thủ tục 2.000999" in finding.message
    assert finding.suggestion and "theo thủ tục 2.000999" in finding.suggestion
    # The replacing procedure has no process yet.
    assert [f.rule for f in report("2.000999").findings] == ["no-published-process"]


@pytest.mark.parametrize(("days", "stale_from"), [(3, date(2026, 3, 16)),
                                                 (5, date(2026, 3, 18))])
def test_a_decision_newer_than_the_process_past_the_deadline(
        decide: Decide, procedure: Procedure, days: int, stale_from: date) -> None:
    procedure()
    # Amended from Tuesday 10 March, the process was not: 3 working days end on Friday 13,
    # 5 on Tuesday 17 (the effective day itself is not counted).
    decide("2/QĐ-KT", "2026-03-10", entry(action="amended", fee="50.000 đồng"))
    put_setting("process_update_days", days, auditor(), local(2026, 3, 1, 8, 0))
    last_day = date(2026, 3, 13) if days == 3 else date(2026, 3, 17)
    assert [(f.rule, f.severity) for f in report(day=last_day).findings] == [
        ("process-update-due", "warning")]
    stale = report(day=stale_from).findings
    assert [(f.rule, f.severity, f.element_id) for f in stale] == [
        ("process-not-updated", "error", "Process_Base")]
    assert "quy trình chưa cập nhật theo quyết định" in stale[0].message.lower()
    assert f"{days} ngày làm việc" in stale[0].message and "2/QĐ-KT" in stale[0].message
    # Before the amendment took effect there was nothing to update.
    assert report(day=date(2026, 3, 9)).findings == []


def test_a_process_published_after_the_decision_is_up_to_date(
        decide: Decide, procedure: Procedure, publish: Publish) -> None:
    procedure()
    decide("2/QĐ-KT", "2026-03-10", entry(action="amended", fee="50.000 đồng"))
    assert [f.rule for f in report().findings] == ["process-update-due"]
    publish(effective=MONDAY)
    assert report().findings == []


def test_the_update_deadline_counts_working_days_after_the_effective_day() -> None:
    calendar = WorkingCalendar()
    # Friday 24 April 2026: the next Monday, then 30/4 and 1/5 are days off.
    assert update_deadline(date(2026, 4, 24), 3, calendar) == date(2026, 5, 4)
    assert update_deadline(date(2026, 3, 10), 0, calendar) == date(2026, 3, 10)


# ------------------------------------------------------------------- the province


def test_the_summary_lists_each_procedure_in_force_with_its_counts(
        procedure: Procedure) -> None:
    procedure(steps=steps_with(3, time="1d"))
    found = {r.subject.procedure.code: r for r in summary(auditor(), MONDAY)}
    # 2.000505 is abolished and runs nothing: it is not listed.
    assert set(found) == {CODE, "2.000488", "1.001193"}
    assert (found[CODE].errors, found[CODE].warnings, found[CODE].status) == (
        1, 0, "deviating")
    assert found["1.001193"].status == "no_process"
    assert (found["2.000488"].errors, found["2.000488"].warnings) == (0, 7)
