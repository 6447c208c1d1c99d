"""A small process for the sample's second procedure (1.001193, birth registration at the
commune), written from its step table so the scale fill can spread dossiers over both of the
sample's procedures and agencies with real process versions behind them."""

from __future__ import annotations

import itertools
from pathlib import Path

PROCEDURE = "1.001193"
PROCESS_ID = "Process_KhaiSinh_Bench"

# (element id, name, lane, allotted, outcomes, document)
STEPS = [
    ("Task_Receive", "Tiếp nhận, kiểm tra hồ sơ", "Lane_Desk", "2h", "accept:accept=Tiếp nhận",
     "receipt"),
    ("Task_Examine", "Thẩm định, ghi sổ hộ tịch, trình ký", "Lane_Specialist", "4h", "", ""),
    ("Task_Sign", "Ký Giấy khai sinh", "Lane_Leader", "2h", "", "result"),
    ("Task_Return", "Trả kết quả", "Lane_Desk", "0", "", ""),
]
LANES = [
    ("Lane_Desk", "Bộ phận Một cửa xã", "receiver", "@desk"),
    ("Lane_Specialist", "Công chức tư pháp - hộ tịch", "specialist", "@handling"),
    ("Lane_Leader", "Chủ tịch UBND xã", "leader", "@agency"),
]
NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
      'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')


def _props(pairs: list[tuple[str, str]]) -> str:
    inner = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in pairs if v)
    return f"<bpmn:extensionElements><spiffworkflow:properties>{inner}</spiffworkflow:properties></bpmn:extensionElements>"


def bpmn() -> str:
    lane_of = {s[0]: s[2] for s in STEPS}
    nodes = ["Start_Submit", *[s[0] for s in STEPS], "End_Done"]
    lane_of["Start_Submit"] = lane_of["End_Done"] = "Lane_Desk"
    flows = [(f"Flow_{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(nodes))]
    incoming = {b: f for f, _, b in flows}
    outgoing = {a: f for f, a, _ in flows}
    lanes = "".join(
        f'<bpmn:lane id="{lid}" name="{name}">{_props([("role", role), ("unit", unit)])}'
        + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes if lane_of[n] == lid)
        + "</bpmn:lane>"
        for lid, name, role, unit in LANES)
    body = [f'<bpmn:startEvent id="Start_Submit" name="Nộp hồ sơ"><bpmn:outgoing>{outgoing["Start_Submit"]}'
            "</bpmn:outgoing></bpmn:startEvent>"]
    for eid, name, _lane, allotted, outcomes, document in STEPS:
        body.append(
            f'<bpmn:userTask id="{eid}" name="{name}">'
            + _props([("allotted", allotted), ("outcomes", outcomes), ("document", document)])
            + f"<bpmn:incoming>{incoming[eid]}</bpmn:incoming>"
            f"<bpmn:outgoing>{outgoing[eid]}</bpmn:outgoing></bpmn:userTask>")
    body.append(f'<bpmn:endEvent id="End_Done" name="Hoàn thành"><bpmn:incoming>{incoming["End_Done"]}'
                "</bpmn:incoming></bpmn:endEvent>")
    body += [f'<bpmn:sequenceFlow id="{f}" sourceRef="{a}" targetRef="{b}"/>' for f, a, b in flows]
    # Diagram interchange: one row per lane, nodes left to right.
    lane_y = {lid: 60 + 140 * i for i, (lid, *_rest) in enumerate(LANES)}
    width = 200 + 170 * len(nodes)
    shapes = [f'<bpmndi:BPMNShape id="Participant_di" bpmnElement="Participant" isHorizontal="true">'
              f'<dc:Bounds x="100" y="60" width="{width}" height="{140 * len(LANES)}"/></bpmndi:BPMNShape>']
    shapes += [f'<bpmndi:BPMNShape id="{lid}_di" bpmnElement="{lid}" isHorizontal="true">'
               f'<dc:Bounds x="130" y="{y}" width="{width - 30}" height="140"/></bpmndi:BPMNShape>'
               for lid, y in lane_y.items()]
    centre: dict[str, tuple[int, int]] = {}
    for i, n in enumerate(nodes):
        x, y = 200 + 170 * i, lane_y[lane_of[n]]
        if n in ("Start_Submit", "End_Done"):
            shapes.append(f'<bpmndi:BPMNShape id="{n}_di" bpmnElement="{n}">'
                          f'<dc:Bounds x="{x + 42}" y="{y + 52}" width="36" height="36"/></bpmndi:BPMNShape>')
        else:
            shapes.append(f'<bpmndi:BPMNShape id="{n}_di" bpmnElement="{n}">'
                          f'<dc:Bounds x="{x}" y="{y + 30}" width="120" height="80"/></bpmndi:BPMNShape>')
        centre[n] = (x + 60, y + 70)
    edges = [f'<bpmndi:BPMNEdge id="{f}_di" bpmnElement="{f}">'
             f'<di:waypoint x="{centre[a][0]}" y="{centre[a][1]}"/>'
             f'<di:waypoint x="{centre[b][0]}" y="{centre[b][1]}"/></bpmndi:BPMNEdge>'
             for f, a, b in flows]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="Definitions_KhaiSinh" '
        'targetNamespace="http://bpmn.io/schema/bpmn">\n'
        '<bpmn:collaboration id="Collaboration_KhaiSinh"><bpmn:participant id="Participant" '
        f'name="UBND xã" processRef="{PROCESS_ID}"/></bpmn:collaboration>\n'
        f'<bpmn:process id="{PROCESS_ID}" name="Đăng ký khai sinh" isExecutable="true">'
        f'<bpmn:laneSet id="LaneSet_1">{lanes}</bpmn:laneSet>\n' + "\n".join(body)
        + '\n</bpmn:process>\n<bpmndi:BPMNDiagram id="Diagram_KhaiSinh">'
        '<bpmndi:BPMNPlane id="Plane_KhaiSinh" bpmnElement="Collaboration_KhaiSinh">'
        + "".join(shapes) + "".join(edges) + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
        "</bpmn:definitions>\n")


def write(directory: Path) -> Path:
    """Write the process into its own folder (publish reads sibling .bpmn files as a library)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "khai-sinh.bpmn"
    path.write_text(bpmn(), encoding="utf-8")
    return path
