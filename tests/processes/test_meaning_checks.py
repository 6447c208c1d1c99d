"""Checks of what outcomes mean and of the fields a step declares (bpmn-dialect.md, *What an
outcome means* and *Checks: errors and warnings*): each seeded defect, its severity, and that
warnings never block."""

from __future__ import annotations

import io
from typing import Any

import pytest

from motcua.processes.checks import CheckResult, Problem
from motcua.processes.checks.problems import Severity
from motcua.processes.checks.properties import parse_outcomes
from motcua.processes.meanings import Meaning
from support.bpmn import BASE, FORMS, check, line_of, variant
from support.paths import SAMPLES

EXAMINE_OUTCOMES = 'value="approve=Đề xuất duyệt;back=Trả lại"'


def problems_on(result: CheckResult, element_id: str, rule: str) -> list[Problem]:
    return [p for p in result.problems if p.element_id == element_id and p.rule == rule]


def test_meanings_are_written_after_the_key_or_implied_by_the_standard_keys() -> None:
    outcomes, errors = parse_outcomes(
        "nhan:accept=Tiếp nhận;tra:refuse=Từ chối;reject=Không đạt;back=Trả lại;"
        "bo_sung:supplement=Bổ sung;xong=Xong;di_tiep:forward=Chuyển")
    assert errors == []
    assert [(o.key, o.meaning, o.declared) for o in outcomes] == [
        ("nhan", Meaning.ACCEPT, True), ("tra", Meaning.REFUSE, True),
        ("reject", Meaning.REFUSE, False), ("back", Meaning.BACK, False),
        ("bo_sung", Meaning.SUPPLEMENT, True), ("xong", Meaning.FORWARD, False),
        ("di_tiep", Meaning.FORWARD, True)]


@pytest.mark.parametrize(("text", "fragment"), [
    ("nhan:nhan=Tiếp nhận", 'ý nghĩa "nhan"'),
    ("nhan:Accept=Tiếp nhận", 'ý nghĩa "Accept"'),
    ("nhan:accept", "chưa có nhãn"),
])
def test_an_unknown_meaning_is_an_error(text: str, fragment: str) -> None:
    result = check(variant((EXAMINE_OUTCOMES, f'value="{text}"')))
    [problem] = [p for p in result.problems if fragment in p.message]
    assert problem.element_id == "Task_Examine" and problem.severity is Severity.ERROR
    assert not result.ok


def test_keys_of_any_language_run_by_their_meanings() -> None:
    text = variant(
        ('value="accept=Tiếp nhận;refuse=Từ chối"', 'value="nhan:accept=Tiếp nhận;tra:refuse=Từ chối"'),
        ('outcome == "accept"', 'outcome == "nhan"'),
        ('outcome == "refuse"', 'outcome == "tra"'))
    result = check(text)
    assert result.ok, result.problems
    assert [o.meaning for o in result.steps["Task_Receive"].outcomes] == [
        Meaning.ACCEPT, Meaning.REFUSE]


def test_a_key_without_meaning_that_ends_the_dossier_is_a_warning_that_blocks_nothing() -> None:
    text = variant(
        ('value="accept=Tiếp nhận;refuse=Từ chối"', 'value="nhan=Tiếp nhận;tra=Từ chối"'),
        ('outcome == "accept"', 'outcome == "nhan"'),
        ('outcome == "refuse"', 'outcome == "tra"'))
    result = check(text)
    warnings = problems_on(result, "Task_Receive", "meaning.undeclared")
    assert all(w.severity is Severity.WARNING for w in warnings)
    assert all(w.line == line_of(text, '<bpmn:userTask id="Task_Receive"') for w in warnings)
    [ends] = [w for w in warnings if 'Nút "Từ chối"' in w.message]
    assert "kết thúc" in ends.message
    # The receipt step issues a document, so "nhan" is flagged too.
    [issues] = [w for w in warnings if 'Nút "Tiếp nhận"' in w.message]
    assert '"Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)"' in issues.message
    assert result.ok and result.spec is not None


def test_a_key_without_meaning_that_goes_back_is_a_warning() -> None:
    text = variant((EXAMINE_OUTCOMES, 'value="approve=Đề xuất duyệt;tra_lai=Trả lại"'),
                   ('outcome == "back"', 'outcome == "tra_lai"'))
    result = check(text)
    [warning] = problems_on(result, "Task_Examine", "meaning.undeclared")
    assert 'Nút "Trả lại"' in warning.message and 'bước "Phân công"' in warning.message
    assert result.ok
    # Declaring it says what it is: the warning goes away.
    fixed = check(variant((EXAMINE_OUTCOMES, 'value="approve=Đề xuất duyệt;tra_lai:back=Trả lại"'),
                          ('outcome == "back"', 'outcome == "tra_lai"')))
    assert not problems_on(fixed, "Task_Examine", "meaning.undeclared")


def test_a_forward_outcome_moving_on_is_not_flagged() -> None:
    # "approve" has no written meaning and moves the dossier on to the next step: fine.
    assert not [p for p in check(BASE).problems if p.rule == "meaning.undeclared"]


