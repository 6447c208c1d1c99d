"""What the replay needs to know of the process version a dossier ran: its officer steps,
which officer steps each hand-over may open, and which steps come before each one.

The hand-overs are read from the version's SpiffWorkflow spec (the very graph the engine
ran, sub-processes and call activities included): from a step, the steps reached through
gateways, events and automatic tasks only are its direct successors. A waiting event (a timer
on a step's border, an intermediate catch event) stops the walk: what it opens is handed over
by its own timer event in the history, not by the step before it.

Which steps come before a step is read from the version's main path (``processes.checks``'
own reading of it, sending back and supplement detours left out), so that a send-back can
be judged: it must return to a step the dossier passed on its way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    IntermediateCatchEvent,
)
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from sqlalchemy import select

from motcua.db import db
from motcua.processes.checks import StepConfig
from motcua.processes.checks.document import Document
from motcua.processes.checks.mainpath import main_path
from motcua.processes.checks.xml_safety import XmlRejected, parse_xml
from motcua.processes.models import ProcessVersion
from motcua.processes.operations import CompiledVersion, compiled

# The hand-over a dossier's reception makes: from the process's start.
START = "@start"
_WAITING = (BoundaryEvent, IntermediateCatchEvent)


@dataclass
class VersionModel:
    """One published version as the replay reads it."""

    id: int
    number: int
    steps: dict[str, StepConfig]
    # element id (an officer step, a timer, START) -> officer steps a hand-over from it opens
    successors: dict[str, frozenset[str]] = field(default_factory=dict)
    # officer step -> the officer steps before it on the main path (absent: not on it)
    earlier: dict[str, frozenset[str]] = field(default_factory=dict)
    declares_supplement: bool = False

    def known(self, element_id: str) -> bool:
        return element_id in self.successors

    def opens(self, source: str, target: str) -> bool:
        return target in self.successors.get(source, frozenset())

    def judges_back(self, step: str) -> bool:
        """Whether the main path says which steps come before ``step`` (it does not for a
        step only a detour reaches, nor for one in a called process)."""
        return step in self.earlier

    def is_earlier(self, target: str, step: str) -> bool:
        return target in self.earlier.get(step, frozenset())

    def name(self, element_id: str | None) -> str:
        config = self.steps.get(element_id or "")
        return config.name if config else (element_id or "")

    def row(self, element_id: str | None) -> str | None:
        config = self.steps.get(element_id or "")
        return config.row if config else None


class Models:
    """The models of the versions one replay run meets, each built once per run (the
    compiled spec itself comes from the application's version cache)."""

    def __init__(self) -> None:
        self._models: dict[int, VersionModel] = {}

    def get(self, version_id: int) -> VersionModel:
        model = self._models.get(version_id)
        if model is None:
            model = self._models[version_id] = build_model(version_id)
        return model


def build_model(version_id: int) -> VersionModel:
    version = compiled(version_id)
    row = db.session.execute(
        select(ProcessVersion.version, ProcessVersion.process_id, ProcessVersion.bpmn_xml,
               ProcessVersion.filename).where(ProcessVersion.id == version_id)).one()
    model = VersionModel(id=version_id, number=row.version, steps=dict(version.steps),
                         declares_supplement=version.declares_supplement)
    model.successors = _successors(version)
    model.earlier = _earlier(row.bpmn_xml, row.filename, row.process_id, version)
    return model


# ---------------------------------------------------------------------- hand-overs

class _Graph:
    def __init__(self, version: CompiledVersion) -> None:
        self.officer = set(version.steps)
        self.main = version.bundle.spec
        self.specs: dict[str, Any] = {self.main.name: self.main,
                                      **version.bundle.subprocess_specs}
        # sub-process spec name -> the activities that run it (a call returns to them)
        self.callers: dict[str, list[Any]] = {}
        for spec in self.specs.values():
            for task_spec in spec.task_specs.values():
                if isinstance(task_spec, SubWorkflowTask):
                    self.callers.setdefault(task_spec.spec, []).append(task_spec)

    def nodes(self) -> Iterable[tuple[str, Any]]:
        for name, spec in self.specs.items():
            for task_spec in spec.task_specs.values():
                yield name, task_spec

    def reach(self, spec_name: str, starts: Iterable[Any],
              entering: frozenset[str] = frozenset(),
              returned: frozenset[str] = frozenset()) -> set[str]:
        """The officer steps reached from ``starts`` (task specs of ``spec_name``) through
        anything that is not an officer step nor a waiting event; leaving the spec's end
        continues after each activity that runs it, unless it was entered from one
        (``entering``: the specs entered on the way; ``returned``: those left by their end,
        so that a process calling itself is walked once)."""
        found: set[str] = set()
        seen: set[int] = set()
        stack = list(starts)
        ended = False
        while stack:
            task_spec = stack.pop()
            if id(task_spec) in seen:
                continue
            seen.add(id(task_spec))
            if task_spec.bpmn_id in self.officer:
                found.add(task_spec.bpmn_id)
                continue
            if isinstance(task_spec, _WAITING):
                continue
            if isinstance(task_spec, SubWorkflowTask) and task_spec.spec in self.specs \
                    and task_spec.spec not in entering:
                inner = self.specs[task_spec.spec]
                inside, through = self._enter(task_spec.spec, inner, entering)
                found |= inside
                if through:
                    stack.extend(task_spec.outputs)
                continue
            if not task_spec.outputs and task_spec.name == "End":
                ended = True
            stack.extend(task_spec.outputs)
        if ended and not entering and spec_name not in returned:
            for caller in self.callers.get(spec_name, []):
                found |= self.reach(self._owner(caller), caller.outputs,
                                    returned=returned | {spec_name})
        elif ended:
            found.add(_THROUGH)
        return found

    def _enter(self, name: str, spec: Any, entering: frozenset[str]) -> tuple[set[str], bool]:
        inside = self.reach(name, [spec.start], entering | {name})
        through = _THROUGH in inside
        inside.discard(_THROUGH)
        return inside, through

    def _owner(self, task_spec: Any) -> str:
        return str(task_spec._wf_spec.name)


# Marks, inside a sub-process entered from its caller, that its end was reached.
_THROUGH = "\x00through"


def _successors(version: CompiledVersion) -> dict[str, frozenset[str]]:
    graph = _Graph(version)
    found: dict[str, set[str]] = {START: graph.reach(graph.main.name, [graph.main.start])}
    for spec_name, task_spec in graph.nodes():
        ident = task_spec.bpmn_id
        if ident is None or not (ident in graph.officer or isinstance(task_spec, _WAITING)):
            continue
        # An id may be drawn in several called processes: any of them may hand over.
        found.setdefault(ident, set()).update(graph.reach(spec_name, task_spec.outputs))
    return {k: frozenset(v) for k, v in found.items()}


# ---------------------------------------------------------------------- earlier steps

def _earlier(xml: str, filename: str, process_id: str | None,
             version: CompiledVersion) -> dict[str, frozenset[str]]:
    try:
        doc = Document(parse_xml(xml.encode("utf-8"), filename), filename)
    except XmlRejected:
        # A published version was checked on upload; one unreadable now judges no send-back.
        return {}
    process = doc.process(process_id or "")
    if process is None:
        return {}
    path = main_path(process, version.steps)
    return {node: frozenset(before) for node, before in path.before().items()
            if node in version.steps}
