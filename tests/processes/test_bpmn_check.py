"""Upload-time validation of a BPMN process in the platform's dialect (bpmn_check).

Most scenarios start from ``scenarios/base.bpmn`` (a small valid procedure, one element per
line) and change one thing; the expected line is looked up in the changed text, so every
assertion names the exact element id and line the designer must be sent to.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from motcua.processes.checks import (
    CheckResult,
    Problem,
    StepConfig,
    check_process,
    load_forms_dir,
    xml_safety,
    xsd,
)
from motcua.processes.checks.problems import Severity
from motcua.processes.checks.xml_safety import MAX_XML_BYTES, XmlRejected, parse_xml
from support.bpmn import BASE, FORM_PROBLEMS, FORMS, SCENARIOS, check, line_of, variant
from support.paths import SHARED

TIMER_HINT = 'Chọn "Hẹn giờ" trong khung thuộc tính: "Khi bước hết thời gian giải quyết"'

REMIND_BLOCK = """    <bpmn:userTask id="Task_Remind" name="Đôn đốc">
      <bpmn:incoming>Flow_Late</bpmn:incoming>
      <bpmn:outgoing>Flow_Reminded</bpmn:outgoing>
    </bpmn:userTask>"""
TIMER_DEFINITION = """      <bpmn:timerEventDefinition id="TimerDef_Examine">
        <bpmn:timeDate>due_step</bpmn:timeDate>
      </bpmn:timerEventDefinition>"""
PROCESS_END = "  </bpmn:process>"


# --------------------------------------------------------------------------- helpers


def find(result: CheckResult, element_id: str | None, fragment: str) -> Problem:
    found = [p for p in result.problems if p.element_id == element_id and fragment in p.message]
    assert found, f"no problem on {element_id} with {fragment!r}; got {result.problems}"
    return found[0]


def assert_problem(
    result: CheckResult, element_id: str | None, line: int | None, fragment: str
) -> Problem:
    problem = find(result, element_id, fragment)
    assert problem.line == line, problem
    assert problem.file == "test.bpmn"
    assert not result.ok
    assert result.spec is None
    return problem


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    assert path.exists(), (
        f"{path} không tồn tại: các bài kiểm tra cần thư mục shared/ đặt cạnh repo ({SHARED})"
    )
    return path


# --------------------------------------------------------------------------- valid processes


def test_shared_sample_passes_and_yields_its_nine_steps() -> None:
    forms, form_problems = load_forms_dir(shared("samples", "forms"))
    assert form_problems == []
    data = shared("samples", "bpmn", "ly-lich-tu-phap.bpmn").read_bytes()

    result = check_process(data, "ly-lich-tu-phap.bpmn", forms)

    assert result.problems == []
    assert result.ok
    assert result.process_id == "Process_LyLichTuPhap"
    assert result.process_name == "Cấp Phiếu lý lịch tư pháp"
    assert result.start_form == "to-khai-ly-lich-tu-phap"
    assert result.timers == {}
    assert result.spec is not None
    assert result.spec.name == "Process_LyLichTuPhap"
    summary = {
        sid: (s.role, s.unit, s.allotted_minutes, s.outcome_keys) for sid, s in result.steps.items()
    }
    assert summary == {
        "Task_Receive": ("receiver", "@desk", 240, ["accept", "supplement", "refuse"]),
        "Task_Supplement": ("receiver", "@desk", 0, []),
        "Task_Assign": ("unit_head", "@handling", 240, []),
        "Task_Examine": ("specialist", "@handling", 3360, ["approve", "reject", "supplement"]),
        "Task_Supplement2": ("receiver", "@desk", 0, []),
        "Task_Review": ("unit_head", "@handling", 240, ["agree", "back"]),
        "Task_Approve": ("leader", "@agency", 480, ["sign", "back"]),
        "Task_Issue": ("clerk", "@agency", 240, []),
        "Task_Return": ("receiver", "@desk", 0, []),
    }
    receive = result.steps["Task_Receive"]
    # The standard keys carry their own meaning when the process writes none.
    assert [(o.key, o.label, o.meaning, o.declared) for o in receive.outcomes] == [
        ("accept", "Tiếp nhận", "accept", False),
        ("supplement", "Yêu cầu bổ sung", "supplement", False),
        ("refuse", "Từ chối tiếp nhận", "refuse", False),
    ]
    assert (receive.form, receive.document, receive.lane) == ("tiep-nhan", "receipt", "Lane_Desk")
    assign = result.steps["Task_Assign"]
    assert (assign.form, assign.assignee_field, assign.lane) == (
        "phan-cong",
        "assignee",
        "Lane_UnitHead",
    )
    assert result.steps["Task_Issue"].document == "result"
    assert result.steps["Task_Examine"].name == "Thẩm định hồ sơ"
    assert result.steps["Task_Examine"].line == 18


def test_base_scenario_passes_with_its_steps_and_timer() -> None:
    assert FORM_PROBLEMS == []
    result = check(BASE)

    assert result.problems == []
    assert result.process_id == "Process_Base"
    assert result.start_form == "to-khai"
    assert result.spec is not None
    assert result.timers == {
        "Timer_Examine": {
            "expression": "due_step",
            "attached_to": "Task_Examine",
            "interrupting": False,
        }
    }
    sign = result.steps["Task_Sign"]
    # The task's own unit overrides its lane's; the lane still gives the role.
    assert (sign.role, sign.unit, sign.allotted_minutes) == ("leader", "000.00.12.H42", 30)
    assert result.steps["Task_Examine"].allotted_minutes == 720  # 1d4h
    assert result.steps["Task_Remind"].lane == "Lane_UnitHead"
    assert result.steps["Task_Receive"].line == line_of(BASE, '<bpmn:userTask id="Task_Receive"')
    assert set(result.steps) == {
        "Task_Receive",
        "Task_Assign",
        "Task_Examine",
        "Task_Remind",
        "Task_Sign",
        "Task_Return",
    }


def test_schema_is_loaded_once_not_per_call() -> None:
    check(BASE)
    before = xsd._validator.cache_info()
    check(BASE)
    check(BASE)
    after = xsd._validator.cache_info()
    assert after.misses == before.misses
    assert after.hits >= before.hits + 2


def test_step_config_round_trips_through_json() -> None:
    step = check(BASE).steps["Task_Examine"]
    data = json.loads(json.dumps(step.as_dict()))
    assert data["outcomes"] == [["approve", "Đề xuất duyệt"], ["back", "Trả lại"]]
    assert StepConfig.from_dict(data) == step


def test_problem_as_dict_omits_missing_values() -> None:
    assert Problem("Lỗi", line=3).as_dict() == {"message": "Lỗi", "line": 3,
                                                "severity": "error"}
    full = Problem("Lỗi", "Task_A", 4, "a.bpmn", "flow", Severity.WARNING).as_dict()
    assert full == {"element_id": "Task_A", "message": "Lỗi", "line": 4, "file": "a.bpmn",
                    "rule": "flow", "severity": "warning"}


# --------------------------------------------------------------------------- 1. XML safety

XXE = (
    b'<?xml version="1.0"?>\n'
    b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;'
    b"</bpmn:definitions>"
)
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>"""
ENTITY_ONLY = b'<?xml version="1.0"?>\n<a>\n<!ENTITY x "y">\n</a>'


