"""A process as the platform reads it, through the checks' own readers: the dialect checker
for steps (role and unit resolved from lanes, outcomes with meanings), the property reader
for lanes, the flow checker for timers. Nothing here reads the dialect a second way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from motcua.design.diffs.snapshot import Flow, Lane, Node, Snapshot
from motcua.processes.checks.dialect import DialectChecker
from motcua.processes.checks.document import (
    HUMAN_TASK_TAGS,
    Document,
    bpmn_tag,
    element_text,
    local_name,
)
from motcua.processes.checks.flows import FlowChecker
from motcua.processes.checks.graph import FLOW_NODE_TAGS
from motcua.processes.checks.properties import read_properties
from motcua.processes.checks.structure import Selection, select_process
from motcua.processes.checks.xml_safety import XmlRejected, parse_xml

# The steps the dialect checker reads (and the diff compares as steps), nothing else.
_STEP_TAGS = frozenset(HUMAN_TASK_TAGS)


def parse(bpmn: str, filename: str) -> tuple[Document, Selection] | None:
    """The document and the process that runs, as the checks choose it; None when no
    process can be read (a draft may say anything)."""
    try:
        doc = Document(parse_xml(bpmn.encode("utf-8"), filename), filename)
    except XmlRejected:
        return None
    selection = select_process(doc)
    return (doc, selection) if selection.process is not None else None


def read(bpmn: str, filename: str, forms: Mapping[str, Mapping[str, Any]]) -> Snapshot:
    """The process ``bpmn`` says, with the forms it uses. A file no process can be read from
    is an empty snapshot: everything of the other side differs."""
    parsed = parse(bpmn, filename)
    if parsed is None:
        return Snapshot(None, None, False, None, None)
    doc, selection = parsed
    chosen = selection.process
    assert chosen is not None
    dialect = DialectChecker(forms, None)
    snap = Snapshot(process_id=chosen.get("id"),
                    process_name=" ".join((chosen.get("name") or "").split()) or None,
                    executable=chosen.get("isExecutable", "true") != "false",
                    start_form=dialect.start_form(doc, chosen),
                    start_event=_start_event(chosen))
    snap.labels[snap.process_id or ""] = "quy trình"
    for process in selection.checked or [chosen]:
        steps = dialect.steps(doc, process)
        snap.steps.update(steps)
        flows = FlowChecker(doc, steps)
        flows.check(process)
        _lanes(doc, process, snap)
        _nodes(process, snap, flows.timers)
        _flows(process, snap)
    used = {s.form for s in snap.steps.values()} | {snap.start_form}
    snap.forms = {k: dict(v) for k, v in forms.items() if k in used}
    return snap


def _start_event(process: etree._Element) -> str | None:
    return next((e.get("id") for e in process if local_name(e) == "startEvent"), None)


def _lanes(doc: Document, process: etree._Element, snap: Snapshot) -> None:
    for lane in process.iter(bpmn_tag("lane")):
        ident = lane.get("id") or ""
        props, _ = read_properties(doc, lane)
        snap.lanes[ident] = Lane(ident, _name(lane), props.get("role", ""), props.get("unit", ""))
        snap.elements[ident] = lane


def _nodes(process: etree._Element, snap: Snapshot,
           timers: Mapping[str, Mapping[str, Any]]) -> None:
    for el in process.iter(*(bpmn_tag(t) for t in FLOW_NODE_TAGS)):
        ident, tag = el.get("id") or "", local_name(el) or ""
        snap.elements[ident] = el
        if tag in _STEP_TAGS:
            continue
        timer = timers.get(ident)
        snap.nodes[ident] = Node(
            ident, _name(el), tag,
            timer=timer["expression"] if timer else None,
            attached_to=el.get("attachedToRef") if tag == "boundaryEvent" else None,
            interrupting=timer["interrupting"] if timer else None)


def _flows(process: etree._Element, snap: Snapshot) -> None:
    defaults = {el.get("default") for el in process.iter() if el.get("default")}
    for flow in process.iter(bpmn_tag("sequenceFlow")):
        ident = flow.get("id") or ""
        condition = element_text(flow.find(bpmn_tag("conditionExpression")))
        snap.flows[ident] = Flow(ident, _name(flow), flow.get("sourceRef") or "",
                                 flow.get("targetRef") or "", " ".join(condition.split()),
                                 ident in defaults)
        snap.elements[ident] = flow


def _name(el: etree._Element) -> str:
    return " ".join((el.get("name") or "").split())
