"""Who does a generated step: the role from the catalogue's rules, the unit from the
organisation tree when the text names another agency's unit; an ambiguous or unknown name
is a problem on its step, and so is a text no rule reads."""

from __future__ import annotations

from typing import Any

import pytest
from gen_support import AGRICULTURE, ECONOMY_COMMUNE, ECONOMY_PROVINCE, LAND, problems_of
from lxml import etree

from motcua.catalog.decisions import read_steps
from motcua.design.generation import generate
from motcua.design.generation.responsible import normal, unit_mention

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


def _steps(responsible: str) -> list[dict[str, Any]]:
    return read_steps([
        {"no": 1, "work": "Tiếp nhận hồ sơ", "responsible": "Công chức Bộ phận Một cửa",
         "time": "4h"},
        {"no": 2, "work": "Thẩm định", "responsible": responsible, "time": "3d"},
        {"no": 3, "work": "Trả kết quả", "responsible": "Bộ phận Một cửa", "time": "0"},
    ])


def _lane_of(bpmn: str, task: str) -> dict[str, str]:
    root = etree.fromstring(bpmn.encode())
    [lane] = root.xpath(f"//bpmn:lane[bpmn:flowNodeRef='{task}']", namespaces=NS)
    return {p.get("name"): p.get("value")
            for p in lane.xpath(".//spiffworkflow:property", namespaces=NS)}


@pytest.mark.parametrize(("text", "role", "unit"), [
    ("Chuyên viên Phòng Hành chính tư pháp", "specialist", "@handling"),
    ("Lãnh đạo Sở Tư pháp", "leader", "@agency"),
    ("Chuyên viên Phòng Đất đai - Sở Nông nghiệp và Môi trường", "specialist", LAND),
    ("chuyên viên phòng đất đai", "specialist", LAND),
    ("Giám đốc Sở Nông nghiệp và Môi trường", "leader", AGRICULTURE),
    ("Chủ tịch UBND tỉnh Mẫu", "leader", "000.00.00.H99"),
    ("Chuyên viên Phòng Kinh tế - Sở Nông nghiệp và Môi trường", "specialist",
     ECONOMY_PROVINCE),
    ("Công chức Phòng Kinh tế UBND xã Đông Hải", "specialist", ECONOMY_COMMUNE),
    ("Chuyên viên phòng chuyên môn", "specialist", "@handling"),
])
def test_the_unit_a_responsible_text_names(procedure: Any, text: str, role: str,
                                           unit: str) -> None:
    generated = generate(procedure, _steps(text))
    assert generated.problems == []
    assert _lane_of(generated.bpmn, "Task_2") == {"role": role, "unit": unit}
    errors = [p for p in problems_of(generated, procedure) if p["severity"] == "error"]
    assert errors == []


@pytest.mark.parametrize(("text", "words"), [
    ("Lãnh đạo Phòng Kinh tế", [ECONOMY_PROVINCE, ECONOMY_COMMUNE]),
    ("Chuyên viên Phòng Quy hoạch đô thị", ["Phòng Quy hoạch đô thị", "không có đơn vị"]),
])
def test_an_ambiguous_or_unknown_unit_is_a_warning_on_its_step(procedure: Any, text: str,
                                                               words: list[str]) -> None:
    generated = generate(procedure, _steps(text))
    [problem] = generated.problems
    assert (problem.element_id, problem.rule, problem.severity.value) == (
        "Task_2", "responsible", "warning")
    assert all(w in problem.message for w in words), problem.message
    # The step still runs somewhere valid: the rule's selector, for the designer to correct.
    assert _lane_of(generated.bpmn, "Task_2")["unit"] in ("@handling", "@agency")


def test_a_text_no_rule_reads_is_an_error_on_its_step(procedure: Any) -> None:
    generated = generate(procedure, _steps("Tổ công tác liên ngành"))
    [problem] = generated.problems
    assert (problem.element_id, problem.rule, problem.is_error) == ("Task_2", "responsible",
                                                                    True)
    assert any(p["element_id"] == "Task_2" and p["severity"] == "error"
               for p in problems_of(generated, procedure))


def test_a_row_that_writes_its_role_and_unit_keeps_them(procedure: Any) -> None:
    steps = _steps("Chuyên viên Phòng Đất đai")
    steps[1].update(role="specialist", unit="@agency", inferred=False)
    assert _lane_of(generate(procedure, steps).bpmn, "Task_2") == {"role": "specialist",
                                                                   "unit": "@agency"}


def test_a_row_that_writes_only_its_role_keeps_it(procedure: Any) -> None:
    steps = read_steps([
        {"no": 1, "work": "Tiếp nhận", "responsible": "Công chức Bộ phận Một cửa", "time": "4h"},
        {"no": 2, "work": "Thẩm định", "responsible": "Chuyên viên Phòng Đất đai",
         "role": "leader", "time": "3d"},
        {"no": 3, "work": "Trả kết quả", "responsible": "Bộ phận Một cửa", "time": "0"}])
    assert _lane_of(generate(procedure, steps).bpmn, "Task_2") == {"role": "leader",
                                                                   "unit": LAND}


def test_names_compare_normalised() -> None:
    assert normal("Uỷ ban nhân dân tỉnh Thanh Hoá") == normal("UBND  TỈNH thanh hóa")
    assert normal("Phòng Đất đai - Sở NN") == "phòng đất đai sở nn"
    assert unit_mention("Lãnh đạo phòng") is None
    assert unit_mention("Chủ tịch UBND xã") is None
    assert unit_mention("Lãnh đạo Sở/UBND") is None
    assert unit_mention("Chuyên viên Phòng Quy hoạch - Sở Xây dựng") == "Phòng Quy hoạch"