def test_a_supplement_that_leads_to_no_supplement_step_is_an_error() -> None:
    text = variant(('value="accept=Tiếp nhận;refuse=Từ chối"',
                    'value="accept=Tiếp nhận;bo_sung:supplement=Bổ sung"'),
                   ('outcome == "refuse"', 'outcome == "bo_sung"'))
    result = check(text)
    [error] = problems_on(result, "Task_Receive", "meaning.supplement")
    assert error.severity is Severity.ERROR and 'Nút "Bổ sung"' in error.message
    assert not result.ok


def test_reason_field_must_be_a_text_field_of_the_form() -> None:
    props = ('<spiffworkflow:property name="outcomes" value="accept=Tiếp nhận;refuse=Từ chối"/>')
    unknown = check(variant((props, props + '<spiffworkflow:property name="reason_field" '
                                            'value="ly_do_tu_choi"/>')))
    [problem] = problems_on(unknown, "Task_Receive", "dialect.reason_field")
    assert '"ly_do_tu_choi"' in problem.message and "ly_do" in problem.message
    assert not unknown.ok
    good = check(variant((props, props + '<spiffworkflow:property name="reason_field" '
                                         'value="ly_do"/>')))
    assert good.ok, good.problems
    assert good.steps["Task_Receive"].reason_field == "ly_do"


def test_missing_field_must_be_a_list() -> None:
    props = ('<spiffworkflow:property name="outcomes" value="accept=Tiếp nhận;refuse=Từ chối"/>')
    result = check(variant((props, props + '<spiffworkflow:property name="missing_field" '
                                           'value="ly_do"/>')))
    [problem] = problems_on(result, "Task_Receive", "dialect.missing_field")
    assert '"string"' in problem.message and "array" in problem.message


def test_a_declared_field_needs_a_form() -> None:
    text = variant(('<spiffworkflow:property name="allotted" value="30m"/>',
                    '<spiffworkflow:property name="allotted" value="30m"/>'
                    '<spiffworkflow:property name="reason_field" value="ly_do"/>'))
    found = problems_on(check(text), "Task_Sign", "dialect.reason_field")
    [error] = [p for p in found if p.severity is Severity.ERROR]
    assert 'chưa có "Biểu mẫu của bước"' in error.message
    # No outcome of the step needs a reason: the field is of no use, which is only a warning.
    [unused] = [p for p in found if p.severity is Severity.WARNING]
    assert "không được dùng" in unused.message


@pytest.mark.parametrize("row", ["3", "3.1", "12.2.1"])
def test_row_numbers_as_the_decision_writes_them(row: str) -> None:
    result = check(variant(('value="1d4h"', f'value="1d4h"/><spiffworkflow:property name="row" '
                                             f'value="{row}"')))
    assert result.ok, result.problems
    assert result.steps["Task_Examine"].row == row


@pytest.mark.parametrize("row", ["bước 3", "3a", "3.", ""])
def test_a_row_that_is_no_step_number_is_an_error(row: str) -> None:
    result = check(variant(('value="1d4h"', f'value="1d4h"/><spiffworkflow:property name="row" '
                                             f'value="{row}"')))
    if row:
        [problem] = problems_on(result, "Task_Examine", "dialect.row")
        assert problem.severity is Severity.ERROR
    else:
        assert result.ok


def test_every_problem_names_its_rule_and_severity() -> None:
    forms = dict(FORMS)
    result = check(variant(('value="tham-dinh"', 'value="khong-co"')), forms=forms)
    assert result.problems and all(p.rule and p.severity for p in result.problems)
    assert {"rule", "severity", "message"} <= set(result.problems[0].as_dict())


def test_an_upload_with_warnings_is_stored_and_lists_them(sample: dict[str, Any],
                                                          api: Any) -> None:
    text = (SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn").read_text(encoding="utf-8")
    text = text.replace("refuse=Từ chối tiếp nhận", "tra=Từ chối tiếp nhận").replace(
        'outcome == "refuse"', 'outcome == "tra"')
    forms = [(io.BytesIO(p.read_bytes()), p.name)
             for p in sorted((SAMPLES / "forms").glob("*.json"))]
    response = api.post("qt.binh", "/processes", data={
        "procedure": "2.000488", "bpmn": (io.BytesIO(text.encode()), "ly-lich.bpmn"),
        "forms": forms}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    [warning] = [p for p in response.get_json()["problems"]
                 if p["rule"] == "meaning.undeclared"]
    assert (warning["element_id"], warning["severity"]) == ("Task_Receive", "warning")
    assert 'Nút "Từ chối tiếp nhận"' in warning["message"]
    # An error still blocks: nothing more is stored.
    broken = text.replace('value="tiep-nhan"', 'value="khong-co"')
    refused = api.post("qt.binh", "/processes", data={
        "procedure": "2.000488", "bpmn": (io.BytesIO(broken.encode()), "ly-lich.bpmn"),
        "forms": [(io.BytesIO(p.read_bytes()), p.name)
                  for p in sorted((SAMPLES / "forms").glob("*.json"))]},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    details = refused.get_json()["error"]["details"]
    assert details and all(d["severity"] == "error" for d in details)
