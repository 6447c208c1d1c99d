"""The safe expression subset: what it accepts, what it refuses, and its SpiffWorkflow engine."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from motcua.engine.expressions import (
    ExpressionError,
    SafeScriptEngine,
    check_expression,
    check_script,
    compiler,
    evaluate,
    execute,
)

ICT = timezone(timedelta(hours=7))
FIXED_NOW = datetime(2024, 3, 1, 9, 30, tzinfo=ICT)


def clock() -> datetime:
    return FIXED_NOW


DATA: dict[str, Any] = {
    "outcome": "approve",
    "applicant": {"age": 20, "name": "Nguyễn Văn An"},
    "flagged": False,
    "documents": ["don", "cccd", "so_do"],
    "data": {"x": {"y": 1}},
    "received": "2024-02-20",
    "note": None,
}


# --- accepted expressions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('outcome == "approve"', True),
        ('outcome == "reject"', False),
        ('outcome in ("approve", "reject")', True),
        ('outcome not in ["approve"]', False),
        ("applicant.age >= 18 and not flagged", True),
        ("applicant.age >= 21 or flagged", False),
        ("len(documents) > 2", True),
        ('data["x"]["y"] == 1', True),
        ("documents[0]", "don"),
        ("documents[-1]", "so_do"),
        ("documents[1:]", ["cccd", "so_do"]),
        ("note is None", True),
        ("note is not None", False),
        ('"cao" if applicant.age > 60 else "thường"', "thường"),
        ("1 + 2 * 3 - 4 / 2", 5.0),
        ("7 // 2 + 7 % 2 + 2 ** 10", 1028),
        ("-applicant.age", -20),
        ("1 < applicant.age < 30", True),
        ('{"a": [1, 2], "b": {3}}', {"a": [1, 2], "b": {3}}),
        ("(1, None, True, 1.5)", (1, None, True, 1.5)),
        ('"Ông " + upper(applicant.name)', "Ông NGUYỄN VĂN AN"),
        ('lower(strip("  ABC "))', "abc"),
        ('contains(documents, "cccd")', True),
        ('get(applicant, "phone", "không có")', "không có"),
        ("min(3, 1, 2) + max([4, 5]) + abs(-1) + sum([1, 2])", 10),
        ("round(2.567, 2)", 2.57),
        ('int("12") + float("0.5") + len(str(10))', 14.5),
        ("bool(documents) and any([0, 1]) and not all([0, 1])", True),
        ("sorted([3, 1, 2], reverse=True)", [3, 2, 1]),
        ("min([], default=0)", 0),
        ('"ab" * 3', "ababab"),
        ("[0] * 3", [0, 0, 0]),
    ],
)
def test_typical_expressions(source: str, expected: Any) -> None:
    assert check_expression(source) == []
    assert evaluate(source, DATA) == expected


def test_attribute_reads_dict_keys_never_methods() -> None:
    # `a.items` is the key "items", not dict.items.
    assert evaluate("a.items", {"a": {"items": [1]}}) == [1]
    assert evaluate("a.keys", {"a": {"keys": "k"}}) == "k"


def test_extra_names_shadow_data() -> None:
    extra = {"due_step": "2024-03-05T17:00:00+07:00"}
    assert evaluate("due_step", {"due_step": "data"}, extra=extra) == extra["due_step"]
    assert evaluate("outcome", DATA, extra=extra) == "approve"


def test_condition_with_leading_whitespace_like_bpmn_bodies() -> None:
    assert evaluate('\n    outcome == "approve"\n  ', DATA) is True


def test_same_source_is_checked_once() -> None:
    source = 'outcome == "approve" and len(documents) == 3'
    evaluate(source, DATA)
    before = compiler._compile.cache_info().hits
    for _ in range(5):
        assert evaluate(source, DATA) is True
    assert compiler._compile.cache_info().hits == before + 5


# --- dates -----------------------------------------------------------------------------------


def test_date_helpers_use_the_injected_clock() -> None:
    assert evaluate("today()", {}, clock=clock) == date(2024, 3, 1)
    assert evaluate("now()", {}, clock=clock) == FIXED_NOW
    assert evaluate("days_between(received, today())", DATA, clock=clock) == 10
    assert evaluate("add_days(received, 10) == today()", DATA, clock=clock) is True
    assert evaluate("date(received) < today()", DATA, clock=clock) is True
    assert evaluate('add_days("2024-01-31", 1)', {}) == date(2024, 2, 1)
    assert evaluate("today().year * 100 + today().month", {}, clock=clock) == 202403
    assert evaluate("str(today())", {}, clock=clock) == "2024-03-01"
    later = datetime(2025, 1, 1, tzinfo=ICT)
    assert evaluate("days_between(received, today())", DATA, clock=lambda: later) == 316


def test_datetime_without_offset_takes_the_clock_zone() -> None:
    value = evaluate('datetime("2024-03-01T10:00")', {}, clock=clock)
    assert value == datetime(2024, 3, 1, 10, tzinfo=ICT)
    assert value.tzinfo is not None
    assert evaluate('datetime("2024-03-01T10:00:00+00:00") > now()', {}, clock=clock) is True


def test_bad_dates_are_expression_errors() -> None:
    with pytest.raises(ExpressionError, match="Ngày không hợp lệ"):
        evaluate("date(x)", {"x": "2024-02-30"})
    # A literal bad date is already caught when the expression is checked.
    assert check_expression('date("2024-13-01")')[0].message.startswith("Ngày không hợp lệ")


# --- refused expressions ---------------------------------------------------------------------

ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    '__import__("os").system("id")',
    "[c for c in ().__class__.__bases__]",
    "(lambda: 1)()",
    'getattr(x, "y")',
    "x.__dict__",
    '"a" * 10**9',
    "10**10**10",
    'open("/etc/passwd")',
    'eval("1")',
    'exec("x = 1")',
    "type(x)",
    "x.keys()",
    'f"{x}"',
    "{**x}",
    "len(*x)",
    "(y := 1)",
    "x @ x",
    "1 << 100000",
    "{c: 1 for c in x}",
    "(c for c in x)",
    "x is x",
    "[" * 60 + "]" * 60,
    "-" * 60 + "1",
    " + ".join(["x"] * 300),
    "x" * 2001,
    "",
    "x +",
    "b'raw'",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_refused_at_check_time(source: str) -> None:
    problems = check_expression(source)
    assert problems
    assert all(isinstance(p, ExpressionError) and p.message for p in problems)


@pytest.mark.parametrize("source", ESCAPES)
def test_refused_at_evaluate_time(source: str) -> None:
    data = {"x": {"y": 1, "__dict__": 1}, "y": 2}
    with pytest.raises(ExpressionError):
        evaluate(source, data)


def test_messages_are_vietnamese_and_positioned() -> None:
    problems = check_expression("().__class__.__base__.__subclasses__()")
    messages = [p.message for p in problems]
    assert 'Không được dùng thuộc tính bắt đầu bằng "_": __class__' in messages
    first = next(p for p in problems if p.message.endswith("__class__"))
    assert (first.lineno, first.col) == (1, 3)
    # Columns count characters, not UTF-8 bytes.
    [problem] = check_expression('"hồ sơ" + x.__dict__')
    assert (problem.lineno, problem.col) == (1, 12)
    [syntax] = check_expression("(outcome ==\n  (1 +))")
    assert syntax.message.startswith("Lỗi cú pháp")
    assert syntax.lineno == 2


@pytest.mark.parametrize(("source", "words"), [
    ('outcome == "approve', "dấu nháy đóng"),
    ('(outcome == "approve"', "ngoặc mở chưa được đóng"),
    ('outcome == "approve")', "ngoặc đóng không có dấu mở"),
    ("so_ngay > 1a", "số viết sai"),
    ('Vacation Approval = "Approved"', 'outcome == "approve"'),
])
def test_a_syntax_error_is_told_in_vietnamese(source: str, words: str) -> None:
    [problem] = check_expression(source)
    assert problem.message.startswith("Lỗi cú pháp: ") and words in problem.message
    # Python's own English (e.g. "invalid syntax", "was never closed") never reaches a designer.
    assert not any(w in problem.message for w in ("invalid", "never", "unmatched", "literal"))


def test_unknown_function_and_bad_arguments() -> None:
    assert check_expression("getattr(x, 'y')")[0].message == "Hàm không được phép: getattr"
    assert check_expression("len()")[0].message.startswith("Sai tham số khi gọi hàm len")
    # key= would need a callable; there are none in the subset.
    assert check_expression("max(x, key=y)")[0].message.startswith("Sai tham số")


def test_check_never_raises_for_bad_input() -> None:
    assert check_expression(None)  # type: ignore[arg-type]
    assert check_expression("\x00")
    assert check_expression("(" * 300 + ")" * 300)
    assert check_expression("not " * 490 + "x")
    assert check_script(42)  # type: ignore[arg-type]


def test_unknown_name_is_an_expression_error_not_a_name_error() -> None:
    with pytest.raises(ExpressionError, match="Biến không tồn tại: missing") as info:
        evaluate("outcome == 'x' or missing", DATA)
    assert not isinstance(info.value, NameError)
    assert (info.value.lineno, info.value.col) == (1, 18)


@pytest.mark.parametrize(
    ("source", "data", "message"),
    [
        ("s * n", {"s": "a", "n": 10**9}, "Kết quả quá dài"),
        ("l * n", {"l": [1], "n": 10**6}, "Kết quả quá dài"),
        ("l * 2", {"l": [[1]]}, "giá trị đơn"),
        ("b ** e", {"b": 10, "e": 10**10}, "Số mũ quá lớn"),
        ("b ** 100", {"b": 2**100}, "Số quá lớn"),
        ("b * b", {"b": 2**4000}, "Số quá lớn"),
        ("s % 1", {"s": "%999999999d"}, "%"),
        ("s + s", {"s": "a" * 60_000}, "Kết quả quá dài"),
        ("str(l)", {"l": ["a" * 1000] * 200}, "Kết quả quá dài"),
        ("1 / z", {"z": 0}, "Chia cho 0"),
        ("x.y", {"x": {}}, 'Không có khóa "y"'),
        ("x.real", {"x": 1}, "thuộc tính"),
        ("x[3]", {"x": [1]}, "Chỉ số ngoài phạm vi"),
        ("x < 1", {"x": "a"}, "Không so sánh"),
        ("-x", {"x": "a"}, "Không đổi dấu"),
        ("sum(x)", {"x": [[1], [2]]}, "cần một số"),
        ("x ** 0.5", {"x": -8}, "không phải số thực"),
    ],
)
def test_runtime_guards(source: str, data: dict[str, Any], message: str) -> None:
    assert check_expression(source) == []
    with pytest.raises(ExpressionError, match=message):
        evaluate(source, data)


def test_objects_in_extra_are_not_reachable() -> None:
    # Even a live Python object handed in by the platform exposes no attributes or calls.
    with pytest.raises(ExpressionError):
        evaluate("engine.evaluate", {}, extra={"engine": SafeScriptEngine()})
    with pytest.raises(ExpressionError, match="Hàm không được phép: engine"):
        evaluate("engine()", {}, extra={"engine": print})


def test_evaluator_never_calls_python_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("eval/exec must not be used")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    assert evaluate("len(documents) + applicant.age", DATA) == 23
    data = {"n": 1}
    execute("n = n + 1", data)
    assert data == {"n": 2}


# --- scripts ---------------------------------------------------------------------------------


def test_script_assigns_into_data() -> None:
    data: dict[str, Any] = {"applicant": {"age": 20}, "fees": [10, 20], "count": 1}
    execute(
        "\n".join(
            [
                "adult = applicant.age >= 18",
                'applicant.category = "adult" if adult else "minor"',
                'applicant["checked_on"] = today()',
                "fees[1] = 25",
                "count += 2",
                "total = sum(fees)",
                "pair = (1, 2)",
            ]
        ),
        data,
        clock=clock,
    )
    assert data == {
        "applicant": {"age": 20, "category": "adult", "checked_on": "2024-03-01"},
        "fees": [10, 25],
        "count": 3,
        "adult": True,
        "total": 35,
        "pair": [1, 2],
    }


def test_indented_script_like_bpmn_bodies() -> None:
    data: dict[str, Any] = {}
    execute("\n    a = 1\n    b = a + 1\n", data)
    assert data == {"a": 1, "b": 2}


def test_script_failure_leaves_data_unchanged() -> None:
    data: dict[str, Any] = {"x": {"a": 1}}
    with pytest.raises(ExpressionError, match="Biến không tồn tại") as info:
        execute("x.a = 2\ny = 1\nz = missing", data)
    assert info.value.lineno == 3
    assert data == {"x": {"a": 1}}


def test_script_cannot_overwrite_platform_variables() -> None:
    with pytest.raises(ExpressionError, match="biến của hệ thống"):
        execute("due_step = 1", {}, extra={"due_step": "2024-01-01"})


def test_script_cannot_store_values_built_by_sharing() -> None:
    script = "a = [0] * 100000\nb = [a, a, a, a, a, a, a, a, a, a, a]"
    with pytest.raises(ExpressionError, match="quá lớn"):
        execute(script, {})


@pytest.mark.parametrize(
    "source",
    [
        "for i in x: y = i",
        "while True: x = 1",
        "import os",
        "from os import system",
        "def f(): return 1",
        "class A: pass",
        "with x as y: z = 1",
        "x",
        "a, b = 1, 2",
        "_x = 1",
        "x._y = 1",
        "x.__class__ = 1",
        "f(x).y = 1",
        "x = [c for c in y]",
        "x = ().__class__",
        "del x",
        "x |= 1",
        "x = 1\n" * 5001,
    ],
)
def test_refused_scripts(source: str) -> None:
    assert check_script(source)
    with pytest.raises(ExpressionError):
        execute(source, {"x": {"y": 1}, "y": [1]})


# --- SpiffWorkflow ---------------------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_1" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_0" sourceRef="StartEvent_1" targetRef="Task_Decide"/>
    <bpmn:userTask id="Task_Decide" name="Thẩm định">
      <bpmn:incoming>Flow_0</bpmn:incoming><bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Task_Decide" targetRef="Gateway_1"/>
    <bpmn:exclusiveGateway id="Gateway_1">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_Approve</bpmn:outgoing><bpmn:outgoing>Flow_Reject</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_Approve" sourceRef="Gateway_1" targetRef="Script_Approve">
      <bpmn:conditionExpression>APPROVE_CONDITION</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_Reject" sourceRef="Gateway_1" targetRef="Script_Reject">
      <bpmn:conditionExpression>not (APPROVE_CONDITION)</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:scriptTask id="Script_Approve">
      <bpmn:incoming>Flow_Approve</bpmn:incoming><bpmn:outgoing>Flow_A</bpmn:outgoing>
      <bpmn:script>route = "approved"
decided_on = today()
deadline = due_step</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:scriptTask id="Script_Reject">
      <bpmn:incoming>Flow_Reject</bpmn:incoming><bpmn:outgoing>Flow_R</bpmn:outgoing>
      <bpmn:script>route = "rejected"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_A" sourceRef="Script_Approve" targetRef="End_A"/>
    <bpmn:sequenceFlow id="Flow_R" sourceRef="Script_Reject" targetRef="End_R"/>
    <bpmn:endEvent id="End_A"><bpmn:incoming>Flow_A</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="End_R"><bpmn:incoming>Flow_R</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""

SAFE_CONDITION = 'outcome == "approve" and applicant.age &gt;= 18 and len(documents) &gt; 1'


def _workflow(condition: str, engine: SafeScriptEngine) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.replace("APPROVE_CONDITION", condition).encode("utf-8"))
    spec = parser.get_spec("Process_1")
    return BpmnWorkflow(spec, script_engine=engine)


def _decide(workflow: BpmnWorkflow, data: dict[str, Any]) -> None:
    workflow.do_engine_steps()
    [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert task.task_spec.name == "Task_Decide"
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


def _finished_ends(workflow: BpmnWorkflow) -> set[str]:
    return {
        t.task_spec.name
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if t.task_spec.name.startswith("End_")
    }


@pytest.mark.parametrize(
    ("outcome", "age", "end", "route"),
    [("approve", 30, "End_A", "approved"), ("approve", 16, "End_R", "rejected")],
)
def test_spiff_exclusive_gateway_takes_the_branch(
    outcome: str, age: int, end: str, route: str
) -> None:
    seen: list[str] = []

    def context(task: Any) -> dict[str, Any]:
        seen.append(task.task_spec.name)
        return {"due_step": "2024-03-05T17:00:00+07:00"}

    engine = SafeScriptEngine(clock=clock, context_provider=context)
    workflow = _workflow(SAFE_CONDITION, engine)
    _decide(workflow, {"outcome": outcome, "applicant": {"age": age}, "documents": [1, 2]})
    assert workflow.is_completed()
    assert _finished_ends(workflow) == {end}
    [finished] = [
        t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.name == end
    ]
    assert finished.data["route"] == route
    if route == "approved":
        assert finished.data["decided_on"] == "2024-03-01"
        assert finished.data["deadline"] == "2024-03-05T17:00:00+07:00"
    assert "Gateway_1" in seen


def test_spiff_condition_escape_raises_and_never_runs() -> None:
    workflow = _workflow("().__class__.__base__.__subclasses__()", SafeScriptEngine())
    with pytest.raises(WorkflowTaskException) as info:
        _decide(workflow, {"outcome": "approve"})
    assert info.value.task_spec.name == "Gateway_1"
    assert "__class__" in str(info.value) or "__subclasses__" in str(info.value)
    assert not _finished_ends(workflow)


def test_spiff_unknown_name_is_reported_on_the_element() -> None:
    workflow = _workflow('decision == "approve"', SafeScriptEngine())
    with pytest.raises(WorkflowTaskException, match="Biến không tồn tại: decision") as info:
        _decide(workflow, {"outcome": "approve"})
    assert info.value.task_spec.name == "Gateway_1"
    assert info.value.error_type == "ExpressionError"


def test_spiff_script_error_is_a_task_exception_with_line() -> None:
    engine = SafeScriptEngine(clock=clock)
    workflow = _workflow(SAFE_CONDITION, engine)
    # Without the context provider, `due_step` on line 3 of the script is unknown.
    with pytest.raises(WorkflowTaskException) as info:
        _decide(workflow, {"outcome": "approve", "applicant": {"age": 30}, "documents": [1, 2]})
    assert info.value.task_spec.name == "Script_Approve"
    assert info.value.line_number == 3
    assert info.value.error_line == "deadline = due_step"


def test_engine_validate_and_no_service_calls() -> None:
    engine = SafeScriptEngine()
    engine.validate('outcome == "approve"')
    with pytest.raises(ExpressionError):
        engine.validate('__import__("os")')
    with pytest.raises(ExpressionError):
        engine.environment.evaluate("().__class__", {})
    assert engine.environment.evaluate("a + 1", {"a": 1}) == 2


def test_engine_timer_expression_gives_iso_text() -> None:
    class FakeTask:
        data: dict[str, Any] = {"received": "2024-02-20"}

    engine = SafeScriptEngine(clock=clock)
    assert engine.evaluate(FakeTask(), "add_days(received, 3)") == "2024-02-23"
    assert engine.evaluate(FakeTask(), "now()") == FIXED_NOW.isoformat()