@pytest.fixture
def parser_never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the XML reached the parser")

    monkeypatch.setattr(xml_safety.etree, "fromstring", refuse)


@pytest.mark.usefixtures("parser_never_runs")
@pytest.mark.parametrize(
    ("data", "line"),
    [
        pytest.param(XXE, 2, id="xxe"),
        pytest.param(LAUGHS, 2, id="billion-laughs"),
        pytest.param(XXE.decode().encode("utf-16"), 2, id="utf-16-bom"),
        pytest.param(
            XXE.decode()
            .replace(' version="1.0"', ' version="1.0" encoding="UTF-16"')
            .encode("utf-16-be"),
            2,
            id="utf-16-be-no-bom",
        ),
        pytest.param(b"\xef\xbb\xbf" + XXE, 2, id="utf-8-bom"),
        pytest.param(XXE.replace(b"DOCTYPE", b"doctype"), 2, id="lowercase"),
        pytest.param(ENTITY_ONLY, 3, id="entity-without-doctype"),
    ],
)
def test_dtd_and_entities_are_rejected_before_parsing(data: bytes, line: int) -> None:
    with pytest.raises(XmlRejected) as info:
        parse_xml(data, "x.bpmn")
    problem = info.value.problem
    assert "an ninh" in problem.message
    assert (problem.line, problem.file) == (line, "x.bpmn")


@pytest.mark.usefixtures("parser_never_runs")
def test_check_process_reports_xxe_instead_of_raising() -> None:
    result = check_process(XXE, "xxe.bpmn", {})
    assert len(result.problems) == 1
    assert "DOCTYPE" in result.problems[0].message
    assert (result.problems[0].line, result.problems[0].file) == (2, "xxe.bpmn")
    assert result.spec is None


@pytest.mark.parametrize(
    ("data", "fragment", "line"),
    [
        pytest.param(b"", "Tệp rỗng", None, id="empty"),
        pytest.param(b"  \n ", "Tệp rỗng", None, id="blank"),
        pytest.param(b"<a>\n<b>\n</a>", "không phải XML hợp lệ ở dòng 3", 3, id="malformed"),
        pytest.param(b"PK\x03\x04 zip", "không phải XML", 1, id="not-xml"),
        pytest.param(
            b'<?xml version="1.0" encoding="UTF-7"?>\n+ADw-!DOCTYPE x+AD4-<a/>',
            'Mã hóa "UTF-7"',
            1,
            id="utf-7",
        ),
        pytest.param("<a/>".encode("utf-32"), "UTF-32", None, id="utf-32"),
        pytest.param(
            b"<a><!--" + b" " * MAX_XML_BYTES + b"--></a>", "Tệp quá lớn", None, id="too-large"
        ),
    ],
)
def test_unreadable_xml_is_rejected_with_a_clear_problem(
    data: bytes, fragment: str, line: int | None
) -> None:
    with pytest.raises(XmlRejected) as info:
        parse_xml(data, "x.bpmn")
    assert fragment in info.value.problem.message
    assert info.value.problem.line == line
    result = check_process(data, "x.bpmn", {})
    assert result.problems == [info.value.problem]


def test_safe_xml_in_other_encodings_parses() -> None:
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><a n="é"/>'.encode("latin-1")
    assert parse_xml(latin, "a.xml").getroot().get("n") == "é"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><a n="ệ"/>'.encode("utf-16")
    assert parse_xml(utf16, "a.xml").getroot().get("n") == "ệ"


# --------------------------------------------------------------------------- 2. XSD


def test_xsd_error_carries_element_id_and_line() -> None:
    needle = '<bpmn:userTask id="Task_Assign" name="Phân công"'
    text = variant((needle + ">", needle + ' priority="cao">'))
    result = check(text)
    problem = assert_problem(result, "Task_Assign", line_of(text, needle), "'priority'")
    assert "lược đồ BPMN 2.0" in problem.message


