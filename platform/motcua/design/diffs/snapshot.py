"""One side of a comparison: what a process says, element by element, and one change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from motcua.processes.checks.dialect import StepConfig
from motcua.processes.checks.document import label


@dataclass(frozen=True)
class Change:
    """One difference, as the API answers it (contract: ``{"element_id", "kind", "field"?,
    "old"?, "new"?}``) with the Vietnamese sentence a designer reads."""

    element_id: str | None
    kind: str  # added | removed | changed
    element_kind: str  # process | step | lane | flow | node | form | row
    name: str
    message: str
    field: str | None = None
    old: Any = None
    new: Any = None
    # When the element's id changed: its id on the older side (element_id is the newer one).
    old_element_id: str | None = None
    # The form a change of a form is about, and the elements of the newer (or, removed, the
    # older) diagram that use it, to mark them.
    form: str | None = None
    elements: tuple[str, ...] = ()
    # The check a change against the decision comes from, and the decision's row it is
    # about (for a step, the row the check compared it with).
    rule: str | None = None
    step_no: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"element_id": self.element_id, "kind": self.kind,
                                "element_kind": self.element_kind, "name": self.name,
                                "message": self.message}
        if self.field is not None:
            data["field"] = self.field
        if self.field is not None or self.old is not None or self.new is not None:
            data["old"] = self.old
            data["new"] = self.new
        for key in ("old_element_id", "form", "rule", "step_no"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.elements:
            data["elements"] = list(self.elements)
        return data


@dataclass(frozen=True)
class Lane:
    element_id: str
    name: str
    role: str
    unit: str


@dataclass(frozen=True)
class Flow:
    element_id: str
    name: str
    source: str
    target: str
    condition: str
    # The gateway's default flow is taken when no condition holds.
    default: bool


@dataclass(frozen=True)
class Node:
    """Any flow node that is not an officer step: events, gateways, automatic tasks."""

    element_id: str
    name: str
    tag: str
    # A timer's moment (``due_step``, ``due_dossier``), where it is attached and whether it
    # cancels the step, as the flow check read them.
    timer: str | None = None
    attached_to: str | None = None
    interrupting: bool | None = None


@dataclass
class Snapshot:
    process_id: str | None
    process_name: str | None
    executable: bool
    start_form: str | None
    start_event: str | None
    steps: dict[str, StepConfig] = field(default_factory=dict)
    lanes: dict[str, Lane] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    # key -> {"schema", "ui"?}: only the forms the process uses (a version keeps no other).
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    # id -> the element, named on demand as the checks name it to a designer (bước "Thẩm
    # định hồ sơ"): naming an unnamed flow looks through its scope, so only the elements a
    # change is about are named.
    elements: dict[str, etree._Element] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def has(self, ident: str | None) -> bool:
        return bool(ident) and (ident in self.elements or ident in self.labels)

    def label(self, ident: str | None) -> str:
        if not ident:
            return "(không có)"
        if ident not in self.labels:
            el = self.elements.get(ident)
            self.labels[ident] = label(el) if el is not None else f'phần tử "{ident}"'
        return self.labels[ident]

    def form_users(self, key: str) -> tuple[str, ...]:
        users = [self.start_event] if key == self.start_form and self.start_event else []
        users.extend(s.element_id for s in self.steps.values() if s.form == key)
        return tuple(users)
