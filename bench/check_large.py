"""How long the designer's check takes on a large diagram: 200 officer steps in 5 lanes, with
send-back loops, parallel sections, a supplement loop and a refusal, diagram interchange for
every shape and edge, and a decision table to compare with.

    .venv/bin/python bench/check_large.py [--runs 21]

Prints the median of ``check_process`` (every rule, legal ones included, and SpiffWorkflow's
parser since the diagram is valid) and, measured in the same run on the same file, the
median of the floor every upload pays anyway: the safe lxml parse and the XSD validation.
Figures only; the target is under 300 ms.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from util import median_ms

from motcua.processes.checks import (
    DecisionRow,
    ProcedureContext,
    check_process,
    xsd,
)
from motcua.processes.checks.document import Document
from motcua.processes.checks.xml_safety import parse_xml

LANES = (
    ("Lane_Desk", "Bộ phận Một cửa", "receiver", "@desk"),
    ("Lane_UnitHead", "Lãnh đạo phòng", "unit_head", "@handling"),
    ("Lane_Specialist", "Chuyên viên", "specialist", "@handling"),
    ("Lane_Leader", "Lãnh đạo cơ quan", "leader", "@agency"),
    ("Lane_Clerk", "Văn thư", "clerk", "@agency"),
)
LANE_HEIGHT = 260
COLUMN = 140
STEP_MINUTES = 30


@dataclass
class Diagram:
    nodes: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)
    lane_refs: dict[str, list[str]] = field(default_factory=lambda: {k[0]: [] for k in LANES})
    where: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    rows: list[DecisionRow] = field(default_factory=list)
    column: int = 0
    tasks: int = 0

    def _place(self, ident: str, lane: int, width: int, height: int, offset: int = 0) -> None:
        x = 200 + self.column * COLUMN
        y = lane * LANE_HEIGHT + (LANE_HEIGHT - height) // 2 + offset
        self.where[ident] = (x, y, width, height)
        self.shapes.append(
            f'      <bpmndi:BPMNShape id="{ident}_di" bpmnElement="{ident}">'
            f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}"/>'
            "</bpmndi:BPMNShape>")
        self.lane_refs[LANES[lane][0]].append(ident)

    def task(self, ident: str, name: str, lane: int, *, outcomes: str = "",
             document: str = "", row: bool = True, offset: int = 0) -> str:
        self.tasks += 1
        props = [f'<spiffworkflow:property name="allotted" value="{STEP_MINUTES}m"/>']
        if outcomes:
            props.append(f'<spiffworkflow:property name="outcomes" value="{escape(outcomes)}"/>')
        if document:
            props.append(f'<spiffworkflow:property name="document" value="{document}"/>')
        if row:
            no = str(len(self.rows) + 1)
            props.append(f'<spiffworkflow:property name="row" value="{no}"/>')
            _, _, role, unit = LANES[lane]
            self.rows.append(DecisionRow(no, name, role, unit, STEP_MINUTES))
        self.nodes.append(
            f'    <bpmn:userTask id="{ident}" name="{escape(name)}"><bpmn:extensionElements>'
            f'<spiffworkflow:properties>{"".join(props)}</spiffworkflow:properties>'
            "</bpmn:extensionElements></bpmn:userTask>")
        self._place(ident, lane, 100, 80, offset)
        return ident

    def node(self, tag: str, ident: str, lane: int, name: str = "", offset: int = 0) -> str:
        label = f' name="{escape(name)}"' if name else ""
        self.nodes.append(f"    <bpmn:{tag} id=\"{ident}\"{label}/>")
        size = 36 if tag.endswith("Event") else 50
        self._place(ident, lane, size, size, offset)
        return ident

    def flow(self, source: str, target: str, condition: str = "") -> None:
        ident = f"Flow_{len(self.flows) + 1}"
        body = (f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>"
                if condition else "")
        close = f">{body}</bpmn:sequenceFlow>" if body else "/>"
        self.flows.append(
            f'    <bpmn:sequenceFlow id="{ident}" sourceRef="{source}" targetRef="{target}"'
            + close)
        (sx, sy, sw, sh), (tx, ty, _, th) = self.where[source], self.where[target]
        self.edges.append(
            f'      <bpmndi:BPMNEdge id="{ident}_di" bpmnElement="{ident}">'
            f'<di:waypoint x="{sx + sw}" y="{sy + sh // 2}"/>'
            f'<di:waypoint x="{tx}" y="{ty + th // 2}"/></bpmndi:BPMNEdge>')

    def advance(self) -> None:
        self.column += 1


def build(blocks: int = 39) -> tuple[bytes, ProcedureContext]:
    """Reception (accept / supplement / refuse), ``blocks`` blocks of five steps — work,
    review with send-back, two steps in parallel, approval — then signing, issuing, return."""
    d = Diagram()
    start = d.node("startEvent", "Start_Submit", 0, "Nộp hồ sơ")
    d.advance()
    receive = d.task("Task_Receive", "Tiếp nhận hồ sơ", 0,
                     outcomes="accept:accept=Tiếp nhận;bs:supplement=Yêu cầu bổ sung;"
                              "refuse:refuse=Từ chối")
    d.flow(start, receive)
    d.advance()
    gw = d.node("exclusiveGateway", "Gw_Receive", 0, "Kết quả tiếp nhận")
    d.flow(receive, gw)
    supp = d.task("Task_Supplement", "Nhận hồ sơ bổ sung", 0, document="supplement",
                  row=False, offset=-100)
    refused = d.node("endEvent", "End_Refused", 0, "Từ chối", offset=100)
    d.flow(gw, supp, 'outcome == "bs"')
    d.flow(supp, receive)
    d.flow(gw, refused, 'outcome == "refuse"')
    previous, condition = gw, 'outcome == "accept"'
    for i in range(blocks):
        d.advance()
        work = d.task(f"Task_{i}_Work", f"Xử lý phần {i + 1}", 2)
        d.flow(previous, work, condition)
        d.advance()
        review = d.task(f"Task_{i}_Review", f"Xem xét phần {i + 1}", 1,
                        outcomes="ok:forward=Đồng ý;back:back=Trả lại")
        d.flow(work, review)
        d.advance()
        gate = d.node("exclusiveGateway", f"Gw_{i}_Review", 1)
        d.flow(review, gate)
        d.flow(gate, work, 'outcome == "back"')
        d.advance()
        split = d.node("parallelGateway", f"Gw_{i}_Split", 2)
        d.flow(gate, split, 'outcome == "ok"')
        d.advance()
        left = d.task(f"Task_{i}_Check", f"Kiểm tra thực địa phần {i + 1}", 2, offset=-60)
        right = d.task(f"Task_{i}_Consult", f"Lấy ý kiến phần {i + 1}", 2, offset=60)
        d.flow(split, left)
        d.flow(split, right)
        d.advance()
        join = d.node("parallelGateway", f"Gw_{i}_Join", 2)
        d.flow(left, join)
        d.flow(right, join)
        d.advance()
        approve = d.task(f"Task_{i}_Approve", f"Duyệt phần {i + 1}", 3)
        d.flow(join, approve)
        previous, condition = approve, ""
    d.advance()
    sign = d.task("Task_Sign", "Ký kết quả", 3, document="result")
    d.flow(previous, sign)
    d.advance()
    issue = d.task("Task_Issue", "Vào số, đóng dấu", 4)
    d.flow(sign, issue)
    d.advance()
    back = d.task("Task_Return", "Trả kết quả", 0)
    d.flow(issue, back)
    d.advance()
    end = d.node("endEvent", "End_Done", 0, "Hoàn thành")
    d.flow(back, end)
    assert d.tasks == 2 + 5 * blocks + 3
    return _document(d), ProcedureContext(len(d.rows) * STEP_MINUTES, tuple(d.rows))


def _document(d: Diagram) -> bytes:
    width = 400 + d.column * COLUMN
    lanes, lane_shapes = [], []
    for i, (ident, name, role, unit) in enumerate(LANES):
        refs = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in d.lane_refs[ident])
        lanes.append(
            f'      <bpmn:lane id="{ident}" name="{name}"><bpmn:extensionElements>'
            f'<spiffworkflow:properties><spiffworkflow:property name="role" value="{role}"/>'
            f'<spiffworkflow:property name="unit" value="{unit}"/></spiffworkflow:properties>'
            f"</bpmn:extensionElements>{refs}</bpmn:lane>")
        lane_shapes.append(
            f'      <bpmndi:BPMNShape id="{ident}_di" bpmnElement="{ident}" isHorizontal="true">'
            f'<dc:Bounds x="130" y="{i * LANE_HEIGHT}" width="{width}" height="{LANE_HEIGHT}"/>'
            "</bpmndi:BPMNShape>")
    text = "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'id="Defs_Large" targetNamespace="http://example.org/motcua">',
        '  <bpmn:collaboration id="Collab_Large"><bpmn:participant id="Participant_Large" '
        'name="Thủ tục lớn" processRef="Process_Large"/></bpmn:collaboration>',
        '  <bpmn:process id="Process_Large" name="Thủ tục lớn" isExecutable="true">',
        '    <bpmn:laneSet id="LaneSet_1">', *lanes, "    </bpmn:laneSet>",
        *d.nodes, *d.flows,
        "  </bpmn:process>",
        '  <bpmndi:BPMNDiagram id="Diagram_Large">',
        '    <bpmndi:BPMNPlane id="Plane_Large" bpmnElement="Collab_Large">',
        '      <bpmndi:BPMNShape id="Participant_Large_di" bpmnElement="Participant_Large" '
        f'isHorizontal="true"><dc:Bounds x="100" y="0" width="{width + 30}" '
        f'height="{LANE_HEIGHT * len(LANES)}"/></bpmndi:BPMNShape>',
        *lane_shapes, *d.shapes, *d.edges,
        "    </bpmndi:BPMNPlane>",
        "  </bpmndi:BPMNDiagram>",
        "</bpmn:definitions>",
        "",
    ])
    return text.encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--output", type=Path, help="also write the diagram here")
    args = parser.parse_args()
    data, procedure = build()
    if args.output:
        args.output.write_bytes(data)

    result = check_process(data, "large.bpmn", {}, procedure=procedure)
    if not result.ok:
        for problem in result.errors[:10]:
            print(problem, file=sys.stderr)
        raise SystemExit("the generated diagram does not check clean")

    def floor() -> None:
        xsd.validate(Document(parse_xml(data, "large.bpmn"), "large.bpmn"))

    def full() -> None:
        check_process(data, "large.bpmn", {}, procedure=procedure)

    floor()  # the XSD validator is built once per process: not part of either figure
    base_median, base_min = median_ms(floor, args.runs)
    check_median, check_min = median_ms(full, args.runs)
    print(f"diagram: {len(result.steps)} officer steps, {data.count(b'<bpmn:sequenceFlow')} "
          f"flows, {len(data) // 1024} KiB, {len(result.problems)} warnings")
    print(f"baseline (safe parse + XSD): median {base_median:.1f} ms (min {base_min:.1f}) "
          f"over {args.runs} runs")
    print(f"check_process (all rules + SpiffWorkflow parse): median {check_median:.1f} ms "
          f"(min {check_min:.1f}) over {args.runs} runs")
    print(f"ratio check / baseline: {check_median / base_median:.1f}x; target < 300 ms: "
          + ("met" if check_median < 300 else "NOT met"))


if __name__ == "__main__":
    main()
