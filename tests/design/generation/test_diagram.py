"""The generated file: text from a decision is escaped, never markup, and the diagram is
complete and readable (every element drawn inside its lane, no shapes on top of each other,
flows that start and end on their elements' borders with straight segments)."""

from __future__ import annotations

from itertools import combinations, pairwise
from typing import Any

import pytest
from gen_support import csv_table, problems_of
from lxml import etree

from motcua.catalog.decisions import read_steps
from motcua.design.generation import generate, read_table

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
HOSTILE = 'Kiểm tra <hồ sơ> & "giấy tờ" \'/><bpmn:scriptTask id="Evil"/>'
ROLES = ["Chuyên viên Phòng Hành chính tư pháp", "Lãnh đạo Phòng Hành chính tư pháp",
         "Lãnh đạo Sở Tư pháp", "Văn thư Sở Tư pháp"]


def _many(count: int) -> list[dict[str, Any]]:
    rows = [{"no": 1, "work": "Tiếp nhận", "responsible": "Công chức Bộ phận Một cửa",
             "time": "2h"}]
    for n in range(2, count):
        rows.append({"no": n, "work": f"Xử lý bước {n}", "responsible": ROLES[n % len(ROLES)],
                     "time": "1h"})
    rows.append({"no": count, "work": "Trả kết quả", "responsible": "Bộ phận Một cửa",
                 "time": "0"})
    return read_steps(rows)


def test_text_from_the_decision_is_escaped(procedure: Any) -> None:
    procedure.name = 'Thủ tục <A> & "B"'
    steps = _many(4)
    steps[1]["work"] = HOSTILE
    generated = generate(procedure, steps)
    root = etree.fromstring(generated.bpmn.encode())
    assert root.xpath("//bpmn:process/@name", namespaces=NS) == ['Thủ tục <A> & "B"']
    assert root.xpath("//bpmn:userTask[@id='Task_2']/@name", namespaces=NS) == [HOSTILE]
    assert not root.xpath("//bpmn:scriptTask", namespaces=NS)
    assert [p for p in problems_of(generated, procedure) if p["severity"] == "error"] == []
    assert generated.forms["buoc-2"]["schema"]["title"].endswith(HOSTILE[:150])


def _one(el: etree._Element, path: str) -> etree._Element:
    found = el.find(path, NS)
    assert found is not None, path
    return found


def _bounds(el: etree._Element) -> tuple[float, float, float, float]:
    b = _one(el, "dc:Bounds")
    return (float(b.get("x", "")), float(b.get("y", "")), float(b.get("width", "")),
            float(b.get("height", "")))


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _on_border(point: tuple[float, float], box: tuple[float, ...]) -> bool:
    x, y = point
    bx, by, bw, bh = box
    on_x = bx <= x <= bx + bw and y in (by, by + bh)
    on_y = by <= y <= by + bh and x in (bx, bx + bw)
    return on_x or on_y


def _table() -> list[dict[str, Any]]:
    return read_steps(read_table("bang.csv", csv_table()).rows)


@pytest.mark.parametrize("source", ["decision", "table", "7-steps", "30-steps"])
def test_the_diagram_is_complete_and_readable(procedure: Any, source: str) -> None:
    steps = {"decision": None, "table": _table(), "7-steps": _many(7),
             "30-steps": _many(30)}[source]
    root = etree.fromstring(generate(procedure, steps).bpmn.encode())
    shapes = {s.get("bpmnElement"): _bounds(s)
              for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    process = _one(root, "bpmn:process")
    nodes = [el for el in process if el.get("id") and etree.QName(el).localname not in (
        "laneSet", "sequenceFlow")]
    lanes = process.findall(".//bpmn:lane", NS)
    assert {el.get("id") for el in (*nodes, *lanes)} <= set(shapes)
    pool = next(v for k, v in shapes.items() if k and k.startswith("Participant_"))
    for lane in lanes:
        assert _inside(shapes[lane.get("id")], pool)
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            assert _inside(shapes[ref.text or ""], shapes[lane.get("id")]), ref.text
    for a, b in combinations([n.get("id") for n in nodes], 2):
        assert not _overlap(shapes[a], shapes[b]), (a, b)
    edges = {e.get("bpmnElement"): [(float(p.get("x", "")), float(p.get("y", "")))
                                    for p in e.findall("di:waypoint", NS)]
             for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    for flow in process.findall("bpmn:sequenceFlow", NS):
        points = edges[flow.get("id")]
        assert _on_border(points[0], shapes[flow.get("sourceRef")]), flow.get("id")
        assert _on_border(points[-1], shapes[flow.get("targetRef")]), flow.get("id")
        for (x1, y1), (x2, y2) in pairwise(points):
            assert x1 == x2 or y1 == y2, flow.get("id")
        # No segment crosses an element it does not start or end at.
        for node in nodes:
            if node.get("id") in (flow.get("sourceRef"), flow.get("targetRef")):
                continue
            x, y, w, h = shapes[node.get("id")]
            for (x1, y1), (x2, y2) in pairwise(points):
                crosses = ((min(x1, x2) < x + w and x < max(x1, x2)) or (x1 == x2 and x < x1 < x + w)) \
                    and ((min(y1, y2) < y + h and y < max(y1, y2)) or (y1 == y2 and y < y1 < y + h))
                assert not crosses, (flow.get("id"), node.get("id"))
