"""Writing a generated plan as BPMN 2.0 XML in the platform's dialect, with full diagram
interchange. lxml builds the tree, so every name and value taken from a decision is escaped
(``<``, ``&``, ``"`` in a step's text never become markup)."""

from __future__ import annotations

from lxml import etree

from motcua.design.generation.layout import Box, Layout
from motcua.design.generation.plan import Node, Plan, Task

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "spiffworkflow": SPIFF}


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: etree._Element, ns: str, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, _q(ns, tag), {k: v for k, v in attrs.items() if v})


def _properties(el: etree._Element, values: list[tuple[str, str | None]]) -> None:
    kept = [(n, v) for n, v in values if v is not None]
    if not kept:
        return
    ext = _sub(el, BPMN, "extensionElements")
    props = _sub(ext, SPIFF, "properties")
    for name, value in kept:
        etree.SubElement(props, _q(SPIFF, "property"), name=name, value=value)


def _task_properties(task: Task) -> list[tuple[str, str | None]]:
    return [
        ("form", task.form),
        ("allotted", task.allotted),
        ("outcomes", ";".join(o.written for o in task.outcomes) or None),
        ("document", task.document),
        ("reason_field", task.reason_field),
        ("missing_field", task.missing_field),
        ("assignee_field", task.assignee_field),
        ("row", task.row if task.kind != "supplement" else None),
    ]


def write_bpmn(plan: Plan, layout: Layout, *, process_id: str, name: str, participant: str,
               start_form: str | None) -> str:
    root = etree.Element(_q(BPMN, "definitions"), nsmap=NSMAP,
                         id=f"Definitions_{process_id}",
                         targetNamespace="http://bpmn.io/schema/bpmn")
    collaboration = _sub(root, BPMN, "collaboration", id=f"Collaboration_{process_id}")
    _sub(collaboration, BPMN, "participant", id=f"Participant_{process_id}", name=participant,
         processRef=process_id)
    process = _sub(root, BPMN, "process", id=process_id, name=name, isExecutable="true")

    lane_set = _sub(process, BPMN, "laneSet", id="LaneSet_1")
    members: dict[int, list[str]] = {}
    for item in [(n.lane, n.id) for n in plan.nodes] + [(t.lane, t.id) for t in plan.tasks]:
        members.setdefault(item[0], []).append(item[1])
    for index, lane in enumerate(plan.lanes):
        el = _sub(lane_set, BPMN, "lane", id=lane.id, name=lane.name)
        _properties(el, [("role", lane.role), ("unit", lane.unit)])
        for member in members.get(index, []):
            _sub(el, BPMN, "flowNodeRef").text = member

    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in plan.flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)

    def wire(el: etree._Element, element_id: str) -> None:
        for ref in incoming.get(element_id, []):
            _sub(el, BPMN, "incoming").text = ref
        for ref in outgoing.get(element_id, []):
            _sub(el, BPMN, "outgoing").text = ref

    for node in plan.nodes:
        el = _node(process, node, start_form)
        wire(el, node.id)
    for task in plan.tasks:
        el = _sub(process, BPMN, "userTask", id=task.id, name=task.name)
        _properties(el, _task_properties(task))
        wire(el, task.id)
    for flow in plan.flows:
        el = _sub(process, BPMN, "sequenceFlow", id=flow.id, name=flow.name or "",
                  sourceRef=flow.source, targetRef=flow.target)
        if flow.condition:
            condition = _sub(el, BPMN, "conditionExpression")
            condition.set(_q(XSI, "type"), "bpmn:tFormalExpression")
            condition.text = flow.condition

    _diagram(root, plan, layout, process_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                          pretty_print=True).decode("utf-8")


def _node(process: etree._Element, node: Node, start_form: str | None) -> etree._Element:
    if node.kind == "start":
        el = _sub(process, BPMN, "startEvent", id=node.id, name=node.name)
        _properties(el, [("form", start_form)])
        return el
    if node.kind == "gateway":
        return _sub(process, BPMN, "exclusiveGateway", id=node.id, name=node.name)
    return _sub(process, BPMN, "endEvent", id=node.id, name=node.name)


def _bounds(parent: etree._Element, box: Box) -> None:
    _sub(parent, DC, "Bounds", x=str(box.x), y=str(box.y), width=str(box.w), height=str(box.h))


def _diagram(root: etree._Element, plan: Plan, layout: Layout, process_id: str) -> None:
    diagram = _sub(root, BPMNDI, "BPMNDiagram", id=f"Diagram_{process_id}")
    plane = _sub(diagram, BPMNDI, "BPMNPlane", id=f"Plane_{process_id}",
                 bpmnElement=f"Collaboration_{process_id}")
    pool = _sub(plane, BPMNDI, "BPMNShape", id=f"Participant_{process_id}_di",
                bpmnElement=f"Participant_{process_id}", isHorizontal="true")
    _bounds(pool, layout.pool)
    for lane, box in zip(plan.lanes, layout.lanes, strict=True):
        shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{lane.id}_di", bpmnElement=lane.id,
                     isHorizontal="true")
        _bounds(shape, box)
    gateways = {n.id for n in plan.nodes if n.kind == "gateway"}
    for element_id, box in layout.shapes.items():
        shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{element_id}_di", bpmnElement=element_id,
                     isMarkerVisible="true" if element_id in gateways else "")
        _bounds(shape, box)
    for flow in plan.flows:
        edge = _sub(plane, BPMNDI, "BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
        for x, y in layout.edges[flow.id]:
            _sub(edge, DI, "waypoint", x=str(x), y=str(y))
