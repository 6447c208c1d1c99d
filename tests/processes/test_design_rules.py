"""The designer's structural rules and SpiffWorkflow's traps: one seeded defect per rule in
``scenarios/base.bpmn``, asserting the rule's name, the element it is drawn on, its line and
severity, and that the fixed diagram has no such problem."""

from __future__ import annotations

import pytest

from motcua.processes.checks import CheckResult, Problem
from motcua.processes.checks.problems import Severity
from support.bpmn import BASE, check, line_of, variant

PROCESS_END = "  </bpmn:process>"
SPECIALIST_LANE = "        <bpmn:flowNodeRef>Task_Examine</bpmn:flowNodeRef>\n"
FLOW_3 = '<bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Assign" targetRef="Task_Examine"/>'
FLOW_7 = '<bpmn:sequenceFlow id="Flow_7" sourceRef="Task_Return" targetRef="End_Done"/>'
BACK_CONDITION = '<bpmn:conditionExpression>outcome == "back"</bpmn:conditionExpression>'


def by_rule(result: CheckResult, rule: str) -> list[Problem]:
    return [p for p in result.problems if p.rule == rule]


def only(result: CheckResult, rule: str, element_id: str, severity: Severity,
         text: str, needle: str) -> Problem:
    """The one problem ``rule`` finds: on ``element_id``, at the line of ``needle``."""
    found = by_rule(result, rule)
    assert len(found) == 1, result.problems
    [problem] = found
    assert problem.element_id == element_id, problem
    assert problem.severity is severity, problem
    assert problem.line == line_of(text, needle), problem
    assert problem.file == "test.bpmn"
    assert problem.message.strip()
    return problem


def user_task(ident: str, name: str = "Bước phụ", extra: str = "") -> str:
    label = f' name="{name}"' if name else ""
    return f'    <bpmn:userTask id="{ident}"{label}>{extra}</bpmn:userTask>\n'


def test_the_base_scenario_breaks_no_rule() -> None:
    assert check(BASE).problems == []


# --------------------------------------------------------------------------- reachability


def test_an_element_no_flow_leads_to_is_unreachable() -> None:
    island = (user_task("Task_Island", "Bước bị bỏ quên")
              + '    <bpmn:sequenceFlow id="Flow_Island" sourceRef="Task_Island" '
                'targetRef="End_Done"/>\n')
    text = variant((SPECIALIST_LANE, SPECIALIST_LANE
                    + "        <bpmn:flowNodeRef>Task_Island</bpmn:flowNodeRef>\n"),
                   (PROCESS_END, island + PROCESS_END))
    result = check(text)
    problem = only(result, "unreachable", "Task_Island", Severity.ERROR, text,
                   '<bpmn:userTask id="Task_Island"')
    assert "Bước bị bỏ quên" in problem.message
    assert not result.ok
    # Put between the last step and the end, it is reached: no such problem.
    fixed = variant((SPECIALIST_LANE, SPECIALIST_LANE
                     + "        <bpmn:flowNodeRef>Task_Island</bpmn:flowNodeRef>\n"),
                    (PROCESS_END, island + PROCESS_END),
                    (FLOW_7, FLOW_7.replace('targetRef="End_Done"', 'targetRef="Task_Island"')))
    result = check(fixed)
    assert by_rule(result, "unreachable") == []
    assert result.ok, result.problems


def test_a_step_without_outgoing_flow_has_no_path_to_an_end() -> None:
    text = variant((FLOW_7, ""))
    result = check(text)
    problem = only(result, "no-path-to-end", "Task_Return", Severity.ERROR, text,
                   '<bpmn:userTask id="Task_Return"')
    assert "sự kiện kết thúc" in problem.message
    # End_Done is no longer reached either: that is its own finding.
    assert [p.element_id for p in by_rule(result, "unreachable")] == ["End_Done"]
    assert by_rule(check(BASE), "no-path-to-end") == []


def test_a_non_interrupting_reminder_leading_nowhere_is_harmless() -> None:
    text = variant(('<bpmn:outgoing>Flow_Late</bpmn:outgoing>\n', ""),
                   ('<bpmn:sequenceFlow id="Flow_Late" sourceRef="Timer_Examine" '
                    'targetRef="Task_Remind"/>', ""))
    result = check(text)
    assert by_rule(result, "no-path-to-end") == []
    assert [p.element_id for p in by_rule(result, "unreachable")] == ["Task_Remind",
                                                                     "End_Reminded"]


def test_a_loop_without_exit() -> None:
    # Signing sends the dossier back to the assignment, always: nothing ever reaches the end.
    text = variant(('<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_Sign" '
                    'targetRef="Script_Number"/>',
                    '<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_Sign" '
                    'targetRef="Task_Assign"/>'))
    result = check(text)
    problem = only(result, "loop-without-exit", "Task_Assign", Severity.ERROR, text,
                   '<bpmn:userTask id="Task_Assign"')
    assert 'bước "Ký duyệt"' in problem.message and 'bước "Thẩm định"' in problem.message
    assert by_rule(check(BASE), "loop-without-exit") == []


