"""Adversarial inputs to the designer's API and pages: nothing a designer (or anyone) sends
is a 500, nothing refused is stored, and what is stored is what was sent."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from motcua.db import db
from motcua.design.models import DraftRevision, ProcessDraft
from motcua.errors import Invalid
from motcua.processes.models import ProcessVersion
from motcua.uploads import read_upload
from support.api import PROCEDURE, Api
from support.sample import SAMPLE_BPMN
from support.web import Browser, Isolated, sign_in

DESIGNER = "qt.binh"


@pytest.fixture
def designer_api(sample: dict[str, Any], make_api: Callable[[list[dict[str, Any]]], Api]
                 ) -> Api:
    return make_api(sample["users"])


def counts() -> tuple[int, int, int]:
    return (len(db.session.scalars(db.select(ProcessDraft)).all()),
            len(db.session.scalars(db.select(DraftRevision)).all()),
            len(db.session.scalars(db.select(ProcessVersion)).all()))


BIG = "9" * 30


@pytest.mark.parametrize("method,path", [
    ("GET", f"/drafts/{BIG}"), ("PUT", f"/drafts/{BIG}"), ("POST", f"/drafts/{BIG}/check"),
    ("POST", f"/drafts/{BIG}/publish"), ("GET", f"/processes/{BIG}/bpmn"),
    ("POST", f"/processes/{BIG}/retire"),
])
def test_a_huge_id_in_the_path_is_404(designer_api: Api, method: str, path: str) -> None:
    response = designer_api.call(method, DESIGNER, path,
                                 json={"revision": 1} if method == "PUT" else {})
    assert response.status_code == 404, response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    f"/design/versions/{BIG}/retire",
])
def test_a_huge_id_in_a_page_post_is_404(app: Flask, sample: dict[str, Any], path: str) -> None:
    assert Browser(app, DESIGNER).post(path).status_code == 404


@pytest.mark.parametrize("query", ["page=-1", f"page={BIG}", "page=x", "q=" + "%" * 5000,
                                   "q=%00", "q=\U0001f600" * 50])
def test_odd_library_queries_answer_a_page(app: Flask, sample: dict[str, Any],
                                           query: str) -> None:
    # A NUL is refused before any view (motcua.input_guard), on an error page.
    expected = 422 if "%00" in query else 200
    assert Browser(app, DESIGNER).get(f"/design?{query}").status_code == expected


def test_a_search_for_a_wildcard_finds_only_what_contains_it(
        app: Flask, sample: dict[str, Any]) -> None:
    page = Browser(app, DESIGNER).get("/design?q=%25").get_data(as_text=True)
    assert PROCEDURE not in page


@pytest.mark.parametrize("data", [
    {"from": "version", "version": BIG}, {"from": "version", "version": "-1"},
    {"from": "version", "version": "x"}, {"from": "nothing"}, {},
    {"from": ["blank", "decision"]},
])
def test_odd_new_draft_forms_are_not_500(app: Flask, sample: dict[str, Any],
                                         data: dict[str, Any]) -> None:
    response = Browser(app, DESIGNER).post(f"/design/procedures/{PROCEDURE}/drafts", data)
    assert response.status_code < 500, response.get_data(as_text=True)


def utf16(text: str) -> bytes:
    return text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def test_a_utf16_bpmn_with_a_bom_is_stored_as_the_same_text(designer_api: Api) -> None:
    text = SAMPLE_BPMN.read_text(encoding="utf-8")
    assert 'encoding="UTF-8"' in text
    response = designer_api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE, "bpmn": (io.BytesIO(utf16(text)), "utf16.bpmn")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    shown = designer_api.get(DESIGNER, f"/drafts/{response.get_json()['id']}").get_json()
    assert shown["bpmn"] == text
    assert not [p for p in shown["problems"] if p["rule"] == "xml"]


def test_a_latin1_declared_bpmn_keeps_its_characters(designer_api: Api) -> None:
    text = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
            '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
            '<process id="p" name="Café"/></definitions>')
    response = designer_api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE, "bpmn": (io.BytesIO(text.encode("latin-1")), "l.bpmn")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    shown = designer_api.get(DESIGNER, f"/drafts/{response.get_json()['id']}").get_json()
    assert 'name="Café"' in shown["bpmn"]
    assert not [p for p in shown["problems"] if p["rule"] == "xml"]


def test_non_utf8_bytes_without_a_declaration_are_refused(designer_api: Api) -> None:
    before = counts()
    response = designer_api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE,
        "bpmn": (io.BytesIO(b'<definitions name="\xff\xfe\xe9"/>'), "x.bpmn")},
        content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    assert counts() == before


def test_a_six_megabyte_bpmn_is_refused(designer_api: Api) -> None:
    # Sent as JSON: a multipart file this large makes werkzeug's test client spool it to a
    # temporary file it never closes (a ResourceWarning, whichever endpoint takes it).
    before = counts()
    big = "<definitions>" + " " * (6 * 1024 * 1024) + "</definitions>"
    response = designer_api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE,
                                                           "bpmn": big})
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["details"][0]["field"] == "bpmn"
    assert counts() == before


def test_an_upload_over_five_megabytes_is_refused_before_it_is_read_whole() -> None:
    upload = FileStorage(io.BytesIO(b"<x/>" + b" " * (6 * 1024 * 1024)), "big.bpmn")
    with pytest.raises(Invalid) as refused:
        read_upload(upload, "bpmn")
    assert refused.value.details[0]["field"] == "bpmn"


def test_a_very_long_upload_name_is_not_500(designer_api: Api) -> None:
    response = designer_api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE,
        "bpmn": (io.BytesIO(SAMPLE_BPMN.read_bytes()), "a" * 400 + ".bpmn")},
        content_type="multipart/form-data")
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]


def test_a_nul_in_a_form_is_not_500(designer_api: Api) -> None:
    response = designer_api.post(DESIGNER, "/drafts", json={
        "procedure": PROCEDURE, "forms": {"f": {"schema": {"title": "a\u0000b"}}}})
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("depth", [900, 5000])
def test_deeply_nested_forms_are_not_500(designer_api: Api, depth: int) -> None:
    """A draft may hold an odd schema; one nested past what a parser follows is refused."""
    nested = '{"a":' * depth + "1" + "}" * depth
    expected = (201, 200) if depth < 1000 else (400, 400)
    draft = designer_api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE}).get_json()
    before = counts()
    response = designer_api.post(
        DESIGNER, "/drafts", content_type="application/json",
        data=f'{{"procedure": "{PROCEDURE}", "forms": {{"f": {{"schema": {nested}}}}}}}')
    saved = designer_api.call("PUT", DESIGNER, f"/drafts/{draft['id']}",
                              content_type="application/json",
                              data=f'{{"revision": 1, "forms": {{"f": {{"schema": {nested}}}}}}}')
    assert (response.status_code, saved.status_code) == expected, saved.get_data(as_text=True)
    if depth >= 1000:
        assert counts() == before


@pytest.mark.parametrize("body", ["{not json", '{"effective": "2026-13-45"}',
                                  '{"effective": 5}', "[]"])
def test_a_malformed_publish_is_not_500(designer_api: Api, body: str) -> None:
    draft = designer_api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE}).get_json()
    response = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish", data=body,
                                 content_type="application/json")
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]


def test_a_session_write_to_the_api_needs_the_csrf_header(
        app: Flask, sample: dict[str, Any]) -> None:
    client = Isolated(app.test_client())
    token = sign_in(client, DESIGNER, "demo-Binh-2026")
    before = counts()
    refused = client.post("/api/v1/drafts", json={"procedure": PROCEDURE})
    assert refused.status_code in (400, 403)
    assert counts() == before
    made = client.post("/api/v1/drafts", json={"procedure": PROCEDURE},
                       headers={"X-CSRFToken": token})
    assert made.status_code == 201


@pytest.mark.parametrize("code", ["a\u0000b", "x" * 10_000, "2.000488\n"])
def test_an_odd_procedure_code_is_404(app: Flask, designer_api: Api, code: str) -> None:
    from urllib.parse import quote
    # A NUL in a query or a path is refused before any view (motcua.input_guard).
    absent = 422 if "\x00" in code else 404
    assert designer_api.get(DESIGNER, f"/drafts?procedure={quote(code)}").status_code == absent
    assert designer_api.get(DESIGNER, f"/processes?procedure={quote(code)}").status_code == absent
    for path in ("/drafts", "/drafts/generate"):
        answer = designer_api.post(DESIGNER, path, json={"procedure": code})
        if "\x00" in code:
            # A body holding what no database stores is refused as a body, naming the field.
            assert answer.status_code == 422
            assert answer.get_json()["error"]["details"][0]["field"] == "procedure"
        else:
            assert answer.status_code == 404
    browser = Browser(app, DESIGNER)
    assert browser.get(f"/design/procedures/{quote(code, safe='')}").status_code == absent
    assert browser.post(f"/design/procedures/{quote(code, safe='')}/drafts",
                        {"from": "blank"}).status_code == absent


def test_a_procedure_code_holding_half_a_utf16_pair_is_a_422(
        app: Flask, designer_api: Api) -> None:
    """JSON's lone "\\ud800" decodes to a text no encoding holds: it was a 500 when the
    code reached the database."""
    for path in ("/drafts", "/drafts/generate"):
        answer = designer_api.post(DESIGNER, path, data='{"procedure": "2.000488\\ud800"}',
                                   content_type="application/json")
        assert answer.status_code == 422, answer.get_data(as_text=True)[:200]
        assert answer.get_json()["error"]["details"][0]["field"] == "procedure"


@pytest.mark.parametrize("name,content", [
    ("bang.csv", "Bước,Nội dung công việc\n1,Tiếp nhận\n".encode("utf-16")),
    ("bang.csv", "Buoc;Noi dung;Trach nhiem\n1;Tiep\xe9;x\n".encode("latin-1")),
    ("bang.csv", b""), ("bang.csv", b"\x00" * 100), ("bang.xlsx", b"PK\x05\x06" + b"\x00" * 18),
    ("bang.exe", b"MZ\x90\x00"), ("bang", b"1,2,3\n"), ("bang.docx", b"not a zip"),
    ("bang.csv", b"a,b\n" * 100_000),  # under the test client's 500 KB spool
])
def test_an_odd_table_is_a_problem_never_a_500(app: Flask, designer_api: Api, name: str,
                                               content: bytes) -> None:
    before = counts()
    response = designer_api.post(DESIGNER, "/drafts/generate", data={
        "procedure": PROCEDURE, "table": (io.BytesIO(content), name)},
        content_type="multipart/form-data")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    page = Browser(app, DESIGNER).post(f"/design/procedures/{PROCEDURE}/drafts", {
        "from": "table", "table": (io.BytesIO(content), name)},
        content_type="multipart/form-data")
    assert page.status_code == 422, page.get_data(as_text=True)[:300]
    assert counts() == before


@pytest.mark.parametrize("name,content", [
    ("a.json", b"\xff\xfe not json"), ("a.json", b"[]"), ("a.json", b'{"type": 5}'),
    ("../../a.schema.json", b"{}"), ("", b"{}"),
])
def test_odd_form_files_are_refused_or_kept_never_a_500(designer_api: Api, name: str,
                                                        content: bytes) -> None:
    response = designer_api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE, "bpmn": (io.BytesIO(SAMPLE_BPMN.read_bytes()), "q.bpmn"),
        "forms": [(io.BytesIO(content), name)]}, content_type="multipart/form-data")
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("declared", ["ISO-8859-1", "UTF-16", "windows-1258"])
def test_bpmn_sent_as_text_is_kept_whatever_its_declaration_says(designer_api: Api,
                                                                 declared: str) -> None:
    # Text in JSON is already decoded: its declaration (kept from the file it was read
    # from) no longer says how it is encoded.
    text = SAMPLE_BPMN.read_text(encoding="utf-8")
    sent = "\ufeff" + text.replace('encoding="UTF-8"', f'encoding="{declared}"')
    response = designer_api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE,
                                                           "bpmn": sent})
    assert response.status_code == 201, response.get_json()
    shown = designer_api.get(DESIGNER, f"/drafts/{response.get_json()['id']}").get_json()
    assert shown["bpmn"] == text