def test_xsd_error_on_element_without_id_names_its_nearest_ancestor() -> None:
    old = "      <bpmn:incoming>Flow_7</bpmn:incoming>\n"
    text = variant((old, old + "      <bpmn:bogus/>\n"))
    result = check(text)
    assert_problem(result, "End_Done", line_of(text, "<bpmn:bogus/>"), "bpmn:bogus")


def test_xsd_error_picks_the_element_among_several_on_one_line() -> None:
    data = shared("samples", "bpmn", "ly-lich-tu-phap.bpmn").read_text(encoding="utf-8")
    needle = '<bpmn:participant id="Participant_Process_LyLichTuPhap"'
    text = variant((needle, needle + ' bogus="1"'), text=data)
    forms, _ = load_forms_dir(shared("samples", "forms"))
    result = check(text, forms)
    # The collaboration starts on the same line; the error is the participant's.
    assert_problem(result, "Participant_Process_LyLichTuPhap", line_of(text, needle), "'bogus'")


def test_xsd_boolean_error_is_translated() -> None:
    text = variant(('isExecutable="true"', 'isExecutable="co"'))
    result = check(text)
    needle = '<bpmn:process id="Process_Base"'
    assert_problem(result, "Process_Base", line_of(text, needle), "phải là true hoặc false")


def test_root_other_than_definitions_is_reported() -> None:
    result = check('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" id="x"/>')
    assert len(result.problems) == 1
    assert "bpmn:definitions" in result.problems[0].message
    assert result.problems[0].line == 2


# --------------------------------------------------------------------------- 3. structure


def test_two_executable_processes_are_ambiguous() -> None:
    extra = '  <bpmn:process id="Process_Other" isExecutable="true">\n  </bpmn:process>\n'
    text = variant((PROCESS_END + "\n", PROCESS_END + "\n" + extra))
    result = check(text)
    problem = assert_problem(
        result, "Process_Other", line_of(text, 'id="Process_Other"'), "nhiều quy trình"
    )
    assert 'quy trình "Thủ tục mẫu"' in problem.message
    assert result.process_id is None


def test_explicitly_executable_process_wins_over_others() -> None:
    extra = '  <bpmn:process id="Pool_Citizen" isExecutable="false">\n  </bpmn:process>\n'
    result = check(variant((PROCESS_END + "\n", PROCESS_END + "\n" + extra)))
    assert result.problems == []
    assert result.process_id == "Process_Base"


def test_single_non_executable_process_is_reported() -> None:
    text = variant(('isExecutable="true"', 'isExecutable="false"'))
    result = check(text)
    assert_problem(
        result, "Process_Base", line_of(text, 'id="Process_Base"'), 'isExecutable="true"'
    )
    assert result.process_id == "Process_Base"


def test_process_without_start_event() -> None:
    text = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" '
        'targetNamespace="x">\n'
        '<bpmn:process id="P" isExecutable="true">\n'
        '<bpmn:endEvent id="E"/>\n'
        "</bpmn:process>\n</bpmn:definitions>"
    )
    assert_problem(check(text), "P", 2, "không có sự kiện bắt đầu")


def test_two_start_events_are_reported() -> None:
    text = variant((PROCESS_END, '    <bpmn:startEvent id="Start_Second"/>\n' + PROCESS_END))
    assert_problem(
        check(text), "Start_Second", line_of(text, 'id="Start_Second"'), "2 sự kiện bắt đầu"
    )


def test_elements_the_engine_addresses_need_an_id() -> None:
    text = variant((PROCESS_END, '    <bpmn:endEvent name="Thừa"/>\n' + PROCESS_END))
    result = check(text)
    assert_problem(
        result, "Process_Base", line_of(text, '<bpmn:endEvent name="Thừa"/>'), "thiếu mã (id)"
    )


def test_process_without_id_is_reported() -> None:
    text = variant(('<bpmn:process id="Process_Base" ', "<bpmn:process "))
    result = check(text)
    assert_problem(result, "Defs_Base", line_of(text, "<bpmn:process "), "thiếu mã (id)")
    assert result.process_id is None


@pytest.mark.parametrize(("old", "new"), [("End_Done", "End"), ("Start_Submit", "Start")])
def test_ids_reserved_by_the_engine_must_be_renamed(old: str, new: str) -> None:
    text = BASE.replace(old, new)
    tag = "endEvent" if new == "End" else "startEvent"
    result = check(text)
    assert_problem(result, new, line_of(text, f'<bpmn:{tag} id="{new}"'), 'đổi "Mã (id)"')


def test_duplicate_ids_are_reported_once_in_plain_words() -> None:
    note = (
        '    <bpmn:textAnnotation id="Task_Sign">'
        "<bpmn:text>Ghi chú</bpmn:text></bpmn:textAnnotation>\n"
    )
    text = variant((PROCESS_END, note + PROCESS_END))
    result = check(text)
    line = line_of(text, '<bpmn:textAnnotation id="Task_Sign"')
    problem = assert_problem(result, "Task_Sign", line, "bị trùng")
    first = line_of(text, '<bpmn:userTask id="Task_Sign"')
    assert f"dòng {first}" in problem.message
    assert [p for p in result.problems if p.line == line] == [problem]


# --------------------------------------------------------------------------- 4. dialect