# --------------------------------------------------------------------------- flows


def test_two_flows_between_the_same_elements() -> None:
    double = ('    <bpmn:sequenceFlow id="Flow_3b" sourceRef="Task_Assign" '
              'targetRef="Task_Examine"/>\n')
    text = variant((PROCESS_END, double + PROCESS_END))
    result = check(text)
    problem = only(result, "duplicate-flow", "Flow_3b", Severity.ERROR, text, 'id="Flow_3b"')
    assert 'từ bước "Phân công" tới bước "Thẩm định"' in problem.message
    assert by_rule(check(BASE), "duplicate-flow") == []


def test_two_conditions_into_one_target_are_only_clumsy() -> None:
    double = ('    <bpmn:sequenceFlow id="Flow_Approve2" sourceRef="Gw_Examine" '
              'targetRef="Task_Sign">\n      <bpmn:conditionExpression>outcome == "approve" '
              "</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n")
    text = variant((PROCESS_END, double + PROCESS_END))
    result = check(text)
    problem = only(result, "duplicate-flow", "Flow_Approve2", Severity.WARNING, text,
                   'id="Flow_Approve2"')
    assert "outcome in" in problem.message


def test_a_step_without_a_name() -> None:
    text = variant(('<bpmn:userTask id="Task_Assign" name="Phân công">',
                    '<bpmn:userTask id="Task_Assign">'))
    result = check(text)
    only(result, "label-required", "Task_Assign", Severity.WARNING, text,
         '<bpmn:userTask id="Task_Assign">')
    assert result.ok  # a warning blocks nothing


def test_a_task_with_two_outgoing_flows_is_an_implicit_split() -> None:
    # SpiffWorkflow refuses it ("Multiple outgoing flows are not supported"): an error.
    extra = ('    <bpmn:sequenceFlow id="Flow_Extra" sourceRef="Task_Return" '
             'targetRef="End_Refused"/>\n')
    text = variant((PROCESS_END, extra + PROCESS_END))
    only(check(text), "implicit-split", "Task_Return", Severity.ERROR, text,
         '<bpmn:userTask id="Task_Return"')


def test_a_condition_on_a_flow_leaving_a_task_is_ignored_by_the_engine() -> None:
    text = variant((FLOW_3, FLOW_3.replace(
        "/>", "><bpmn:conditionExpression>True</bpmn:conditionExpression></bpmn:sequenceFlow>")))
    only(check(text), "condition-ignored", "Flow_3", Severity.ERROR, text, 'id="Flow_3"')


# --------------------------------------------------------------------------- gateways


def test_an_outcome_no_flow_takes_is_uncovered() -> None:
    text = variant(('value="approve=Đề xuất duyệt;back=Trả lại"',
                    'value="approve=Đề xuất duyệt;back=Trả lại;hoi:forward=Hỏi ý kiến"'))
    result = check(text)
    problem = only(result, "gateway-uncovered-outcome", "Gw_Examine", Severity.ERROR, text,
                   '<bpmn:exclusiveGateway id="Gw_Examine"')
    assert 'nút "Hỏi ý kiến"' in problem.message and 'bước "Thẩm định"' in problem.message
    # A default flow covers everything.
    fixed = variant(('value="approve=Đề xuất duyệt;back=Trả lại"',
                     'value="approve=Đề xuất duyệt;back=Trả lại;hoi:forward=Hỏi ý kiến"'),
                    ('<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất">',
                     '<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất" '
                     'default="Flow_Approve">'),
                    ('<bpmn:conditionExpression>outcome == "approve"</bpmn:conditionExpression>',
                     ""))
    assert by_rule(check(fixed), "gateway-uncovered-outcome") == []
    assert check(fixed).ok


@pytest.mark.parametrize("condition", ['outcome in ("approve", "back")',
                                       'not outcome == "approve" or outcome == "approve"'])
def test_two_conditions_true_for_one_outcome_overlap(condition: str) -> None:
    text = variant((BACK_CONDITION, f"<bpmn:conditionExpression>{condition}"
                                    "</bpmn:conditionExpression>"))
    result = check(text)
    problem = only(result, "gateway-overlapping-conditions", "Gw_Examine", Severity.ERROR,
                   text, '<bpmn:exclusiveGateway id="Gw_Examine"')
    assert 'nút "Đề xuất duyệt"' in problem.message and 'luồng "Trả lại"' in problem.message
    assert by_rule(check(BASE), "gateway-overlapping-conditions") == []


