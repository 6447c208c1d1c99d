"""The SpiffWorkflow adapter: lean state round trips and pruning keeps gateways working."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from motcua.engine import runtime as runtime_module
from motcua.engine.runtime import Runtime, SpecBundle, adopt_timers, dump_spec, load_spec
from motcua.engine.runtime import ready_user_tasks as ready

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')

# Two parallel branches (A, B) joined, then a review that may loop back to the split.
PARALLEL_LOOP = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="D" targetNamespace="t">
<bpmn:process id="P" isExecutable="true">
  <bpmn:startEvent id="S"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:parallelGateway id="Split"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>back</bpmn:incoming>
    <bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing></bpmn:parallelGateway>
  <bpmn:userTask id="A"><bpmn:incoming>fa</bpmn:incoming><bpmn:outgoing>fa2</bpmn:outgoing></bpmn:userTask>
  <bpmn:userTask id="B"><bpmn:incoming>fb</bpmn:incoming><bpmn:outgoing>fb2</bpmn:outgoing></bpmn:userTask>
  <bpmn:parallelGateway id="Join"><bpmn:incoming>fa2</bpmn:incoming><bpmn:incoming>fb2</bpmn:incoming>
    <bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
  <bpmn:userTask id="Review"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
  <bpmn:exclusiveGateway id="G" default="done"><bpmn:incoming>f3</bpmn:incoming>
    <bpmn:outgoing>back</bpmn:outgoing><bpmn:outgoing>done</bpmn:outgoing></bpmn:exclusiveGateway>
  <bpmn:endEvent id="E"><bpmn:incoming>done</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Split"/>
  <bpmn:sequenceFlow id="fa" sourceRef="Split" targetRef="A"/>
  <bpmn:sequenceFlow id="fb" sourceRef="Split" targetRef="B"/>
  <bpmn:sequenceFlow id="fa2" sourceRef="A" targetRef="Join"/>
  <bpmn:sequenceFlow id="fb2" sourceRef="B" targetRef="Join"/>
  <bpmn:sequenceFlow id="f2" sourceRef="Join" targetRef="Review"/>
  <bpmn:sequenceFlow id="f3" sourceRef="Review" targetRef="G"/>
  <bpmn:sequenceFlow id="back" sourceRef="G" targetRef="Split">
    <bpmn:conditionExpression>outcome == "back"</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="done" sourceRef="G" targetRef="E"/>
</bpmn:process></bpmn:definitions>"""


def _runtime(xml: str) -> Runtime:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml.encode()), filename="t.bpmn")
    bundle = adopt_timers(SpecBundle(parser.get_spec("P"), parser.get_subprocess_specs("P")))
    # The spec goes through its stored form, as in production.
    bundle = adopt_timers(load_spec(dump_spec(bundle)))
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    return Runtime(bundle, clock=lambda: now, step_due=lambda task: None,
                   dossier_due=lambda: None)


def _complete(runtime: Runtime, state: dict, name: str, **data: object) -> dict:
    workflow = runtime.load(state)
    task = next(t for t in ready(workflow) if t.task_spec.bpmn_id == name)
    runtime.complete(workflow, task.id, data)
    return runtime.dump(workflow)


def _ready_names(runtime: Runtime, state: dict) -> list[str]:
    return sorted(t.task_spec.bpmn_id for t in ready(runtime.load(state)))


def _run_loops(runtime: Runtime, loops: int) -> tuple[list[object], list[int]]:
    """Drive the parallel loop; return what officers would see at each step."""
    state = runtime.dump(runtime.start({"x": 1}))
    seen: list[object] = []
    sizes = []
    for loop in range(loops):
        seen.append(_ready_names(runtime, state))
        state = _complete(runtime, state, "B", b=loop)
        seen.append(_ready_names(runtime, state))  # the join still waits for A
        state = _complete(runtime, state, "A", a=loop)
        workflow = runtime.load(state)
        seen.append([(t.task_spec.bpmn_id, sorted(t.data.items())) for t in ready(workflow)])
        state = _complete(runtime, state, "Review", outcome="back")
        sizes.append(len(state["workflow"]["tasks"]))
    state = _complete(runtime, state, "A", a=99)
    state = _complete(runtime, state, "B", b=99)
    state = _complete(runtime, state, "Review", outcome="done")
    seen.append(runtime.load(state).is_completed())
    return seen, sizes


def test_pruning_changes_nothing_the_engine_does(monkeypatch: pytest.MonkeyPatch) -> None:
    pruned, sizes = _run_loops(_runtime(PARALLEL_LOOP), 12)
    monkeypatch.setattr(runtime_module, "prune", lambda workflow: 0)
    reference, unpruned_sizes = _run_loops(_runtime(PARALLEL_LOOP), 12)
    assert pruned == reference
    assert pruned[:3] == [["A", "B"], ["A"], [("Review", [("a", 0), ("b", 0), ("x", 1)])]]
    assert pruned[-1] is True
    assert max(sizes) == min(sizes), sizes  # no growth with history
    assert unpruned_sizes[-1] > 4 * sizes[-1]  # unlike SpiffWorkflow's own tree


def test_lean_state_has_no_spec() -> None:
    runtime = _runtime(PARALLEL_LOOP)
    state = runtime.dump(runtime.start({}))
    assert "spec" not in state["workflow"] and "subprocess_specs" not in state["workflow"]
    assert runtime.load(state).spec is runtime.bundle.spec