def test_task_without_role_or_unit() -> None:
    text = variant(("        <bpmn:flowNodeRef>Task_Remind</bpmn:flowNodeRef>\n", ""))
    result = check(text)
    line = line_of(text, '<bpmn:userTask id="Task_Remind"')
    assert_problem(result, "Task_Remind", line, "chưa có vai trò:")
    assert_problem(result, "Task_Remind", line, "chưa có đơn vị:")


def test_nested_lane_inherits_what_it_does_not_set() -> None:
    old = "        <bpmn:flowNodeRef>End_Reminded</bpmn:flowNodeRef>\n"
    child = (
        '        <bpmn:childLaneSet id="LaneSet_Sub">\n'
        '          <bpmn:lane id="Lane_Sub" name="Tổ liên thông">\n'
        "            <bpmn:extensionElements><spiffworkflow:properties>\n"
        '              <spiffworkflow:property name="unit" value="000.00.31.H42"/>\n'
        "            </spiffworkflow:properties></bpmn:extensionElements>\n"
        "            <bpmn:flowNodeRef>Task_Remind</bpmn:flowNodeRef>\n"
        "          </bpmn:lane>\n"
        "        </bpmn:childLaneSet>\n"
    )
    result = check(variant((old, old + child)))
    assert result.problems == []
    remind = result.steps["Task_Remind"]
    assert (remind.role, remind.unit, remind.lane) == ("unit_head", "000.00.31.H42", "Lane_Sub")


def test_invalid_role_on_a_task() -> None:
    old = '          <spiffworkflow:property name="form" value="tham-dinh"/>\n'
    text = variant(
        (old, old + '          <spiffworkflow:property name="role" value="chuyen_vien"/>\n')
    )
    result = check(text)
    problem = assert_problem(
        result, "Task_Examine", line_of(text, '<bpmn:userTask id="Task_Examine"'), '"chuyen_vien"'
    )
    assert "specialist" in problem.message


def test_invalid_role_on_a_lane_is_reported_at_the_lane() -> None:
    old = '<spiffworkflow:property name="role" value="leader"/>'
    text = variant((old, '<spiffworkflow:property name="role" value="boss"/>'))
    result = check(text)
    assert_problem(result, "Lane_Leader", line_of(text, '<bpmn:lane id="Lane_Leader"'), '"boss"')


def test_invalid_unit() -> None:
    text = variant(('value="000.00.12.H42"', 'value="phong-tu-phap"'))
    result = check(text)
    problem = assert_problem(
        result, "Task_Sign", line_of(text, '<bpmn:userTask id="Task_Sign"'), '"phong-tu-phap"'
    )
    assert "@handling" in problem.message


def test_agency_code_must_exist_when_a_lookup_is_given() -> None:
    asked: list[str] = []

    def agency_exists(code: str) -> bool:
        asked.append(code)
        return False

    result = check(BASE, agency_exists=agency_exists)
    assert_problem(
        result, "Task_Sign", line_of(BASE, '<bpmn:userTask id="Task_Sign"'), "000.00.12.H42"
    )
    assert asked == ["000.00.12.H42"]
    assert check(BASE, agency_exists=lambda code: True).ok


def test_agency_lookup_failure_is_not_reported_as_a_problem() -> None:
    def broken(code: str) -> bool:
        raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        check(BASE, agency_exists=broken)


@pytest.mark.parametrize("value", ["2 ngày", "1.5.d", "0.001h", "h"])
def test_invalid_allotted(value: str) -> None:
    text = variant(('value="1d4h"', f'value="{value}"'))
    result = check(text)
    line = line_of(text, '<bpmn:userTask id="Task_Examine"')
    assert_problem(result, "Task_Examine", line, "Thời hạn không hợp lệ")


@pytest.mark.parametrize(
    ("outcomes", "fragment"),
    [
        ("approve=Đề xuất duyệt;Back=Trả lại", 'khóa "Back" không hợp lệ'),
        ("approve=Đề xuất duyệt;back=Trả lại;approve=Lặp", 'hai nút cùng có khóa "approve"'),
        ("approve;back=Trả lại", 'nút "approve" chưa có nhãn'),
        ("approve=Đề xuất duyệt;back=", 'nút "back=" chưa có nhãn'),
    ],
)
def test_invalid_outcomes(outcomes: str, fragment: str) -> None:
    text = variant(('value="approve=Đề xuất duyệt;back=Trả lại"', f'value="{outcomes}"'))
    result = check(text)
    line = line_of(text, '<bpmn:userTask id="Task_Examine"')
    assert_problem(result, "Task_Examine", line, fragment)


def test_invalid_document() -> None:
    text = variant(('value="receipt"', 'value="bien_nhan"'))
    result = check(text)
    problem = assert_problem(
        result, "Task_Receive", line_of(text, '<bpmn:userTask id="Task_Receive"'), '"bien_nhan"'
    )
    assert "control_slip" in problem.message


def test_unknown_form_on_a_task() -> None:
    text = variant(('value="tham-dinh"', 'value="tham-dinh-cu"'))
    result = check(text)
    line = line_of(text, '<bpmn:userTask id="Task_Examine"')
    assert_problem(result, "Task_Examine", line, '"tham-dinh-cu"')


def test_unknown_start_form() -> None:
    text = variant(('value="to-khai"', 'value="to-khai-cu"'))
    result = check(text)
    line = line_of(text, '<bpmn:startEvent id="Start_Submit"')
    assert_problem(result, "Start_Submit", line, '"to-khai-cu"')