def test_conditions_on_dossier_data_without_default_are_a_warning() -> None:
    text = variant((BACK_CONDITION, '<bpmn:conditionExpression>outcome == "back" and '
                                    "so_trang &gt; 0</bpmn:conditionExpression>"))
    result = check(text)
    problem = only(result, "gateway-no-default", "Gw_Examine", Severity.WARNING, text,
                   '<bpmn:exclusiveGateway id="Gw_Examine"')
    assert 'nút "Trả lại"' in problem.message
    # Not provably uncovered: the route depends on the dossier.
    assert by_rule(result, "gateway-uncovered-outcome") == []
    assert result.ok


def test_a_condition_on_the_default_flow_is_ignored_by_the_engine() -> None:
    text = variant(('<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất">',
                    '<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất" default="Flow_Back">'))
    result = check(text)
    only(result, "default-flow-condition", "Flow_Back", Severity.WARNING, text,
         '<bpmn:sequenceFlow id="Flow_Back"')


def test_an_outcome_key_the_step_does_not_have() -> None:
    text = variant(('outcome == "approve"', 'outcome == "duyet"'))
    only(check(text), "gateway-unknown-outcome", "Flow_Approve", Severity.ERROR, text,
         'outcome == "duyet"')


def test_gateway_flow_without_condition_and_default_that_is_not_outgoing() -> None:
    text = variant((BACK_CONDITION, ""))
    only(check(text), "gateway-flow-without-condition", "Flow_Back", Severity.ERROR, text,
         '<bpmn:sequenceFlow id="Flow_Back"')
    text = variant(('<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất">',
                    '<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất" default="Flow_1">'))
    only(check(text), "gateway-default-invalid", "Gw_Examine", Severity.ERROR, text,
         '<bpmn:exclusiveGateway id="Gw_Examine"')


# --------------------------------------------------------------------------- tokens

SPLIT = (
    '    <bpmn:parallelGateway id="Gw_Split"/>\n'
    '    <bpmn:userTask id="Task_Check" name="Kiểm tra thực địa"/>\n'
    '    <bpmn:sequenceFlow id="Flow_SplitA" sourceRef="Gw_Split" targetRef="Task_Examine"/>\n'
    '    <bpmn:sequenceFlow id="Flow_SplitB" sourceRef="Gw_Split" targetRef="Task_Check"/>\n'
)
SPLIT_LANE = (SPECIALIST_LANE, SPECIALIST_LANE
              + "        <bpmn:flowNodeRef>Task_Check</bpmn:flowNodeRef>\n"
              + "        <bpmn:flowNodeRef>Gw_Split</bpmn:flowNodeRef>\n"
              + "        <bpmn:flowNodeRef>Gw_Join</bpmn:flowNodeRef>\n")
TO_SPLIT = (FLOW_3, FLOW_3.replace('targetRef="Task_Examine"', 'targetRef="Gw_Split"'))


def test_two_parallel_branches_meeting_at_a_step_start_it_twice() -> None:
    # Examination and a site check run at once; the check goes straight to signing, which
    # the approval of the examination also reaches: signing would be started twice.
    meet = ('    <bpmn:parallelGateway id="Gw_Join"/>\n'
            '    <bpmn:sequenceFlow id="Flow_Checked" sourceRef="Task_Check" '
            'targetRef="Task_Sign"/>\n')
    text = variant(SPLIT_LANE, TO_SPLIT, (PROCESS_END, SPLIT + meet + PROCESS_END))
    result = check(text)
    problem = only(result, "implicit-join", "Task_Sign", Severity.ERROR, text,
                   '<bpmn:userTask id="Task_Sign"')
    assert 'cổng song song sau bước "Phân công"' in problem.message
    assert "đặt một cổng song song trước phần tử" in problem.message
    # Joined by a parallel gateway before signing: started once.
    joined = ('    <bpmn:parallelGateway id="Gw_Join"/>\n'
              '    <bpmn:sequenceFlow id="Flow_Checked" sourceRef="Task_Check" '
              'targetRef="Gw_Join"/>\n'
              '    <bpmn:sequenceFlow id="Flow_Joined" sourceRef="Gw_Join" '
              'targetRef="Task_Sign"/>\n')
    fixed = variant(SPLIT_LANE, TO_SPLIT, (PROCESS_END, SPLIT + joined + PROCESS_END),
                    ('sourceRef="Gw_Examine" targetRef="Task_Sign"',
                     'sourceRef="Gw_Examine" targetRef="Gw_Join"'))
    result = check(fixed)
    assert by_rule(result, "implicit-join") == []
    assert by_rule(result, "parallel-join-deadlock") == []
    assert result.ok, result.problems


