"""The SpiffWorkflow adapter: specs stored once per version, dossier state stored lean.

Every workflow loaded here gets the safe script engine attached; SpiffWorkflow's
default engine would run arbitrary Python from the BPMN file.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from motcua.engine.expressions import SafeScriptEngine
from motcua.engine.pruning import prune


class WorkingTimeTimer(TimeDateEventDefinition):
    """A timeDate timer judged against the platform clock (injectable), not the wall clock."""

    def has_fired(self, my_task: Task) -> bool:
        if my_task._get_internal_data("event_fired", False):
            return True
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if isinstance(event_value, datetime):
                event_value = event_value.isoformat()
            my_task._set_internal_data(event_value=event_value)
        now = my_task.workflow.script_engine.now()
        if TimerEventDefinition.get_datetime(event_value) <= now:
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class LeanWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out of the saved state and takes it from the cache on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super().to_dict(workflow)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        return dct

    def from_dict(self, dct: dict[str, Any], bundle: SpecBundle | None = None) -> BpmnWorkflow:
        if bundle is None:
            raise ValueError("a spec bundle is needed to restore a workflow")
        dct = dict(dct)
        dct["spec"] = None
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


def _make_serializers() -> tuple[BpmnWorkflowSerializer, BpmnWorkflowSerializer]:
    spec_config = dict(SPIFF_CONFIG)
    spec_config[WorkingTimeTimer] = TimerConditionalEventDefinitionConverter
    spec_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(spec_config))
    state_config = dict(spec_config)
    state_config[BpmnWorkflow] = LeanWorkflowConverter
    state_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(state_config))
    return spec_serializer, state_serializer


SPEC_SERIALIZER, STATE_SERIALIZER = _make_serializers()
STATE_VERSION = "motcua-1"


@dataclass(frozen=True)
class SpecBundle:
    spec: Any
    subprocess_specs: dict[str, Any] = field(default_factory=dict)


def adopt_timers(bundle: SpecBundle) -> SpecBundle:
    """Make the parsed timeDate timers answer to the platform clock."""
    for spec in [bundle.spec, *bundle.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if type(definition) is TimeDateEventDefinition:
                definition.__class__ = WorkingTimeTimer
    return bundle


def dump_spec(bundle: SpecBundle) -> dict[str, Any]:
    return {
        "spec": SPEC_SERIALIZER.to_dict(bundle.spec),
        "subprocess_specs": {
            name: SPEC_SERIALIZER.to_dict(sp) for name, sp in bundle.subprocess_specs.items()
        },
    }


def load_spec(dct: Mapping[str, Any]) -> SpecBundle:
    return SpecBundle(
        spec=SPEC_SERIALIZER.from_dict(dct["spec"]),
        subprocess_specs={
            name: SPEC_SERIALIZER.from_dict(sp)
            for name, sp in dct.get("subprocess_specs", {}).items()
        },
    )


class VersionCache:
    """What each process keeps per published process version (its restored spec and
    settings): a published version never changes, so it is read from the database once."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[int, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version_id: int, loader: Callable[[], Any]) -> Any:
        with self._lock:
            item = self._items.get(version_id)
            if item is not None:
                self._items.move_to_end(version_id)
                return item
        item = loader()
        with self._lock:
            self._items[version_id] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return item


class Runtime:
    """Runs one dossier's workflow with the safe engine, an injected clock and the
    platform's deadline variables (``due_step``, ``due_dossier``)."""

    def __init__(
        self,
        bundle: SpecBundle,
        *,
        clock: Callable[[], datetime],
        step_due: Callable[[Task], datetime | None],
        dossier_due: Callable[[], datetime | None],
    ) -> None:
        self.bundle = bundle
        self.clock = clock
        self.step_due = step_due
        self._dossier_due = dossier_due
        self.script_engine = PlatformScriptEngine(self)

    def start(self, data: Mapping[str, Any]) -> BpmnWorkflow:
        workflow = BpmnWorkflow(
            self.bundle.spec, self.bundle.subprocess_specs, script_engine=self.script_engine
        )
        start = workflow.task_tree
        start.data.update(data)
        workflow.do_engine_steps()
        return workflow

    def load(self, state: Mapping[str, Any]) -> BpmnWorkflow:
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unknown workflow state version {state.get('version')!r}")
        workflow = STATE_SERIALIZER.from_dict(state["workflow"], bundle=self.bundle)
        workflow.script_engine = self.script_engine
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        prune(workflow)
        return {"version": STATE_VERSION, "workflow": STATE_SERIALIZER.to_dict(workflow)}

    def complete(self, workflow: BpmnWorkflow, task_id: UUID, data: Mapping[str, Any]) -> None:
        task = workflow.get_task_from_id(task_id)
        if task is None or task.state != TaskState.READY:
            raise LookupError(f"task {task_id} is not ready")
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()

    def fire_due_timers(self, workflow: BpmnWorkflow) -> list[tuple[str, str]]:
        """Fire the timers whose deadline has passed by the runtime's clock; the BPMN id and
        name of each that fired."""
        before = {t.id: t for t in waiting_timers(workflow)}
        workflow.refresh_timers()
        workflow.do_engine_steps()
        after = {t.id for t in waiting_timers(workflow)}
        fired = [task for task_id, task in before.items() if task_id not in after]
        return [(t.task_spec.bpmn_id or "", t.task_spec.bpmn_name or t.task_spec.bpmn_id or "")
                for t in fired]

    def timer_context(self, task: Task) -> dict[str, Any]:
        context: dict[str, Any] = {}
        dossier_due = self._dossier_due()
        if dossier_due is not None:
            context["due_dossier"] = dossier_due.isoformat()
        attached = attached_task(task)
        if attached is not None:
            due = self.step_due(attached)
            if due is not None:
                context["due_step"] = due.isoformat()
        return context


class PlatformScriptEngine(SafeScriptEngine):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__(clock=runtime.clock, context_provider=runtime.timer_context)
        self._runtime = runtime

    def now(self) -> datetime:
        return self._runtime.clock().astimezone(UTC)


def attached_task(task: Task) -> Task | None:
    """The activity a boundary event is attached to (its sibling under the split)."""
    if not isinstance(task.task_spec, BoundaryEvent) or task.parent is None:
        return None
    return next(
        (c for c in task.parent.children if not isinstance(c.task_spec, BoundaryEvent)), None
    )


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def waiting_timers(workflow: BpmnWorkflow) -> list[Task]:
    return [
        t
        for t in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(t.task_spec, "event_definition", None), WorkingTimeTimer)
    ]


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    values = [
        TimerEventDefinition.get_datetime(t.internal_data["event_value"])
        for t in waiting_timers(workflow)
        if t.internal_data.get("event_value")
    ]
    return min(values) if values else None
