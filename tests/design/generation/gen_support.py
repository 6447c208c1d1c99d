"""Helpers for the generation tests: the extra agencies of the sample province, publishing a
generated draft, and a driver that walks a dossier along any path of outcomes through the
HTTP API."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from lxml import etree

from motcua.design.generation import Generated
from motcua.processes.operations import FormFile, check, upload_and_publish
from support.api import Api

AGRICULTURE = "000.00.10.H99"  # Sở Nông nghiệp và Môi trường
LAND = "000.10.10.H99"  # Phòng Đất đai, under it
ECONOMY_PROVINCE, ECONOMY_COMMUNE = "000.10.11.H99", "000.20.11.H99"  # two "Phòng Kinh tế"
EXTRA_AGENCIES = [
    {"code": AGRICULTURE, "name": "Sở Nông nghiệp và Môi trường", "kind": "Sở",
     "parent": "000.00.00.H99"},
    {"code": LAND, "name": "Phòng Đất đai", "kind": "Phòng", "parent": AGRICULTURE},
    {"code": ECONOMY_PROVINCE, "name": "Phòng Kinh tế", "kind": "Phòng", "parent": AGRICULTURE},
    {"code": ECONOMY_COMMUNE, "name": "Phòng Kinh tế", "kind": "Phòng",
     "parent": "000.00.20.H99"},
]
LAND_SPECIALIST = {"username": "cv.dat", "full_name": "Trịnh Văn Đạt", "password": "demo-Dat-2026",
                   "memberships": [{"agency": LAND, "role": "specialist"}]}
PROCEDURE = "2.000488"
HANDLING = "000.12.12.H99"



def form_files(forms: dict[str, dict[str, Any]]) -> list[FormFile]:
    files = []
    for key, form in forms.items():
        files.append(FormFile(f"{key}.schema.json", json.dumps(form["schema"]).encode()))
        if form.get("ui"):
            files.append(FormFile(f"{key}.ui.json", json.dumps(form["ui"]).encode()))
    return files


def problems_of(generated: Generated, procedure: Any) -> list[dict[str, Any]]:
    """Every problem the upload check finds, legal rules included, errors and warnings."""
    result = check(generated.bpmn.encode(), generated.filename, generated.forms,
                   procedure=procedure)
    return [p.as_dict() for p in result.problems]


def publish(generated: Generated, code: str = PROCEDURE) -> int:
    version = upload_and_publish(code, generated.bpmn.encode(), generated.filename,
                                 form_files(generated.forms), date(2026, 3, 16))
    return version.id


def _example(spec: dict[str, Any], name: str, users: dict[tuple[str, str], str],
             handling: str = HANDLING) -> Any:
    if spec.get("x-widget") == "officer":
        return users[(spec["x-role"], handling)]
    if "enum" in spec:
        return spec["enum"][0]
    if spec.get("type") == "array":
        return ["Bản sao giấy tờ tùy thân"]
    if spec.get("format") == "date":
        return "2026-03-16"
    if spec.get("type") == "integer":
        return 1
    return f"Nội dung {name}"


class Driver:
    """Takes a dossier through a published process, choosing each step's outcome from a plan
    (``{element_id: [key, ...]}``, one key per visit; default the first outcome) and filling
    every field of each step's form, as the officer holding the step's role and unit."""

    def __init__(self, api: Api, org: dict[str, Any], forms: dict[str, dict[str, Any]], *,
                 receiver: str = "mc.lan", desk: str = "000.00.31.H99",
                 handling: str = HANDLING) -> None:
        self.api = api
        self.forms = forms
        # Who receives at which desk, and the unit whose officers an assignment picks from.
        self.receiver, self.desk, self.handling = receiver, desk, handling
        # The last dossier run: its code and the documents issued, in order.
        self.code = ""
        self.documents: list[str] = []
        self.users: dict[tuple[str, str], str] = {}
        for user in org["users"]:
            for m in user["memberships"]:
                self.users.setdefault((m["role"], m["agency"]), user["username"])

    def data(self, form: str | None) -> dict[str, Any]:
        if not form:
            return {}
        props = self.forms[form]["schema"].get("properties", {})
        return {name: _example(spec, name, self.users, self.handling)
                for name, spec in props.items()}

    def run(self, choices: dict[str, list[str]] | None = None,
            code: str = PROCEDURE) -> tuple[list[tuple[str, str | None]], str]:
        plan = {k: list(v) for k, v in (choices or {}).items()}
        response = self.api.post(self.receiver, "/dossiers", json={
            "procedure": code, "channel": "direct", "desk": self.desk,
            "applicant": {"name": "Nguyễn Văn An"}, "data": self.data("to-khai")})
        assert response.status_code == 201, response.get_json()
        answer = response.get_json()
        tasks, status = answer["tasks"], answer["status"]
        self.code, self.documents = answer["code"], []
        path: list[tuple[str, str | None]] = []
        for _ in range(80):
            if not tasks:
                return path, status
            assert len(tasks) == 1, tasks
            task = tasks[0]
            keys = plan.get(task["step"]) or []
            outcome = keys.pop(0) if keys else (
                task["outcomes"][0]["key"] if task["outcomes"] else None)
            user = task["assignee"] or self.users[(task["role"], task["unit"])]
            response = self.api.post(user, f"/tasks/{task['id']}/complete", json={
                "outcome": outcome, "data": self.data(task["form"])})
            assert response.status_code == 200, (task, response.get_json())
            path.append((task["step"], outcome))
            answer = response.get_json()
            tasks, status = answer["next_tasks"], answer["dossier"]["status"]
            self.documents.extend(d["kind"] for d in answer["documents"])
        raise AssertionError(f"no end after 80 steps: {path}")


def docx_bytes(build: Callable[[Any], None]) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


HEADER = ["Bước", "Nội dung công việc", "Trách nhiệm", "Thời gian", "Biểu mẫu/Kết quả"]
UNIT_ROW = ["", "", "", "(ngày làm việc)", ""]
DESK_TEXT = "Công chức Bộ phận Một cửa"
EXAMINER = "Chuyên viên Phòng Hành chính tư pháp"
# The table of a real-looking decision: sub-steps 3.1/3.2 under a heading, times in words,
# a step done by another department's unit, and a total row.
TABLE = [
    ["1", "Tiếp nhận, kiểm tra, số hóa hồ sơ", DESK_TEXT, "04 giờ", "Mẫu 01"],
    ["2", "Phân công chuyên viên xử lý", "Lãnh đạo Phòng Hành chính tư pháp", "0,5 ngày", ""],
    ["3", "Thẩm định hồ sơ", EXAMINER, "5 ngày", ""],
    ["3.1", "Kiểm tra, tra cứu thông tin", EXAMINER, "3 ngày", ""],
    ["3.2", "Lấy ý kiến về thửa đất",
     "Chuyên viên Phòng Đất đai - Sở Nông nghiệp và Môi trường", "02 ngày", "Văn bản ý kiến"],
    ["4", "Xem xét, trình ký", "Lãnh đạo Phòng Hành chính tư pháp", "0,5 ngày", ""],
    ["5", "Phê duyệt, ký kết quả", "Lãnh đạo Sở Tư pháp", "01 ngày", ""],
    ["6", "Vào số, đóng dấu, chuyển Bộ phận Một cửa", "Văn thư Sở Tư pháp", "0,5 ngày", ""],
    ["7", "Trả kết quả cho tổ chức, cá nhân", DESK_TEXT, "Không tính", "Sổ theo dõi"],
]
TOTAL = ["Tổng thời gian giải quyết", "Tổng thời gian giải quyết", "Tổng thời gian giải quyết",
         "10 ngày", ""]
TABLE_TASKS = ["Task_1", "Task_2", "Task_3_1", "Task_3_2", "Task_4", "Task_5", "Task_6",
               "Task_7"]


def csv_table(rows: list[list[str]] | None = None, delimiter: str = ",") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in [HEADER, UNIT_ROW, *(TABLE if rows is None else rows), TOTAL]:
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def docx_table(rows: list[list[str]] | None = None) -> bytes:
    """A Word document with a title paragraph, an unrelated table first, then the step table
    with a two-row header (merged down but for the time column), the heading's responsible
    merged with its first sub-step's, and a total row merged across."""
    import docx

    body = TABLE if rows is None else rows
    document = docx.Document()
    document.add_paragraph("QUY TRÌNH NỘI BỘ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
    other = document.add_table(rows=1, cols=2)
    other.cell(0, 0).text, other.cell(0, 1).text = "Mã thủ tục", "2.000488"
    table = document.add_table(rows=len(body) + 3, cols=5)
    for c, text in enumerate(HEADER):
        if UNIT_ROW[c]:
            table.cell(0, c).text, table.cell(1, c).text = text, UNIT_ROW[c]
        else:
            table.cell(0, c).merge(table.cell(1, c)).text = text
    for r, row in enumerate(body, start=2):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    heading = next((i for i, row in enumerate(body) if row[0] == "3"), None)
    if heading is not None and body[heading][2] == body[heading + 1][2]:
        table.cell(heading + 2, 2).merge(table.cell(heading + 3, 2)).text = body[heading][2]
    last = len(body) + 2
    table.cell(last, 0).merge(table.cell(last, 2)).text = TOTAL[0]
    table.cell(last, 3).text = TOTAL[3]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_table(rows: list[list[str]] | None = None) -> bytes:
    """A workbook whose sheet starts with a merged title, then the two-row header (merged
    down), the steps (step 5's time typed as the number 1, in the header's days), and a total
    row merged across."""
    import openpyxl

    body = TABLE if rows is None else rows
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Quy trình nội bộ thủ tục 2.000488"])
    sheet.merge_cells("A1:E1")
    sheet.append(HEADER)
    sheet.append(["", "", "", UNIT_ROW[3], ""])
    for letter in "ABCE":
        sheet.merge_cells(f"{letter}2:{letter}3")
    for row in body:
        values: list[Any] = list(row)
        if row[0] == "5":
            values[3] = 1
        sheet.append(values)
    sheet.append([TOTAL[0], None, None, TOTAL[3], None])
    last = sheet.max_row
    sheet.merge_cells(f"A{last}:C{last}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LOOP_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
           "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


def every_loop(generated: Generated) -> dict[str, list[str]]:
    """For each step with outcomes: each loop (supplement, send-back) once, then forward."""
    root = etree.fromstring(generated.bpmn.encode())
    plan: dict[str, list[str]] = {}
    for task in root.iterfind(".//bpmn:userTask", LOOP_NS):
        [value] = task.xpath(".//spiffworkflow:property[@name='outcomes']/@value",
                             namespaces=LOOP_NS) or [""]
        outcomes = [part.split("=")[0].split(":") for part in value.split(";") if part]
        loops = [k for k, m in outcomes if m in ("supplement", "back")]
        onward = [k for k, m in outcomes if m in ("accept", "forward")]
        if outcomes:
            plan[task.get("id", "")] = [*loops, *onward * (len(loops) + 2)]
    return plan