def test_a_parallel_join_after_an_exclusive_choice_waits_forever() -> None:
    # Approval and send-back are alternatives; a parallel gateway joining them waits for both.
    join = ('    <bpmn:parallelGateway id="Gw_Join" name="Gộp"/>\n'
            '    <bpmn:sequenceFlow id="Flow_Joined" sourceRef="Gw_Join" '
            'targetRef="Task_Sign"/>\n')
    text = variant((SPECIALIST_LANE, SPECIALIST_LANE
                    + "        <bpmn:flowNodeRef>Gw_Join</bpmn:flowNodeRef>\n"),
                   ('sourceRef="Gw_Examine" targetRef="Task_Sign"',
                    'sourceRef="Gw_Examine" targetRef="Gw_Join"'),
                   ('sourceRef="Gw_Examine" targetRef="Task_Assign"',
                    'sourceRef="Gw_Examine" targetRef="Gw_Join"'),
                   (PROCESS_END, join + PROCESS_END))
    result = check(text)
    problem = only(result, "parallel-join-deadlock", "Gw_Join", Severity.ERROR, text,
                   '<bpmn:parallelGateway id="Gw_Join"')
    assert 'cổng rẽ nhánh "Đề xuất"' in problem.message
    assert "gộp chúng bằng cổng rẽ nhánh" in problem.message
    # The same alternatives merged by an exclusive gateway: fine.
    fixed = text.replace('<bpmn:parallelGateway id="Gw_Join" name="Gộp"/>',
                         '<bpmn:exclusiveGateway id="Gw_Join" name="Gộp"/>')
    assert by_rule(check(fixed), "parallel-join-deadlock") == []


def test_structural_problems_are_reported_alongside_other_errors() -> None:
    # An unknown role, an unreachable step and a missing path to the end: all at once.
    island = user_task("Task_Island", "Bước bị bỏ quên")
    text = variant(('value="specialist"', 'value="chuyen_vien"'), (FLOW_7, ""),
                   (PROCESS_END, island + PROCESS_END))
    result = check(text)
    rules = {p.rule for p in result.problems}
    assert {"dialect", "unreachable", "no-path-to-end"} <= rules, result.problems


def test_an_exclusive_gateway_merging_parallel_branches_passes_both() -> None:
    merge = ('    <bpmn:exclusiveGateway id="Gw_Join" name="Gộp"/>\n'
             '    <bpmn:sequenceFlow id="Flow_Checked" sourceRef="Task_Check" '
             'targetRef="Gw_Join"/>\n'
             '    <bpmn:sequenceFlow id="Flow_Joined" sourceRef="Gw_Join" '
             'targetRef="Task_Sign"/>\n')
    text = variant(SPLIT_LANE, TO_SPLIT, (PROCESS_END, SPLIT + merge + PROCESS_END),
                   ('sourceRef="Gw_Examine" targetRef="Task_Sign"',
                    'sourceRef="Gw_Examine" targetRef="Gw_Join"'))
    problem = only(check(text), "implicit-join", "Gw_Join", Severity.ERROR, text,
                   '<bpmn:exclusiveGateway id="Gw_Join"')
    assert 'thành "Cổng song song"' in problem.message


def test_a_choice_inside_one_parallel_branch_does_not_starve_the_join() -> None:
    # The examination's choice (approve, or back to the assignment) happens inside one of two
    # parallel branches; the other branch, the site check, brings its own token to the join.
    joined = ('    <bpmn:parallelGateway id="Gw_Join"/>\n'
              '    <bpmn:sequenceFlow id="Flow_Checked" sourceRef="Task_Check" '
              'targetRef="Gw_Join"/>\n'
              '    <bpmn:sequenceFlow id="Flow_Joined" sourceRef="Gw_Join" '
              'targetRef="Task_Sign"/>\n')
    split_before_examine = ('sourceRef="Gw_Examine" targetRef="Task_Sign"',
                            'sourceRef="Gw_Examine" targetRef="Gw_Join"')
    text = variant(SPLIT_LANE, TO_SPLIT, (PROCESS_END, SPLIT + joined + PROCESS_END),
                   split_before_examine)
    assert by_rule(check(text), "parallel-join-deadlock") == []
    # Refusing there, straight to an end, would leave the join waiting for that branch.
    refuse = ('    <bpmn:sequenceFlow id="Flow_Drop" sourceRef="Gw_Examine" '
              'targetRef="End_Refused">\n      <bpmn:conditionExpression>outcome == "drop"'
              "</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n")
    starving = variant(SPLIT_LANE, TO_SPLIT,
                       (PROCESS_END, SPLIT + joined + refuse + PROCESS_END),
                       split_before_examine,
                       ('value="approve=Đề xuất duyệt;back=Trả lại"',
                        'value="approve=Đề xuất duyệt;back=Trả lại;drop:refuse=Từ chối"'))
    only(check(starving), "parallel-join-deadlock", "Gw_Join", Severity.ERROR, starving,
         '<bpmn:parallelGateway id="Gw_Join"/>')
