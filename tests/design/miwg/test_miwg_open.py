"""Any BPMN file opens as a draft: the 21 MIWG reference diagrams and exports of Camunda 7,
Camunda 8 (Zeebe), Signavio and Bizagi, by the JSON API, the multipart upload and the
library page, each with its problems named on elements of the file (what the platform
cannot run among them), and the file kept as given through saves, copies and exports."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from lxml import etree
from vendor_content import MIWG_FILES, VENDOR_FILES, vendor_content

from motcua.db import db
from motcua.design.models import ProcessDraft
from motcua.processes.checks.forms import load_forms_dir
from support.api import PROCEDURE, Api
from support.sample import SAMPLE_BPMN, SAMPLE_FORMS
from support.web import Browser

DESIGNER = "qt.binh"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ALL_FILES = MIWG_FILES + VENDOR_FILES
DECLARED = re.compile(rb"""<\?xml[^>]*?encoding=(["'])([^"']+)\1""")
VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")
# What the engine cannot run: each must be named by a problem on itself.
UNSUPPORTED_NODES = ("task", "serviceTask", "sendTask", "receiveTask", "businessRuleTask",
                     "complexGateway", "transaction", "adHocSubProcess", "dataStoreReference")
UNSUPPORTED_EVENTS = ("messageEventDefinition", "signalEventDefinition",
                      "escalationEventDefinition", "errorEventDefinition",
                      "conditionalEventDefinition", "compensateEventDefinition",
                      "linkEventDefinition", "cancelEventDefinition")


def unfiled(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems without the file name they carry (a JSON body names none, an upload its own)."""
    return [{k: v for k, v in p.items() if k != "file"} for p in problems]


def by_name(files: list[Path]) -> Any:
    return pytest.mark.parametrize("path", files, ids=[p.name for p in files])


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))


def assert_listed(problems: list[dict[str, Any]], data: bytes) -> None:
    """Every problem is a report on the file, in Vietnamese, on an element it holds."""
    root = parse(data)
    ids = {el.get("id") for el in root.iter(etree.Element) if el.get("id")}
    lines = data.count(b"\n") + 1
    assert problems, "a file made for another engine always has something to change"
    for problem in problems:
        assert problem["rule"] and problem["rule"] != "internal", problem
        assert problem["severity"] in ("error", "warning"), problem
        assert VIETNAMESE.search(problem["message"].lower()), problem
        assert problem.get("element_id") in ids, problem
        assert 1 <= problem.get("line", 1) <= lines, problem
    named = {p.get("element_id") for p in problems}
    pools = {p.get("processRef"): p.get("id") for p in root.iter(f"{{{BPMN}}}participant")}
    for process in root.iter(f"{{{BPMN}}}process"):
        if pools.get(process.get("id"), process.get("id")) in named - {root.get("id")}:
            continue  # a pool that does not run is named as a whole
        for el in process.iter(*(f"{{{BPMN}}}{n}" for n in UNSUPPORTED_NODES)):
            assert el.get("id") in named, f"{el.get('id')} line {el.sourceline}"
        for definition in process.iter(*(f"{{{BPMN}}}{n}" for n in UNSUPPORTED_EVENTS)):
            event = definition.getparent()
            assert event is not None and event.get("id") in named, definition.sourceline


def as_stored(data: bytes) -> str:
    """The text a draft keeps of a file: the file's very text, in UTF-8 (a declaration of
    another encoding, such as some MIWG files' ISO-8859-1, then says UTF-8)."""
    declared = DECLARED.match(data)
    encoding = declared.group(2).decode() if declared else "utf-8"
    text = data.decode(encoding)
    if encoding.lower() == "utf-8":
        return text
    return text.replace(f'encoding="{encoding}"', 'encoding="UTF-8"', 1)


def created(api: Api, response: Any, data: bytes) -> dict[str, Any]:
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert_listed(body["problems"], data)
    shown = api.get(DESIGNER, f"/drafts/{body['id']}").get_json()
    # Kept as given: the file's very text, vendor content included.
    assert shown["bpmn"] == as_stored(data)
    assert vendor_content(shown["bpmn"]) == vendor_content(data)
    assert shown["problems"] == body["problems"]
    return body


@by_name(ALL_FILES)
def test_a_file_opens_as_a_draft_through_the_api(api: Api, sample: dict[str, Any],
                                                 path: Path) -> None:
    data = path.read_bytes()
    by_json = created(api, api.post(DESIGNER, "/drafts", json={
        "procedure": PROCEDURE, "bpmn": as_stored(data)}), data)
    by_upload = created(api, api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE, "bpmn": (io.BytesIO(data), path.name)},
        content_type="multipart/form-data"), data)
    assert unfiled(by_upload["problems"]) == unfiled(by_json["problems"])


@by_name(ALL_FILES)
def test_a_file_opens_as_a_draft_from_the_library_page(app: Flask, sample: dict[str, Any],
                                                       path: Path) -> None:
    data = path.read_bytes()
    page = Browser(app, DESIGNER).post(f"/design/procedures/{PROCEDURE}/drafts", {
        "from": "bpmn", "bpmn": (io.BytesIO(data), path.name)},
        content_type="multipart/form-data")
    assert page.status_code == 302, page.get_data(as_text=True)[:500]
    draft = db.session.scalars(db.select(ProcessDraft)).one()
    assert page.headers["Location"].endswith(f"/design/drafts/{draft.id}")
    assert draft.bpmn_xml == as_stored(data) and draft.filename == path.name
    assert_listed(draft.problems, data)


@by_name(VENDOR_FILES + MIWG_FILES[:3])
def test_a_save_keeps_the_file_as_given(api: Api, sample: dict[str, Any], path: Path) -> None:
    text = as_stored(path.read_bytes())
    draft = created(api, api.post(DESIGNER, "/drafts", json={
        "procedure": PROCEDURE, "bpmn": text}), path.read_bytes())
    edited = text.replace('name="', 'name="Sửa: ', 1)
    saved = api.call("PUT", DESIGNER, f"/drafts/{draft['id']}",
                     json={"revision": 1, "bpmn": edited})
    assert saved.status_code == 200, saved.get_json()
    shown = api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()
    assert shown["bpmn"] == edited
    assert vendor_content(shown["bpmn"]) == vendor_content(text)


def with_vendor_content(data: bytes) -> str:
    """A valid process with what Camunda, Signavio and Bizagi add to a file they export:
    namespaces on the definitions, attributes on a task, elements beside our properties."""
    root = parse(data)
    nsmap = {**root.nsmap, "camunda": "http://camunda.org/schema/1.0/bpmn",
             "signavio": "http://www.signavio.com"}
    definitions = etree.Element(root.tag, root.attrib, nsmap=nsmap)
    definitions.text = root.text
    definitions.extend(list(root))
    definitions.set("{http://camunda.org/schema/1.0/bpmn}diagramRelationId", "0f1e2d3c-4b5a")
    task = next(definitions.iter(f"{{{BPMN}}}userTask"))
    task.set("{http://camunda.org/schema/1.0/bpmn}asyncBefore", "true")
    extension = task.find(f"{{{BPMN}}}extensionElements")
    assert extension is not None
    properties = etree.SubElement(extension, "{http://camunda.org/schema/1.0/bpmn}properties")
    etree.SubElement(properties, "{http://camunda.org/schema/1.0/bpmn}property",
                     name="buoc", value="3")
    lane = next(definitions.iter(f"{{{BPMN}}}lane"))
    lane_extension = lane.find(f"{{{BPMN}}}extensionElements")
    assert lane_extension is not None
    etree.SubElement(lane_extension, "{http://www.signavio.com}signavioMetaData",
                     metaKey="bgcolor", metaValue="#ffffcc")
    # Bizagi declares its namespace on each extension, not on the definitions.
    bizagi = etree.fromstring(
        '<bizagi:BizagiExtensions xmlns:bizagi="http://www.bizagi.com/bpmn20">'
        '<bizagi:BizagiProperties><bizagi:BizagiProperty Name="bgColor" Value="White"/>'
        "</bizagi:BizagiProperties></bizagi:BizagiExtensions>")
    process = definitions.find(f"{{{BPMN}}}process")
    assert process is not None
    own = etree.Element(f"{{{BPMN}}}extensionElements")
    own.append(bizagi)
    # After its documentation, before anything else (the schema's order).
    process.insert(len(process.findall(f"{{{BPMN}}}documentation")), own)
    return etree.tostring(definitions, xml_declaration=True, encoding="UTF-8").decode()


def test_vendor_content_survives_publishing_exporting_and_copying(
        api: Api, sample: dict[str, Any]) -> None:
    forms, problems = load_forms_dir(SAMPLE_FORMS)
    assert not problems
    text = with_vendor_content(SAMPLE_BPMN.read_bytes())
    expected = vendor_content(text)
    assert {what for _, what, _ in expected} == {"element", "attribute"} and len(expected) == 5
    draft = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE, "bpmn": text,
                                                "forms": forms})
    assert draft.status_code == 201, draft.get_json()
    assert [p for p in draft.get_json()["problems"] if p["severity"] == "error"] == []
    published = api.post(DESIGNER, f"/drafts/{draft.get_json()['id']}/publish", json={})
    assert published.status_code == 201, published.get_json()
    exported = api.get(DESIGNER, f"/processes/{published.get_json()['version_id']}/bpmn")
    assert exported.status_code == 200
    assert exported.get_data(as_text=True) == text
    copied = api.post(DESIGNER, "/drafts", json={
        "procedure": PROCEDURE, "from_version": published.get_json()["version"]})
    assert copied.status_code == 201, copied.get_json()
    shown = api.get(DESIGNER, f"/drafts/{copied.get_json()['id']}").get_json()
    assert shown["bpmn"] == text and vendor_content(shown["bpmn"]) == expected


