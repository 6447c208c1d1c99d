"""Keep a workflow's task tree the size of its frontier, not of its history.

SpiffWorkflow keeps every task it ever ran in the tree, and each send-back loop adds a
new branch, so loading, running and saving a dossier would cost more with every loop.
Our own history table keeps the hand-overs; the tree only needs what the engine reads
to go on: the tasks still running, their immediate parents (data is inherited from the
parent when a task becomes ready, joins look at their parent), and on the path to them the
most recent task of each element: gateways that join inside a loop and structured joins
look up their ancestors by element. So the tree stays bounded by the process's size.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.control import EventSplit
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


def prune(workflow: Any) -> int:
    """Drop finished tasks nothing will read again from the workflow and its subprocesses.

    Returns the number of tasks removed.
    """
    if workflow.is_completed():
        return 0
    removed = 0
    for wf in [workflow, *workflow.subprocesses.values()]:
        if not wf.completed:
            removed += _prune_one(workflow, wf)
    return removed


def _prune_one(top: Any, wf: Any) -> int:
    waiting_specs = {
        t.task_spec.name
        for t in wf.tasks.values()
        if t.has_state(TaskState.WAITING | TaskState.READY | TaskState.STARTED)
    }
    removed = 0
    # Elements present in each task's subtree, kept up to date as leaves go.
    below: dict[Any, set[str]] = {}
    # Post-order: children first, so a branch emptied of its leaves can go in the same pass.
    for task in _post_order(wf.task_tree):
        children = task._children
        below[task.id] = {task.task_spec.name}.union(
            *(below.get(child, set()) for child in children))
        if task is wf.task_tree or task is wf.last_task or task.id in top.subprocesses:
            continue
        parent = task.parent
        if parent is None or not parent.has_state(TaskState.FINISHED_MASK):
            continue
        if isinstance(parent.task_spec, MultiInstanceTask):
            continue
        if not children:
            if _is_dead_leaf(task, waiting_specs):
                _detach(wf, task)
                del below[task.id]
                removed += 1
        elif (len(children) == 1 and _can_splice(task)
              and task.task_spec.name in below[children[0]]):
            # A newer task of the same element stays on the path.
            _splice(wf, task)
            removed += 1
    return removed


def _post_order(root: Task) -> list[Task]:
    order: list[Task] = []
    stack = [(root, False)]
    while stack:
        task, visited = stack.pop()
        if visited:
            order.append(task)
            continue
        stack.append((task, True))
        stack.extend((child, False) for child in task.children if child is not None)
    return order


def _is_dead_leaf(task: Task, waiting_specs: set[str]) -> bool:
    if task.state == TaskState.COMPLETED:
        return not isinstance(task.task_spec, SubWorkflowTask)
    # A cancelled join instance still counts for a join of the same gateway that waits.
    return task.state == TaskState.CANCELLED and task.task_spec.name not in waiting_specs


def _can_splice(task: Task) -> bool:
    if task.state != TaskState.COMPLETED:
        return False
    if isinstance(task.task_spec, SubWorkflowTask | MultiInstanceTask):
        return False
    child = task.children[0]
    # The child's data is final only once it has completed; a ready or waiting child may
    # still inherit from its parent, which must stay the real one.
    if child.state != TaskState.COMPLETED:
        return False
    # Structured joins find their split among their ancestors.
    return not isinstance(task.task_spec, EventSplit) or _subtree_finished(child)


def _subtree_finished(task: Task) -> bool:
    return all(t.has_state(TaskState.FINISHED_MASK) for t in task)


def _detach(wf: Any, task: Task) -> None:
    parent = task.parent
    if parent is not None:
        parent._children.remove(task.id)
    del wf.tasks[task.id]


def _splice(wf: Any, task: Task) -> None:
    parent = task.parent
    assert parent is not None
    child_id = task._children[0]
    child = wf.tasks[child_id]
    position = parent._children.index(task.id)
    parent._children[position] = child_id
    child._parent = parent.id
    del wf.tasks[task.id]
