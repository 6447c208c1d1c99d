"""The path a simulated dossier took, as the diagram draws it: the BPMN elements the engine
ran through and the sequence flows between them, read from SpiffWorkflow's task tree (each
run of an element is a node under the one that led to it, loops included)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from motcua.processes.checks.document import BPMN_NS

# Tasks that ran, and those still waiting where the run stopped.
_REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class Trail:
    elements: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)


def flow_index(tree: etree._Element) -> dict[tuple[str, str], list[str]]:
    """Each (source, target) pair of the file's sequence flows, with the flows' ids."""
    index: dict[tuple[str, str], list[str]] = {}
    for flow in tree.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        key = (flow.get("sourceRef") or "", flow.get("targetRef") or "")
        index.setdefault(key, []).append(flow.get("id") or "")
    return index


def trail_of(workflow: BpmnWorkflow, flows: dict[tuple[str, str], list[str]]) -> Trail:
    trail = Trail()
    seen_elements: set[str] = set()
    seen_flows: set[str] = set()
    for task in workflow.get_tasks():
        element = task.task_spec.bpmn_id
        if not element or not _reached(task):
            continue
        if element not in seen_elements:
            seen_elements.add(element)
            trail.elements.append(element)
        source = _bpmn_parent(task)
        for flow in flows.get((source, element), []) if source else []:
            if flow not in seen_flows:
                seen_flows.add(flow)
                trail.flows.append(flow)
    return trail


def _reached(task: Task) -> bool:
    """Ran, or waits where the run stopped; or is a branch's arrival at a parallel join that
    the last branch to arrive went on from (the engine cancels the others' copies)."""
    if task.state & _REACHED:
        return True
    return (task.state == TaskState.CANCELLED and isinstance(task.task_spec, UnstructuredJoin)
            and task.parent is not None and task.parent.state == TaskState.COMPLETED)


def _bpmn_parent(task: Task) -> str | None:
    """The BPMN element that led to ``task``: its nearest ancestor that is one (the engine
    puts its own join and split nodes in between, e.g. around boundary events)."""
    cursor = task.parent
    while cursor is not None:
        if cursor.task_spec.bpmn_id and cursor.state == TaskState.COMPLETED:
            return str(cursor.task_spec.bpmn_id)
        cursor = cursor.parent
    return None
