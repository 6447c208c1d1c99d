"""The model the replay reads of a version: the officer steps each hand-over may open,
through gateways, script tasks and called processes but never past a waiting timer, and
the steps before each step on the main path (what a send-back may return to)."""

from __future__ import annotations

from motcua.audit.execution.model import START, VersionModel, _earlier, _successors
from motcua.engine.runtime import SpecBundle
from motcua.processes.operations import CompiledVersion
from support.bpmn import SCENARIOS, check, variant

# The scenario's leader signs, then the clerk stamps in a called process, then a script
# numbers the result and the desk returns it.
CALLING = variant(
    ('<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_Sign" targetRef="Script_Number"/>',
     '<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_Sign" targetRef="Call_Stamp"/>\n'
     '    <bpmn:sequenceFlow id="Flow_5b" sourceRef="Call_Stamp" targetRef="Script_Number"/>'),
    ('<bpmn:scriptTask id="Script_Number" name="Cấp số">\n      <bpmn:incoming>Flow_5',
     '<bpmn:callActivity id="Call_Stamp" name="Đóng dấu" calledElement="Process_Stamp">\n'
     '      <bpmn:incoming>Flow_5</bpmn:incoming>\n'
     '      <bpmn:outgoing>Flow_5b</bpmn:outgoing>\n'
     '    </bpmn:callActivity>\n'
     '    <bpmn:scriptTask id="Script_Number" name="Cấp số">\n      <bpmn:incoming>Flow_5b'),
    ('<bpmn:flowNodeRef>Script_Number</bpmn:flowNodeRef>',
     '<bpmn:flowNodeRef>Script_Number</bpmn:flowNodeRef>\n'
     '        <bpmn:flowNodeRef>Call_Stamp</bpmn:flowNodeRef>'),
)
LIBRARY = [("dong-dau.bpmn", (SCENARIOS / "library" / "dong-dau.bpmn").read_bytes())]


def _model() -> VersionModel:
    result = check(CALLING, library=LIBRARY)
    assert result.ok, [p.message for p in result.errors]
    version = CompiledVersion(id=1, steps=result.steps, start_form=result.start_form, forms={},
                              bundle=SpecBundle(result.spec, result.subprocess_specs),
                              form_uis={})
    model = VersionModel(id=1, number=1, steps=result.steps)
    model.successors = _successors(version)
    model.earlier = _earlier(CALLING, "test.bpmn", result.process_id, version)
    return model


def test_each_hand_over_opens_the_next_officer_steps_only() -> None:
    model = _model()
    assert model.successors[START] == {"Task_Receive"}
    assert model.successors["Task_Receive"] == {"Task_Assign"}  # or ends refused
    # The timer on the examination's border waits: what it opens comes with its own event.
    assert model.successors["Task_Examine"] == {"Task_Sign", "Task_Assign"}
    assert model.successors["Timer_Examine"] == {"Task_Remind"}
    # Into the called process, and out of it through the numbering script.
    assert model.successors["Task_Sign"] == {"Task_Stamp"}
    assert model.successors["Task_Stamp"] == {"Task_Return"}
    assert model.successors["Task_Return"] == frozenset()
    assert not model.known("Script_Number")
    assert model.opens("Task_Assign", "Task_Examine")
    assert not model.opens("Task_Assign", "Task_Sign")


def test_a_send_back_returns_to_a_step_before_on_the_main_path() -> None:
    model = _model()
    assert model.is_earlier("Task_Assign", "Task_Examine")
    assert model.is_earlier("Task_Receive", "Task_Examine")
    assert not model.is_earlier("Task_Sign", "Task_Examine")
    # The reminder is reached only by the timer: it has no place on the main path, and a
    # step of a called process is not judged either.
    assert not model.judges_back("Task_Remind")
    assert not model.judges_back("Task_Stamp")
    assert model.judges_back("Task_Sign")