def test_a_file_in_utf16_or_with_a_bom_opens_with_the_same_problems(api: Api, sample: dict[str, Any]) -> None:
    path = next(p for p in VENDOR_FILES if p.name.startswith("signavio"))
    text = path.read_text(encoding="utf-8")
    plain = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE, "bpmn": text})
    utf16 = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    wide = api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE, "bpmn": (io.BytesIO(utf16), path.name)},
        content_type="multipart/form-data")
    assert wide.status_code == 201, wide.get_json()
    assert unfiled(wide.get_json()["problems"]) == unfiled(plain.get_json()["problems"])
    shown = api.get(DESIGNER, f"/drafts/{wide.get_json()['id']}").get_json()
    assert vendor_content(shown["bpmn"]) == vendor_content(text)
    marked = api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE, "bpmn": (io.BytesIO(b"\xef\xbb\xbf" + text.encode()), path.name)},
        content_type="multipart/form-data")
    assert marked.status_code == 201, marked.get_json()
    assert api.get(DESIGNER, f"/drafts/{marked.get_json()['id']}").get_json()["bpmn"] == text


@pytest.mark.parametrize("change", ["doctype", "too large", "not bpmn"])
def test_a_file_that_cannot_be_read_is_refused_naming_why(api: Api, sample: dict[str, Any],
                                                          change: str) -> None:
    text = MIWG_FILES[0].read_text(encoding="utf-8")
    head, _, rest = text.partition("\n")
    if change == "doctype":
        text = f'{head}\n<!DOCTYPE definitions [<!ENTITY x "y">]>\n{rest}'
    elif change == "too large":
        text = text.replace("</semantic:definitions>",
                            f"<!-- {'x' * 5 * 1024 * 1024} --></semantic:definitions>")
    else:
        text = f"{head}\n<html><body>{rest[:100].replace('<', '')}</body></html>"
    response = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE, "bpmn": text})
    if change == "not bpmn":
        # Readable XML is kept as a draft: it only says what it is not.
        assert response.status_code == 201, response.get_json()
        assert [p["rule"] for p in response.get_json()["problems"]] == ["xml"]
        return
    assert response.status_code == 422, response.get_json()
    detail = response.get_json()["error"]["details"][0]
    assert detail["field"] == "bpmn" and VIETNAMESE.search(detail["message"].lower())
    if change == "doctype":
        assert detail["line"] == 2


