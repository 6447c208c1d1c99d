"""The floor: raw SpiffWorkflow in-process, as a plain integration would use it.

Per completion: deserialize the saved JSON (spec included), set the data on the ready user
task and run it, run the engine steps, serialize again. The standard serializer is
configured with SpiffWorkflow's own SPIFF_CONFIG, because the spiff parser's task specs
(UserTask with extensions) are not known to the bare BPMN default configuration.
"""

from __future__ import annotations

import time
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from steps import APPLICATION, ASSIGN, LOOP, RECEIVE, WALK, Step
from util import BPMN, summary

PROCESS_ID = "Process_LyLichTuPhap"


class Floor:
    def __init__(self) -> None:
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec(PROCESS_ID)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS_ID)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def start(self) -> str:
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs)
        workflow.task_tree.data.update(APPLICATION)
        workflow.do_engine_steps()
        return str(self.serializer.serialize_json(workflow))

    def complete(self, saved: str, element_id: str, outcome: str | None,
                 data: dict[str, Any]) -> str:
        workflow = self.serializer.deserialize_json(saved)
        task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                    if t.task_spec.bpmn_id == element_id)
        task.data.update({**data, "outcome": outcome})
        task.run()
        workflow.do_engine_steps()
        return str(self.serializer.serialize_json(workflow))

    def timed(self, saved: str, step: Step) -> tuple[str, float]:
        # The note is the platform's (the reason a "back" carries); the engine never sees it.
        start = time.perf_counter()
        saved = self.complete(saved, step.element_id, step.outcome, step.data)
        return saved, (time.perf_counter() - start) * 1000


def completion(n: int) -> dict[str, Any]:
    """n dossiers walked through the 9 completions; every completion timed."""
    floor = Floor()
    samples: list[float] = []
    per_step: list[list[float]] = [[] for _ in WALK]
    sizes: list[int] = []
    cpu = 0.0
    for _ in range(n):
        saved = floor.start()
        for i, step in enumerate(WALK):
            before = time.process_time()
            saved, ms = floor.timed(saved, step)
            cpu += time.process_time() - before
            samples.append(ms)
            per_step[i].append(ms)
        workflow = floor.serializer.deserialize_json(saved)
        if not workflow.is_completed():
            raise RuntimeError("the floor walk did not reach the end event")
        sizes.append(len(saved))
    return {"all": summary(samples), "per_step": [summary(s) for s in per_step],
            "final_state_bytes": max(sizes),
            "cpu_ms_per_completion": round(cpu * 1000 / len(samples), 2)}


def growth(loops: list[int], window: int) -> dict[str, Any]:
    """One workflow sent back through examine → review ``max(loops)`` times; the latency of
    the last ``window`` loops before each mark, and the serialized size at each mark."""
    floor = Floor()
    saved = floor.start()
    for step in (RECEIVE, ASSIGN):
        saved, _ms = floor.timed(saved, step)
    per_loop: list[float] = []
    cpu: list[float] = []
    marks: dict[str, Any] = {}
    for loop in range(1, max(loops) + 1):
        for step in LOOP:
            before = time.process_time()
            saved, ms = floor.timed(saved, step)
            cpu.append(time.process_time() - before)
            per_loop.append(ms)
        if loop in loops:
            n = window * len(LOOP)
            marks[str(loop)] = {"completion": summary(per_loop[-n:]),
                                "cpu_ms_per_completion": {"server": round(sum(cpu[-n:]) * 1000 / n, 2)},
                                "state_bytes": len(saved)}
    return marks
