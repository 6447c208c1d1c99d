"""The checks speak a designer's words: the modeler panel's labels, steps by their names,
units by what the pick list shows (an agency by its name), never a bare property name, unit
selector, BPMN tag, condition syntax or generated id (those only in a trailing hint)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from motcua.catalog.models import Procedure
from motcua.processes import operations
from motcua.processes.checks import DecisionRow, ProcedureContext
from motcua.processes.checks.problems import Severity
from support.bpmn import FORMS, check, variant
from support.rows import BASE_ROWS, ROWS

CONTEXT = ProcedureContext(3 * 480, ROWS)
# What a designer never sees in the modeler; allowed only in a hint at the end.
TECHNICAL = re.compile(
    r"@desk|@handling|@agency|userTask|manualTask|endEvent|startEvent|exclusiveGateway|"
    r"parallelGateway|outcome ==|\b(Task|Gw|Flow|Lane|Start|End|Timer)_\w+|"
    r"\b(allotted|outcomes|reason_field|missing_field|assignee_field|document|row)\b"
)
HINT = re.compile(r"\((thuộc tính|trong tệp)[^()]*\)")

# One seeded defect per kind of message a designer meets while drawing.
DEFECTS = {
    "lane without role": (('<spiffworkflow:property name="role" value="specialist"/>', ""),),
    "bad unit": (('value="@handling"/>\n          </spiffworkflow:properties>\n'
                  '        </bpmn:extensionElements>\n        <bpmn:flowNodeRef>Task_Examine',
                  'value="@phong"/>\n          </spiffworkflow:properties>\n'
                  '        </bpmn:extensionElements>\n        <bpmn:flowNodeRef>Task_Examine'),),
    "unreadable time": (('value="1d4h"', 'value="bốn giờ"'),),
    "unknown outcome key": (('outcome == "approve"', 'outcome == "aprove"'),),
    "uncovered outcome": (('value="approve=Đề xuất duyệt;back=Trả lại"',
                           'value="approve=Đề xuất duyệt;back=Trả lại;hoi=Hỏi ý kiến"'),),
    "reason field without form": (('value="30m"/>',
                                   'value="30m"/><spiffworkflow:property name="reason_field" '
                                   'value="ly_do"/>'),),
    "bad document": (('value="result"', 'value="ket_qua"'),),
    "decision row unknown": (('name="row" value="3"', 'name="row" value="9"'),),
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_messages_use_the_designers_words(name: str) -> None:
    text = BASE_ROWS
    for old, new in DEFECTS[name]:
        if old not in text:
            pytest.fail(f"scenario edit does not apply: {old!r}")
        text = variant((old, new), text=text)
    result = check(text, procedure=CONTEXT)
    assert result.problems, name
    for problem in result.problems:
        words = HINT.sub("", problem.message)
        found = TECHNICAL.search(words)
        assert found is None, f"{found.group(0)!r} in {problem.message!r}"


def test_a_hint_names_the_property_for_experts_and_the_modeler() -> None:
    # The modeler focuses the field a message names; the CLI's experts read the same hint.
    result = check(variant(('value="1d4h"', 'value="bốn giờ"'), text=BASE_ROWS))
    [problem] = [p for p in result.problems if p.element_id == "Task_Examine"]
    assert problem.message.startswith('"Thời gian giải quyết" của bước "Thẩm định"')
    assert problem.message.endswith("(thuộc tính allotted).")
    assert problem.severity is Severity.ERROR


def test_an_unreadable_time_is_not_compared_with_the_decision() -> None:
    result = check(variant(('value="1d4h"', 'value="bốn giờ"'), text=BASE_ROWS),
                   procedure=CONTEXT)
    on_step = [p for p in result.problems if p.element_id == "Task_Examine"]
    assert [p.rule for p in on_step] == ["dialect"]
    assert "không đọc được" in on_step[0].message
    # Nor does the timer on its border say the step has no time.
    assert [p for p in result.problems if p.element_id == "Timer_Examine"] == []
    # A readable time that differs still is.
    result = check(variant(('value="1d4h"', 'value="1d"'), text=BASE_ROWS), procedure=CONTEXT)
    [warning] = [p for p in result.problems if p.rule == "decision-step-time"]
    assert warning.element_id == "Task_Examine" and "1 ngày" in warning.message
    # Not counted is said so, not "0".
    result = check(variant(('value="1d4h"', 'value="0"'), text=BASE_ROWS), procedure=CONTEXT)
    [warning] = [p for p in result.problems if p.rule == "decision-step-time"]
    assert "là không tính" in warning.message and "là 0" not in warning.message


def test_an_explicit_unit_is_named_by_its_agency() -> None:
    rows = (*ROWS[:3], DecisionRow("4", "Ký duyệt", "leader", "@agency", 30), ROWS[4])
    context = ProcedureContext(3 * 480, rows)
    names = {"000.00.12.H42": "Sở Tư pháp"}
    result = check(BASE_ROWS, procedure=context, agency_name=names.get)
    [problem] = [p for p in result.problems if p.rule == "decision-step-responsible"]
    assert problem.element_id == "Task_Sign" and problem.severity is Severity.WARNING
    assert 'đơn vị "Sở Tư pháp"' in problem.message
    assert '"Đơn vị" là "Cơ quan chủ quản thủ tục"' in problem.message
    assert "000.00.12.H42" not in problem.message and "@agency" not in problem.message
    assert problem.message.endswith("(thuộc tính unit).")
    # Without a name (the CLI without a database), the code says which agency.
    [bare] = [p for p in check(BASE_ROWS, procedure=context).problems
              if p.rule == "decision-step-responsible"]
    assert "cơ quan mã 000.00.12.H42" in bare.message


def test_the_name_lookup_failing_is_not_a_problem_of_the_upload() -> None:
    rows = (*ROWS[:3], DecisionRow("4", "Ký duyệt", "leader", "@agency", 30), ROWS[4])

    def broken(code: str) -> str | None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        check(BASE_ROWS, procedure=ProcedureContext(3 * 480, rows), agency_name=broken)


def test_unnamed_flows_and_gateways_are_named_by_where_they_are() -> None:
    # Two flows between the same steps: the duplicate, unnamed, is named by its ends.
    double = ('    <bpmn:sequenceFlow id="Flow_3b" sourceRef="Task_Assign" '
              'targetRef="Task_Examine"/>\n  </bpmn:process>')
    result = check(variant(("  </bpmn:process>", double)))
    [problem] = [p for p in result.problems if p.rule == "duplicate-flow"]
    assert 'từ bước "Phân công" tới bước "Thẩm định"' in problem.message
    assert "Flow_" not in problem.message


def test_the_platform_names_an_explicit_unit_from_its_catalogue(sample: dict[str, Any]) -> None:
    # Through the operation drafts and uploads use: the name comes from the organisation.
    sign = next(a for a in sample["agencies"] if a["code"] == "000.00.12.H99")
    text = variant(('value="000.00.12.H42"', 'value="000.00.12.H99"'), text=BASE_ROWS)
    steps = [{"no": r.no, "work": r.work, "role": r.role, "unit": r.unit, "minutes": r.minutes}
             for r in ROWS]
    steps[3]["unit"] = "@agency"
    procedure = Procedure(time_limit="3d", time_limit_minutes=3 * 480, steps=steps)
    result = operations.check(text.encode("utf-8"), "test.bpmn", FORMS, procedure=procedure)
    [problem] = [p for p in result.problems if p.rule == "decision-step-responsible"]
    assert problem.element_id == "Task_Sign"
    assert f'đơn vị "{sign["name"]}"' in problem.message
    assert operations.agency_name("999.99.99.Z99") is None
