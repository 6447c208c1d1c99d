"""Drafts generated from DOCX, XLSX and CSV tables check without errors, publish, and run to
the end through the API along every outcome, with the step of another department's unit
done in that unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gen_support import (
    LAND,
    TABLE_TASKS,
    Driver,
    csv_table,
    docx_table,
    problems_of,
    xlsx_table,
)
from lxml import etree

from motcua.calendar.working_time import parse_duration
from motcua.catalog.decisions import read_steps
from motcua.design.generation import Generated, generate, read_table

MAKERS = {"quy-trinh.docx": docx_table, "quy-trinh.xlsx": xlsx_table,
          "quy-trinh.csv": csv_table}
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


def _from_table(procedure: Any, filename: str) -> Generated:
    table = read_table(filename, MAKERS[filename]())
    assert table.problems == []
    limit = parse_duration(table.time_limit) if table.time_limit else None
    return generate(procedure, read_steps(table.rows), limit)


def _properties(bpmn: str, element_id: str) -> dict[str, str]:
    root = etree.fromstring(bpmn.encode())
    [el] = root.xpath(f"//*[@id='{element_id}']")
    props = el.xpath(".//spiffworkflow:property", namespaces=NS)
    return {p.get("name"): p.get("value") for p in props}


@pytest.mark.parametrize("filename", list(MAKERS))
def test_a_table_generates_a_draft_without_errors(procedure: Any, filename: str) -> None:
    generated = _from_table(procedure, filename)
    assert generated.problems == []
    errors = [p for p in problems_of(generated, procedure) if p["severity"] == "error"]
    assert errors == []
    assert _properties(generated.bpmn, "Task_1")["allotted"] == "4h"
    assert _properties(generated.bpmn, "Task_3_1")["row"] == "3.1"
    assert _properties(generated.bpmn, "Task_7")["allotted"] == "0"
    root = etree.fromstring(generated.bpmn.encode())
    assert not root.xpath("//*[@id='Task_3']")  # the heading is not a task
    lane = root.xpath("//bpmn:lane[bpmn:flowNodeRef='Task_3_2']", namespaces=NS)[0]
    assert _properties(generated.bpmn, lane.get("id"))["unit"] == LAND


WALKS = [
    pytest.param({}, "returned", TABLE_TASKS, id="accept-to-return"),
    pytest.param({"Task_1": ["refuse"]}, "refused", ["Task_1"], id="refuse"),
    pytest.param({"Task_1": ["supplement", "accept"]}, "returned",
                 ["Task_1", "Task_1_BoSung", *TABLE_TASKS], id="supplement-at-reception"),
    pytest.param({"Task_3_1": ["supplement", "propose"]}, "returned",
                 [*TABLE_TASKS[:3], "Task_3_1_BoSung", *TABLE_TASKS[2:]],
                 id="supplement-at-examination"),
    pytest.param({"Task_3_2": ["supplement", "propose"]}, "returned",
                 [*TABLE_TASKS[:4], "Task_3_2_BoSung", *TABLE_TASKS[3:]],
                 id="supplement-at-the-other-department"),
    pytest.param({"Task_4": ["back", "agree"], "Task_5": ["back", "approve"]}, "returned",
                 [*TABLE_TASKS[:5], "Task_3_2", "Task_4", "Task_5", "Task_4", *TABLE_TASKS[5:]],
                 id="review-and-approval-send-back"),
]


@pytest.mark.parametrize(("choices", "status", "steps"), WALKS)
def test_a_docx_draft_runs_every_outcome(procedure: Any, drive: Callable[[Generated], Driver],
                                         choices: dict[str, list[str]], status: str,
                                         steps: list[str]) -> None:
    driver = drive(_from_table(procedure, "quy-trinh.docx"))
    path, final = driver.run(choices)
    assert ([s for s, _ in path], final) == (steps, status)


@pytest.mark.parametrize("filename", ["quy-trinh.xlsx", "quy-trinh.csv"])
def test_xlsx_and_csv_drafts_run_through_send_backs_and_supplements(
        procedure: Any, drive: Callable[[Generated], Driver], filename: str) -> None:
    driver = drive(_from_table(procedure, filename))
    path, final = driver.run({"Task_1": ["supplement", "accept"],
                              "Task_3_2": ["supplement", "propose"],
                              "Task_5": ["back", "approve"]})
    assert final == "returned"
    assert [s for s, _ in path].count("Task_4") == 2
    path, final = driver.run({"Task_1": ["refuse"]})
    assert final == "refused"


def test_the_other_departments_step_is_done_in_its_unit(
        procedure: Any, drive: Callable[[Generated], Driver]) -> None:
    driver = drive(_from_table(procedure, "quy-trinh.csv"))
    driver.run()
    tasks = driver.api.get("cv.dat", "/tasks?procedure=2.000488")
    assert tasks.status_code == 200
    history = driver.api.get("ks.nga", f"/dossiers/{driver.code}/history").get_json()
    done = [e for e in history if e["action"] == "completed" and e["step"] == "Task_3_2"]
    assert [e["actor_unit"] for e in done] == [LAND]