def test_assignee_field_must_be_a_field_of_the_task_form() -> None:
    text = variant(('value="assignee"', 'value="nguoi_xu_ly"'))
    result = check(text)
    line = line_of(text, '<bpmn:userTask id="Task_Assign"')
    problem = assert_problem(result, "Task_Assign", line, '"nguoi_xu_ly"')
    assert '(assignee), "Ý kiến chỉ đạo" (chi_dao)' in problem.message


def test_referenced_form_must_be_a_valid_json_schema() -> None:
    forms = dict(FORMS)
    forms["tham-dinh"] = {
        "schema": {"type": "object", "properties": {"y_kien": {"type": "chuoi"}}, "required": 5},
        "ui": None,
    }
    forms["khong-dung"] = {"schema": {"type": 5}, "ui": None}  # not referenced: not checked
    result = check(BASE, forms)
    files = {p.file for p in result.problems}
    assert files == {"tham-dinh.schema.json"}
    messages = " | ".join(p.message for p in result.problems)
    assert '"tham-dinh"' in messages
    assert "$.properties.y_kien.type" in messages
    assert "$.required" in messages
    assert result.spec is None


def test_manual_task_is_a_step_like_a_user_task() -> None:
    manual = REMIND_BLOCK.replace("userTask", "manualTask")
    result = check(variant((REMIND_BLOCK, manual)))
    assert result.problems == []
    assert (result.steps["Task_Remind"].role, result.steps["Task_Remind"].unit) == (
        "unit_head",
        "@handling",
    )


def test_all_problems_are_reported_not_just_the_first() -> None:
    text = variant(
        ('value="tham-dinh"', 'value="khong-co"'),
        ('value="receipt"', 'value="bien_nhan"'),
        ('outcome == "approve"', 'outcome == "duyet"'),
    )
    result = check(text)
    ids = {p.element_id for p in result.problems}
    assert {"Task_Examine", "Task_Receive", "Flow_Approve"} <= ids


# --------------------------------------------------------------------------- 5. expressions


def test_sandbox_escape_in_a_condition_is_reported_on_the_flow() -> None:
    escape = "().__class__.__base__.__subclasses__()"
    text = variant(('outcome == "approve"', escape))
    result = check(text)
    line = line_of(text, escape)
    problem = assert_problem(result, "Flow_Approve", line, "Điều kiện của luồng")
    assert "__class__" in " ".join(
        p.message for p in result.problems if p.element_id == "Flow_Approve"
    )
    assert problem.line == line


@pytest.mark.parametrize(
    ("script", "fragment"),
    [
        ('ket_qua = __import__("os").system("id")', "__import__"),
        ('__import__("os")', "phép gán"),
    ],
)
def test_import_in_a_script_task_is_reported_on_the_task(script: str, fragment: str) -> None:
    text = variant(('so_van_ban = "123/QĐ-STP"', script))
    result = check(text)
    assert_problem(result, "Script_Number", line_of(text, script), fragment)


def test_script_error_line_counts_lines_inside_the_script() -> None:
    script = '\n        so = 1\n        ghi_chu = "ok"\n        x = __import__("os")\n      '
    text = variant(('so_van_ban = "123/QĐ-STP"', script))
    result = check(text)
    assert_problem(result, "Script_Number", line_of(text, 'x = __import__("os")'), "__import__")


def test_pre_script_extension_is_checked_too() -> None:
    properties_end = "        </spiffworkflow:properties>\n"
    rest = "      </bpmn:extensionElements>\n      <bpmn:incoming>Flow_3</bpmn:incoming>\n"
    pre = '        <spiffworkflow:preScript>open("/etc/passwd")</spiffworkflow:preScript>\n'
    text = variant((properties_end + rest, properties_end + pre + rest))
    result = check(text)
    assert_problem(result, "Task_Examine", line_of(text, "<spiffworkflow:preScript>"), "Kịch bản")


@pytest.mark.parametrize("kind", ["timeDuration", "timeCycle"])
def test_only_time_date_timers_are_supported(kind: str) -> None:
    text = variant(("<bpmn:timeDate>due_step</bpmn:timeDate>", f"<bpmn:{kind}>PT1H</bpmn:{kind}>"))
    result = check(text)
    line = line_of(text, '<bpmn:boundaryEvent id="Timer_Examine"')
    assert_problem(result, "Timer_Examine", line, TIMER_HINT)
    assert_problem(result, "Timer_Examine", line, kind)


def test_timer_expression_is_checked() -> None:
    text = variant(
        ("<bpmn:timeDate>due_step</bpmn:timeDate>", "<bpmn:timeDate>open('x')</bpmn:timeDate>")
    )
    result = check(text)
    assert_problem(result, "Timer_Examine", line_of(text, "<bpmn:timeDate>"), "Lúc hẹn giờ (timeDate)")


def test_due_step_needs_a_task_with_allotted_time() -> None:
    text = variant(('attachedToRef="Task_Examine"', 'attachedToRef="Task_Return"'))
    result = check(text)
    line = line_of(text, '<bpmn:boundaryEvent id="Timer_Examine"')
    problem = assert_problem(result, "Timer_Examine", line, 'chưa có "Thời gian giải quyết"')
    assert 'bước "Trả kết quả"' in problem.message
    assert result.timers["Timer_Examine"]["attached_to"] == "Task_Return"