def test_a_file_that_cannot_be_read_is_refused_on_the_page_naming_its_line(
        app: Flask, sample: dict[str, Any]) -> None:
    head, _, rest = as_stored(MIWG_FILES[0].read_bytes()).partition("\n")
    unsafe = f'{head}\n<!DOCTYPE definitions [<!ENTITY x "y">]>\n{rest}'.encode()
    page = Browser(app, DESIGNER).post(f"/design/procedures/{PROCEDURE}/drafts", {
        "from": "bpmn", "bpmn": (io.BytesIO(unsafe), MIWG_FILES[0].name)},
        content_type="multipart/form-data")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Không đọc được tệp BPMN" in html and "(dòng 2)" in html
    assert db.session.scalars(db.select(ProcessDraft)).first() is None


@pytest.mark.parametrize("where", ["bpmn", "form", "form key"])
def test_half_a_utf16_pair_is_refused_naming_the_field(api: Api, sample: dict[str, Any],
                                                       where: str) -> None:
    """JSON's "\\ud800" escape decodes to a character no text encodes: a 422 naming the
    field (and the line), on create and on save, never a 500."""
    text = as_stored(MIWG_FILES[0].read_bytes())
    head, _, rest = text.partition("\n")
    body: dict[str, Any] = {"bpmn": text}
    if where == "bpmn":
        body["bpmn"] = f'{head}\n<!-- \ud800 -->\n{rest}'
    elif where == "form":
        body["forms"] = {"to-khai": {"schema": {"type": "object", "title": "T\udc00"}}}
    else:
        body["forms"] = {"to-khai-\ud800": {"schema": {"type": "object"}}}
    created = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE, "bpmn": text})
    assert created.status_code == 201, created.get_json()
    for response in (
            api.post(DESIGNER, "/drafts", data=json.dumps({"procedure": PROCEDURE, **body}),
                     content_type="application/json"),
            api.call("PUT", DESIGNER, f"/drafts/{created.get_json()['id']}",
                     data=json.dumps({"revision": 1, **body}), content_type="application/json")):
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        (detail,) = response.get_json()["error"]["details"]
        assert detail["field"] == {"bpmn": "bpmn", "form": "forms.to-khai.schema.title"}.get(
            where, "forms")
        assert VIETNAMESE.search(detail["message"].lower())
        if where == "bpmn":
            assert detail["line"] == 2


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_form_holding_a_number_no_database_stores_is_refused(
        api: Api, sample: dict[str, Any], number: str) -> None:
    """Python's JSON reads NaN, Infinity and 1e400 (infinite); PostgreSQL's json refuses
    them (a 500) and no browser reads them back: a 422 naming "forms", on create and save."""
    text = as_stored(MIWG_FILES[0].read_bytes())
    forms = '{"to-khai": {"schema": {"type": "object", "maximum": ' + number + '}}}'
    created = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE, "bpmn": text})
    assert created.status_code == 201, created.get_json()
    for response in (
            api.post(DESIGNER, "/drafts", content_type="application/json",
                     data=json.dumps({"procedure": PROCEDURE, "bpmn": text})[:-1]
                     + f', "forms": {forms}}}'),
            api.call("PUT", DESIGNER, f"/drafts/{created.get_json()['id']}",
                     content_type="application/json",
                     data=f'{{"revision": 1, "forms": {forms}}}')):
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        (detail,) = response.get_json()["error"]["details"]
        assert detail["field"] == "forms.to-khai.schema.maximum"
        assert ("NaN" if number == "NaN" else "Infinity") in detail["message"]