def _with_catch_event(expression: str) -> str:
    catch = (
        '    <bpmn:intermediateCatchEvent id="Catch_Wait" name="Chờ hạn">\n'
        '      <bpmn:timerEventDefinition id="TimerDef_Wait">\n'
        f"        <bpmn:timeDate>{expression}</bpmn:timeDate>\n"
        "      </bpmn:timerEventDefinition>\n"
        "    </bpmn:intermediateCatchEvent>\n"
        '    <bpmn:sequenceFlow id="Flow_Wait" sourceRef="Catch_Wait" targetRef="Task_Return"/>\n'
    )
    return variant(
        (
            'sourceRef="Script_Number" targetRef="Task_Return"',
            'sourceRef="Script_Number" targetRef="Catch_Wait"',
        ),
        (PROCESS_END, catch + PROCESS_END),
    )


def test_due_step_only_on_a_boundary_event() -> None:
    text = _with_catch_event("due_step")
    result = check(text)
    line = line_of(text, '<bpmn:intermediateCatchEvent id="Catch_Wait"')
    assert_problem(result, "Catch_Wait", line, "due_step")


def test_due_dossier_timer_is_recorded() -> None:
    result = check(_with_catch_event("due_dossier"))
    assert result.problems == []
    assert result.timers["Catch_Wait"] == {
        "expression": "due_dossier",
        "attached_to": None,
        "interrupting": False,
    }


def test_interrupting_boundary_timer_is_recorded_as_such() -> None:
    result = check(variant(('cancelActivity="false" ', "")))
    assert result.problems == []
    assert result.timers["Timer_Examine"]["interrupting"] is True


def test_timer_start_event_is_rejected() -> None:
    old = "      <bpmn:outgoing>Flow_1</bpmn:outgoing>\n"
    timer = (
        '      <bpmn:timerEventDefinition id="TimerDef_Start">'
        "<bpmn:timeDate>due_dossier</bpmn:timeDate></bpmn:timerEventDefinition>\n"
    )
    text = variant((old, old + timer))
    line = line_of(text, '<bpmn:startEvent id="Start_Submit"')
    assert_problem(check(text), "Start_Submit", line, "sự kiện bắt đầu hẹn giờ không được hỗ trợ")


# ----------------------------------------------------------------------- 6. outcomes and gateways


@pytest.mark.parametrize(
    "condition",
    [
        'outcome == "aprove"',
        '"aprove" == outcome',
        'outcome in ("aprove", "approve")',
        'outcome != "aprove"',
        'outcome == "aprove" and so_trang > 0',
    ],
)
def test_outcome_compared_with_an_unknown_key(condition: str) -> None:
    text = variant(('outcome == "approve"', condition))
    result = check(text)
    line = line_of(text, condition)
    problem = assert_problem(result, "Flow_Approve", line, '"aprove"')
    assert '"Đề xuất duyệt", "Trả lại"' in problem.message


def test_outcomes_are_traced_through_other_gateways() -> None:
    merge = (
        '    <bpmn:exclusiveGateway id="Gw_Merge"/>\n'
        '    <bpmn:sequenceFlow id="Flow_Merge" sourceRef="Gw_Merge" targetRef="Gw_Examine"/>\n'
    )
    text = variant(
        (
            'sourceRef="Task_Examine" targetRef="Gw_Examine"',
            'sourceRef="Task_Examine" targetRef="Gw_Merge"',
        ),
        ('outcome == "approve"', 'outcome == "duyet"'),
        (PROCESS_END, merge + PROCESS_END),
    )
    result = check(text)
    assert_problem(result, "Flow_Approve", line_of(text, 'outcome == "duyet"'), '"duyet"')


def test_outcome_compared_after_a_step_without_outcomes() -> None:
    text = variant(
        (
            '          <spiffworkflow:property name="outcomes" '
            'value="accept=Tiếp nhận;refuse=Từ chối"/>\n',
            "",
        )
    )
    result = check(text)
    line = line_of(text, 'outcome == "accept"')
    assert_problem(result, "Flow_Accept", line, "chưa có nút kết quả nào")


def test_gateway_flow_without_condition_and_not_default() -> None:
    old = '      <bpmn:conditionExpression>outcome == "back"</bpmn:conditionExpression>\n'
    text = variant((old, ""))
    result = check(text)
    line = line_of(text, '<bpmn:sequenceFlow id="Flow_Back"')
    assert_problem(result, "Flow_Back", line, "chưa có điều kiện")


def test_default_flow_needs_no_condition() -> None:
    old = '      <bpmn:conditionExpression>outcome == "back"</bpmn:conditionExpression>\n'
    text = variant(
        (old, ""),
        (
            '<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất">',
            '<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất" default="Flow_Back">',
        ),
    )
    result = check(text)
    assert result.problems == []
    assert result.spec is not None


def test_default_flow_must_leave_the_gateway() -> None:
    text = variant(
        (
            '<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất">',
            '<bpmn:exclusiveGateway id="Gw_Examine" name="Đề xuất" default="Flow_1">',
        )
    )
    line = line_of(text, '<bpmn:exclusiveGateway id="Gw_Examine"')
    assert_problem(check(text), "Gw_Examine", line, '"Flow_1"')


def test_outcome_with_no_outgoing_flow_is_reported_on_the_gateway() -> None:
    text = variant(('outcome == "back"', 'outcome == "approve" and so_trang > 0'))
    result = check(text)
    assert result.errors == []  # the route depends on the dossier: nothing to prove
    text = variant(('outcome == "back"', 'outcome not in ("approve", "back")'))
    result = check(text)
    line = line_of(text, '<bpmn:exclusiveGateway id="Gw_Examine"')
    problem = assert_problem(result, "Gw_Examine", line, 'nút "Trả lại"')
    assert 'bước "Thẩm định"' in problem.message


def test_condition_on_a_flow_leaving_a_task_is_reported() -> None:
    old = '<bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Assign" targetRef="Task_Examine"/>'
    new = old.replace(
        "/>", "><bpmn:conditionExpression>True</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    text = variant((old, new))
    assert_problem(check(text), "Flow_3", line_of(text, 'id="Flow_3"'), "bị bỏ qua")


def test_task_with_two_outgoing_flows_is_reported() -> None:
    extra = (
        '    <bpmn:sequenceFlow id="Flow_Extra" sourceRef="Task_Return" targetRef="End_Refused"/>\n'
    )
    text = variant((PROCESS_END, extra + PROCESS_END))
    line = line_of(text, '<bpmn:userTask id="Task_Return"')
    assert_problem(check(text), "Task_Return", line, "2 luồng ra")


def test_flow_to_a_missing_element() -> None:
    text = variant(('targetRef="End_Done"', 'targetRef="End_Missing"'))
    line = line_of(text, 'targetRef="End_Missing"')
    assert_problem(check(text), "Flow_7", line, '"End_Missing"')


# --------------------------------------------------------------------------- 7. not executable


@pytest.mark.parametrize(
    "tag", ["serviceTask", "sendTask", "receiveTask", "businessRuleTask", "task"]
)
def test_task_kinds_the_platform_cannot_run(tag: str) -> None:
    text = variant((REMIND_BLOCK, REMIND_BLOCK.replace("userTask", tag)))
    result = check(text)
    assert_problem(result, "Task_Remind", line_of(text, f'<bpmn:{tag} id="Task_Remind"'), "Đôn đốc")
    assert "Task_Remind" not in result.steps


def test_multi_instance_user_task_is_rejected() -> None:
    loop = (
        "      <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2"
        "</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>\n"
    )
    text = variant(
        (REMIND_BLOCK, REMIND_BLOCK.replace("    </bpmn:userTask>", loop + "    </bpmn:userTask>"))
    )
    result = check(text)
    assert_problem(
        result, "Task_Remind", line_of(text, '<bpmn:userTask id="Task_Remind"'), "multi-instance"
    )


@pytest.mark.parametrize("tag", ["transaction", "adHocSubProcess"])
def test_sub_process_kinds_the_platform_cannot_run(tag: str) -> None:
    inner = '      <bpmn:userTask id="Task_Inner"/>\n'
    block = REMIND_BLOCK.replace("userTask", tag).replace(
        f"    </bpmn:{tag}>", inner + f"    </bpmn:{tag}>"
    )
    text = variant((REMIND_BLOCK, block))
    result = check(text)
    assert_problem(result, "Task_Remind", line_of(text, f'<bpmn:{tag} id="Task_Remind"'), tag)


def test_complex_gateway_is_rejected() -> None:
    text = BASE.replace('exclusiveGateway id="Gw_Examine"', 'complexGateway id="Gw_Examine"')
    text = variant(
        (
            "      <bpmn:outgoing>Flow_Back</bpmn:outgoing>\n    </bpmn:exclusiveGateway>",
            "      <bpmn:outgoing>Flow_Back</bpmn:outgoing>\n    </bpmn:complexGateway>",
        ),
        text=text,
    )
    result = check(text)
    assert_problem(
        result,
        "Gw_Examine",
        line_of(text, '<bpmn:complexGateway id="Gw_Examine"'),
        "complexGateway",
    )


@pytest.mark.parametrize(
    ("definition", "kind"),
    [
        ('<bpmn:messageEventDefinition id="Def_X"/>', "message"),
        ('<bpmn:signalEventDefinition id="Def_X"/>', "signal"),
        ('<bpmn:escalationEventDefinition id="Def_X"/>', "escalation"),
        ('<bpmn:errorEventDefinition id="Def_X"/>', "error"),
        (
            '<bpmn:conditionalEventDefinition id="Def_X"><bpmn:condition>True</bpmn:condition>'
            "</bpmn:conditionalEventDefinition>",
            "conditional",
        ),
        ('<bpmn:compensateEventDefinition id="Def_X"/>', "compensation"),
        ('<bpmn:linkEventDefinition id="Def_X" name="L"/>', "link"),
    ],
)
def test_event_kinds_the_platform_cannot_run(definition: str, kind: str) -> None:
    text = variant((TIMER_DEFINITION, "      " + definition))
    result = check(text)
    line = line_of(text, '<bpmn:boundaryEvent id="Timer_Examine"')
    assert_problem(result, "Timer_Examine", line, f"({kind})")


def test_error_end_event_is_rejected_terminate_is_fine() -> None:
    old = "      <bpmn:incoming>Flow_Refuse</bpmn:incoming>\n"
    error = variant((old, old + '      <bpmn:errorEventDefinition id="Def_Error"/>\n'))
    line = line_of(error, '<bpmn:endEvent id="End_Refused"')
    assert_problem(check(error), "End_Refused", line, "(error)")
    terminate = variant((old, old + '      <bpmn:terminateEventDefinition id="Def_Stop"/>\n'))
    assert check(terminate).problems == []


def test_boundary_event_must_be_attached_to_a_step() -> None:
    text = variant(('attachedToRef="Task_Examine"', 'attachedToRef="Task_Nowhere"'))
    line = line_of(text, '<bpmn:boundaryEvent id="Timer_Examine"')
    assert_problem(check(text), "Timer_Examine", line, '"Task_Nowhere"')


def test_boundary_event_without_definition() -> None:
    text = variant((TIMER_DEFINITION + "\n", ""))
    line = line_of(text, '<bpmn:boundaryEvent id="Timer_Examine"')
    assert_problem(check(text), "Timer_Examine", line, "không có loại sự kiện")


CALL_MAIN = (SCENARIOS / "call-main.bpmn").read_text(encoding="utf-8")
STAMP = (SCENARIOS / "library" / "dong-dau.bpmn").read_bytes()


def test_call_activity_must_resolve() -> None:
    result = check(CALL_MAIN, {}, library=[("khac.bpmn", b"<not xml")])
    line = line_of(CALL_MAIN, '<bpmn:callActivity id="Call_Stamp"')
    problem = assert_problem(result, "Call_Stamp", line, '"Process_Stamp"')
    assert "thư viện" in problem.message
    # The unreadable library file may be why: it is reported too, under its own name.
    assert any(p.file == "khac.bpmn" for p in result.problems)


def test_call_activity_resolved_from_the_library() -> None:
    library = [("khac.bpmn", b"<not xml"), ("dong-dau.bpmn", STAMP)]
    result = check(CALL_MAIN, {}, library=library)
    assert result.problems == []
    assert result.spec is not None
    assert set(result.subprocess_specs) == {"Process_Stamp"}
    stamp = result.steps["Task_Stamp"]
    assert (stamp.role, stamp.unit, stamp.allotted_minutes, stamp.document) == (
        "clerk",
        "@agency",
        60,
        "result",
    )


def test_called_process_is_checked_in_its_own_file() -> None:
    broken = STAMP.replace(b'value="1h"', b'value="1 gio"')
    result = check(CALL_MAIN, {}, library=[("dong-dau.bpmn", broken)])
    problem = find(result, "Task_Stamp", "Thời hạn không hợp lệ")
    assert problem.file == "dong-dau.bpmn"
    assert (
        problem.line
        == STAMP.decode()[: STAMP.decode().index('<bpmn:userTask id="Task_Stamp"')].count("\n") + 1
    )


def test_called_process_defined_in_two_library_files_is_ambiguous() -> None:
    result = check(CALL_MAIN, {}, library=[("a.bpmn", STAMP), ("b.bpmn", STAMP)])
    line = line_of(CALL_MAIN, '<bpmn:callActivity id="Call_Stamp"')
    problem = assert_problem(result, "Call_Stamp", line, "nhiều tệp")
    assert "a.bpmn, b.bpmn" in problem.message


def test_library_copy_of_the_uploaded_file_is_ignored() -> None:
    # Re-uploading a file that the library already holds must not clash with itself.
    result = check(BASE, library=[("test.bpmn", BASE.encode())])
    assert result.problems == []


# --------------------------------------------------------------------------- 8. SpiffWorkflow


def test_spiffworkflow_parser_errors_become_problems() -> None:
    # An embedded sub-process with two start events passes our checks; SpiffWorkflow refuses
    # it (a sub-process without an end event no longer does: it has no path to an end).
    block = (
        '    <bpmn:subProcess id="Task_Remind" name="Đôn đốc">\n'
        "      <bpmn:incoming>Flow_Late</bpmn:incoming>\n"
        "      <bpmn:outgoing>Flow_Reminded</bpmn:outgoing>\n"
        '      <bpmn:startEvent id="Start_Inner"/>\n'
        '      <bpmn:startEvent id="Start_Inner2"/>\n'
        '      <bpmn:endEvent id="End_Inner"/>\n'
        '      <bpmn:sequenceFlow id="Flow_Inner" sourceRef="Start_Inner" targetRef="End_Inner"/>\n'
        '      <bpmn:sequenceFlow id="Flow_Inner2" sourceRef="Start_Inner2" '
        'targetRef="End_Inner"/>\n'
        "    </bpmn:subProcess>"
    )
    text = variant((REMIND_BLOCK, block))
    result = check(text)
    line = line_of(text, '<bpmn:subProcess id="Task_Remind"')
    assert_problem(result, "Task_Remind", line, "SpiffWorkflow")


# --------------------------------------------------------------------------- e-forms directory


def test_load_forms_dir_reports_bad_json_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.schema.json").write_text('{"type": "object"}', encoding="utf-8")
    (tmp_path / "a.ui.json").write_text('{"order": []}', encoding="utf-8")
    (tmp_path / "b.schema.json").write_text(
        '{\n  "type": "object",\n  "title": x\n}', encoding="utf-8"
    )
    (tmp_path / "c.ui.json").write_text("{}", encoding="utf-8")
    (tmp_path / "d.schema.json").write_text("[1, 2]", encoding="utf-8")

    forms, problems = load_forms_dir(tmp_path)

    assert forms == {"a": {"schema": {"type": "object"}, "ui": {"order": []}}}
    by_file = {p.file: p for p in problems}
    assert set(by_file) == {"b.schema.json", "c.ui.json", "d.schema.json"}
    assert by_file["b.schema.json"].line == 3
    assert "dòng 3" in by_file["b.schema.json"].message
    assert "c.schema.json" in by_file["c.ui.json"].message
    assert "đối tượng JSON" in by_file["d.schema.json"].message


def test_load_forms_dir_reads_the_shared_sample_forms() -> None:
    forms, problems = load_forms_dir(shared("samples", "forms"))
    assert problems == []
    assert len(forms) == 8
    assert forms["to-khai-ly-lich-tu-phap"]["ui"]["widgets"]["gioi_tinh"] == "radio"
    assert forms["phan-cong"]["ui"] is None
