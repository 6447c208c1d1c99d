"""Never a 500 for bad input (issue 11, item 1), on both databases: ids past an INTEGER
column in every int path part; NUL and half a UTF-16 pair in the path, query, form, JSON and
file names, the public lookup and the token endpoint included; bytes that are not UTF-8;
offsets and limits past any column; JSON nested 10,000 deep and 5,000-digit integers (in API
bodies, a designer's form file and an e-form); dates at the ends of the calendar."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from motcua.db import INTEGER_MAX
from motcua.dossiers.models import Attachment, Dossier
from motcua.history.models import HistoryEvent
from motcua.input_guard import IdConverter
from motcua.tasks.models import Task
from support.api import Api, assert_error, count, dossier_body, fields_of, received
from support.sample import SAMPLE_BPMN
from support.web import Browser, Isolated, as_form, text

ADMIN = "qt.binh"  # designer and admin of the sample province
AUDITOR = "ks.nga"
RECEIVER = "mc.lan"
PAST_INTEGER = [2**31, 2**63, 2**64]
DEEP = "[" * 10_000 + "]" * 10_000
LONG_NUMBER = "9" * 5_000
CALENDAR_ENDS = ["0001-01-01", "9999-12-31"]
MOMENT_ENDS = ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00", "9999-12-31T23:59"]


def written() -> tuple[int, ...]:
    return count(Dossier), count(HistoryEvent), count(Task), count(Attachment)


def _is_page_error(response: Any, status: int) -> str:
    assert response.status_code == status, (response.status_code, text(response)[:300])
    assert response.mimetype == "text/html"
    return text(response)


# ------------------------------------------------------------------ ids in path parts


def _int_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules()
                   if any(isinstance(c, IdConverter) for c in r._converters.values())),
                  key=lambda r: r.rule)


def _filled(rule: Rule, number: int | str) -> str:
    # Any text part names nothing that exists; each int part gets the number.
    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?[a-z_]+>",
                  lambda m: str(number) if m.group(1) == "int" else "X", rule.rule)


def test_every_int_path_part_is_the_bounded_converter(app: Flask) -> None:
    rules = _int_rules(app)
    # Ids of dossiers' attachments, tasks, drafts and process versions, pages and API.
    assert {"/api/v1/tasks/<int:task_id>", "/api/v1/drafts/<int:draft_id>",
            "/api/v1/processes/<int:version_id>", "/tasks/<int:task_id>",
            "/dossiers/<code>/attachments/<int:attachment_id>"} <= {r.rule for r in rules}
    assert not [r.rule for r in app.url_map.iter_rules()
                if re.search(r"<int", r.rule) and r not in rules]


@pytest.mark.parametrize("number", [*PAST_INTEGER, "-1", "9" * 5000, INTEGER_MAX])
def test_an_id_past_the_column_is_404_on_every_int_rule(app: Flask, sample: Any, api: Api,
                                                        number: int | str) -> None:
    """Each rule with an int part, each method, as the admin-designer (API by bearer token,
    pages in a browser session); INTEGER_MAX itself matches, and names nothing or is
    refused for its body first."""
    expected = {400, 404, 422} if number == INTEGER_MAX else {404}
    headers = {"Authorization": f"Bearer {api.token(ADMIN)}"}
    browser = Browser(app, ADMIN)
    before = written()
    for rule in _int_rules(app):
        path = _filled(rule, number)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/"):
                response = api.client.open(path, method=method, headers=headers, json={})
                assert response.status_code in expected, (method, path, response.status_code)
                assert_error(response, response.status_code)
            else:
                response = (browser.get(path) if method == "GET" else
                            browser.client.open(path, method=method,
                                                data={"csrf_token": browser.csrf}))
                assert response.status_code in expected, (method, path, response.status_code)
    assert written() == before


@pytest.mark.parametrize("path", ["/dossiers/{code}/history", "/audit/dossiers/{code}"])
def test_an_audit_of_a_huge_number_is_a_plain_404(sample: Any, api: Any, path: str) -> None:
    for number in (*PAST_INTEGER, -2**63):
        assert_error(api.get(AUDITOR, path.format(code=number)), 404)


def test_the_api_document_states_the_bound(app: Flask, client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    parameter = next(p for p in spec["paths"]["/api/v1/tasks/{task_id}"]["parameters"]
                     if p["name"] == "task_id")
    assert parameter["schema"]["maximum"] == INTEGER_MAX


# ------------------------------------------------------------------ offsets, limits, numbers


@pytest.mark.parametrize("user,path,field", [
    (RECEIVER, "/tasks", "offset"), (RECEIVER, "/tasks", "limit"),
    (RECEIVER, "/dossiers", "offset"), (RECEIVER, "/dossiers", "limit"),
    (AUDITOR, "/audit/access-log", "offset"), (AUDITOR, "/audit/access-log", "limit"),
    (AUDITOR, "/audit/integrity", "limit"),
    (AUDITOR, "/audit/indicators/DVC.1/dossiers", "offset"),
])
@pytest.mark.parametrize("number", [*PAST_INTEGER, -2**63, LONG_NUMBER])
def test_paging_past_any_column_is_422_naming_it(sample: Any, api: Any, user: str, path: str,
                                                 field: str, number: int | str) -> None:
    response = api.get(user, path, query_string={field: str(number)})
    assert field in fields_of(assert_error(response, 422))


@pytest.mark.parametrize("body,field", [
    ({"sets": 2**63}, "sets"),
    ({"documents": [{"name": "Tờ khai", "original": 2**31}]}, "documents.0.original"),
])
def test_a_huge_integer_in_a_body_is_422(sample: Any, api: Any, body: dict[str, Any],
                                         field: str) -> None:
    before = written()
    error = assert_error(api.post(RECEIVER, "/dossiers", json=dossier_body(**body)), 422)
    assert any(f.startswith(field.split(".")[0]) for f in fields_of(error)), error
    assert written() == before


def test_a_huge_revision_is_422(sample: Any, api: Any) -> None:
    draft = api.post(ADMIN, "/drafts", json={"procedure": "2.000488"})
    assert draft.status_code == 201, draft.get_json()
    response = api.call("PUT", ADMIN, f"/drafts/{draft.get_json()['id']}",
                        json={"revision": 2**63})
    assert "revision" in fields_of(assert_error(response, 422))


@pytest.mark.parametrize("path", ["/tasks", "/dossiers", "/design", "/audit",
                                  "/audit/indicators", "/tracking-book"])
@pytest.mark.parametrize("page", [str(2**63), LONG_NUMBER, "-1", "²"])
def test_a_page_number_of_any_size_is_no_500(app: Flask, sample: Any, path: str,
                                            page: str) -> None:
    user = AUDITOR if path.startswith("/audit") else ADMIN if path == "/design" else RECEIVER
    response = Browser(app, user).get(path, query_string={"page": page})
    assert response.status_code in (200, 400, 403, 422), (path, response.status_code)


@pytest.mark.parametrize("number", [str(2**31), str(2**63), LONG_NUMBER, "²", "-1"])
def test_a_number_in_a_page_query_is_no_500(app: Flask, sample: Any, api: Api,
                                            number: str) -> None:
    code, _receive = received(api)
    response = Browser(app, RECEIVER).get(f"/dossiers/{code}/documents/receipt",
                                          query_string={"id": number})
    assert response.status_code == 404, response.status_code
    response = Browser(app, AUDITOR).get("/audit/integrity/log",
                                         query_string={"size": number, "root": "ab"})
    assert response.status_code in (200, 422), response.status_code


# ------------------------------------------------------------------ NUL and half a UTF-16 pair


@pytest.mark.parametrize("path,user", [
    ("/lookup/A%00B", None), ("/dossiers/A%00B", RECEIVER), ("/dossiers/A%00B/history", AUDITOR),
    ("/audit/dossiers/A%00B", AUDITOR), ("/drafts/1/forms/a%00b", ADMIN),
])
def test_nul_in_an_api_path_is_422(sample: Any, api: Any, path: str, user: str | None) -> None:
    error = assert_error(api.get(user, path), 422)
    assert fields_of(error) == {"path"} and "NUL" in error["message"]


@pytest.mark.parametrize("path,user", [("/lookup/A%00B", None), ("/dossiers/A%00B", RECEIVER),
                                       ("/design/procedures/2.000488%00", ADMIN)])
def test_nul_in_a_page_path_is_a_422_page(app: Flask, sample: Any, path: str,
                                          user: str | None) -> None:
    client = Browser(app, user) if user else Isolated(app.test_client())
    assert "NUL" in _is_page_error(client.get(path), 422)


@pytest.mark.parametrize("path", ["/lookup/%ED%A0%80", "/dossiers/%ED%A0%80", "/dossiers/%FF",
                                  "/tasks?procedure=%ED%A0%80", "/dossiers?q=%FF%FE"])
def test_bytes_that_are_not_utf8_in_percent_escapes_are_no_500(sample: Any, api: Any,
                                                               path: str) -> None:
    """Werkzeug decodes a path with "replace" (U+FFFD) and keeps a query's invalid escapes
    as they were: half a UTF-16 pair never comes from them (only from JSON's \\ud800)."""
    response = api.get(RECEIVER, path)
    assert response.status_code in (200, 404, 422), response.get_data(as_text=True)[:200]


@pytest.mark.parametrize("user,path,query,field", [
    (None, "/lookup/X", {"code": "\x00"}, "code"),
    (RECEIVER, "/tasks", {"procedure": "\x00"}, "procedure"),  # a 500 on PostgreSQL before
    (RECEIVER, "/dossiers", {"q": "a\x00"}, "q"),
    (RECEIVER, "/dossiers", {"\x00": "1"}, "\\u0000"),
    (AUDITOR, "/audit/access-log", {"user": "\x00"}, "user"),
    (AUDITOR, "/audit/execution", {"procedure": "\x00"}, "procedure"),
    (RECEIVER, "/calendar/due", {"start": "2026-03-16T08:00", "duration": "1d\x00"},
     "duration"),
])
def test_nul_in_a_query_is_422_naming_the_parameter(sample: Any, api: Any, user: str | None,
                                                    path: str, query: dict[str, str],
                                                    field: str) -> None:
    assert fields_of(assert_error(api.get(user, path, query_string=query), 422)) == {field}


@pytest.mark.parametrize("path,user", [("/lookup?code=%00", None), ("/dossiers?q=%00", RECEIVER),
                                       ("/tasks?q=%00", RECEIVER), ("/audit?user=%00", AUDITOR),
                                       ("/login?next=%00", None)])
def test_nul_in_a_page_query_is_a_422_page(app: Flask, sample: Any, path: str,
                                           user: str | None) -> None:
    client = Browser(app, user) if user else Isolated(app.test_client())
    _is_page_error(client.get(path), 422)


@pytest.mark.parametrize("body", ['{"username": "mc.lan\\u0000", "password": "x"}',
                                  '{"username": "mc.lan", "password": "\\ud800"}',
                                  '{"username\\udfff": "mc.lan", "password": "x"}'])
def test_the_token_endpoint_refuses_them_in_json(sample: Any, api: Any, body: str) -> None:
    response = api.post(None, "/auth/token", data=body, content_type="application/json")
    assert_error(response, 422)


def test_the_token_endpoint_refuses_them_in_a_form(sample: Any, api: Any) -> None:
    response = api.post(None, "/auth/token", data={"username": "mc.lan\x00", "password": "x"})
    assert fields_of(assert_error(response, 422)) == {"username"}


def test_the_login_form_refuses_them(app: Flask, sample: Any) -> None:
    client = Isolated(app.test_client())
    response = client.post("/login", data={"username": "mc.lan\x00", "password": "x"})
    assert "NUL" in _is_page_error(response, 422)


def test_the_reception_form_refuses_them_and_writes_nothing(app: Flask, sample: Any) -> None:
    browser = Browser(app, RECEIVER)
    before = written()
    fields = {**as_form({"name": "Nguyễn Văn\x00 Nộp", "phone": "0912345678"}, "applicant"),
              "channel": "direct", "outcome": "accept"}
    response = browser.post("/dossiers/new?procedure=2.000488", fields)
    assert "applicant.name" in _is_page_error(response, 422)
    assert written() == before


def test_an_officers_task_form_refuses_them(app: Flask, sample: Any, api: Api) -> None:
    _code, receive = received(api)
    before = written()
    response = Browser(app, RECEIVER).post(f"/tasks/{receive['id']}",
                                           {"note\x00": "x", "outcome": "accept"})
    _is_page_error(response, 422)
    response = api.post(RECEIVER, f"/tasks/{receive['id']}/complete",
                        json={"outcome": "accept", "data": {"x": "\x00"}})
    assert fields_of(assert_error(response, 422)) == {"data.x"}
    assert written() == before


@pytest.mark.parametrize("name", ["to-khai\x00.pdf", "to-khai.pdf\x00.exe"])
def test_a_file_name_with_nul_is_refused(app: Flask, sample: Any, api: Api, name: str) -> None:
    code, _receive = received(api)
    before = written()
    response = Browser(app, RECEIVER).post(
        f"/dossiers/{code}/attachments",
        {"attachments": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), name)]},
        content_type="multipart/form-data")
    _is_page_error(response, 422)
    response = api.post(ADMIN, "/drafts", data={
        "procedure": "2.000488", "bpmn": (io.BytesIO(SAMPLE_BPMN.read_bytes()), name)},
        content_type="multipart/form-data")
    assert fields_of(assert_error(response, 422)) == {"bpmn"}
    assert written() == before


# ------------------------------------------------------------------ bytes that are not UTF-8


# The WSGI environ holds the raw bytes as latin-1 text, as a server passes them.
def _raw(name: str, value: str) -> dict[str, Any]:
    return {"environ_overrides": {name: value}}


def test_a_raw_query_that_is_not_utf8_is_400(app: Flask, sample: Any, api: Any) -> None:
    assert_error(api.get(RECEIVER, "/dossiers", **_raw("QUERY_STRING", "q=\xff")), 400)
    assert_error(api.get(None, "/lookup/X", **_raw("QUERY_STRING", "\xfe=1")), 400)
    page = Isolated(app.test_client()).get("/lookup", **_raw("QUERY_STRING", "code=\xff"))
    _is_page_error(page, 400)


def test_a_cookie_that_is_not_utf8_is_no_500(app: Flask) -> None:
    client = Isolated(app.test_client())
    assert client.get("/login", **_raw("HTTP_COOKIE", "session=\xff")).status_code == 200


def test_a_form_body_that_is_not_utf8_reads_as_empty(app: Flask, sample: Any,
                                                     api: Any) -> None:
    """Werkzeug's form parser reads it as an empty form: the fields are then missing."""
    form = "application/x-www-form-urlencoded"
    response = api.post(None, "/auth/token", data=b"username=\xff&password=\xfe",
                        content_type=form)
    assert fields_of(assert_error(response, 422)) == {"username", "password"}
    response = api.post(None, "/auth/token", data=b"--b\r\nContent-Disposition: form-data; "
                        b'name="\xff"\r\n\r\nx\r\n--b--\r\n',
                        content_type="multipart/form-data; boundary=b")
    assert_error(response, 422)


def test_a_form_part_without_a_readable_name_is_no_500(sample: Any, api: Any) -> None:
    # Found by the fuzzing run: werkzeug names such a part None.
    body = b'--B\r\nContent-Disposition: form-data; name="\r"\r\n\r\nnull\r\n--B--\r\n'
    response = api.post(ADMIN, "/drafts", data=body,
                        content_type="multipart/form-data; boundary=B")
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]


# ------------------------------------------------------------------ deep JSON, long numbers


@pytest.mark.parametrize("payload", [DEEP, '{"procedure": ' + LONG_NUMBER + "}",
                                     '{"data": {"so_luong": -' + LONG_NUMBER + "}}"])
@pytest.mark.parametrize("user,path", [(RECEIVER, "/dossiers"),
                                       (RECEIVER, "/tasks/{task}/complete"),
                                       (None, "/auth/token"), (ADMIN, "/drafts"),
                                       (ADMIN, "/drafts/{draft}"),
                                       (AUDITOR, "/audit/integrity/verify")])
def test_deep_json_and_long_numbers_in_api_bodies_are_400(sample: Any, api: Any,
                                                         user: str | None, path: str,
                                                         payload: str) -> None:
    _code, receive = received(api)
    draft = api.post(ADMIN, "/drafts", json={"procedure": "2.000488"}).get_json()
    before = written()
    method = "PUT" if path == "/drafts/{draft}" else "POST"
    response = api.call(method, user, path.format(task=receive["id"], draft=draft["id"]),
                        data=payload, content_type="application/json")
    assert_error(response, 400)
    assert written() == before


@pytest.mark.parametrize("content", [DEEP.encode(), b'{"type": "object", "maxLength": '
                                     + LONG_NUMBER.encode() + b"}",
                                     b'{"type": "object", "properties": ' + b'{"a": ' * 5000
                                     + b"{}" + b"}" * 5000 + b"}"])
def test_a_designer_form_file_nested_deep_or_with_a_long_number_is_refused(
        sample: Any, api: Any, content: bytes) -> None:
    response = api.post(ADMIN, "/drafts", data={
        "procedure": "2.000488", "bpmn": (io.BytesIO(SAMPLE_BPMN.read_bytes()), "q.bpmn"),
        "forms": [(io.BytesIO(content), "to-khai-ly-lich-tu-phap.schema.json")]},
        content_type="multipart/form-data")
    assert response.status_code in (201, 400, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 201:  # kept as a draft, its problems listed
        assert response.get_json()["problems"]


@pytest.mark.parametrize("value", [LONG_NUMBER, "-" + LONG_NUMBER, "1" * 400 + ".5", "1e99999"])
def test_an_eform_number_of_any_length_is_422_on_the_reception_page(app: Flask, sample: Any,
                                                                    value: str) -> None:
    browser = Browser(app, RECEIVER)
    before = written()
    fields = {**as_form({"name": "Nguyễn Văn Nộp", "phone": "0912345678"}, "applicant"),
              "data.so_luong": value, "channel": "direct", "outcome": "accept"}
    response = browser.post("/dossiers/new?procedure=2.000488", fields)
    assert response.status_code == 422, text(response)[:300]
    assert written() == before


def test_a_row_index_that_is_no_number_is_no_500(app: Flask, sample: Any) -> None:
    fields = {"step.thanh_phan[²].ten": "x", f"step.thanh_phan[{LONG_NUMBER}].ten": "y",
              "_action": "remove:step.thanh_phan:²", "channel": "direct"}
    response = Browser(app, RECEIVER).post("/dossiers/new?procedure=2.000488", fields)
    assert response.status_code in (200, 422), text(response)[:300]


# ------------------------------------------------------------------ the ends of the calendar


@pytest.mark.parametrize("user,path,field", [
    (RECEIVER, "/dossiers", "from"), (RECEIVER, "/dossiers", "to"),
    (RECEIVER, "/procedures", "on"),
    (AUDITOR, "/audit/access-log", "from"), (AUDITOR, "/audit/access-log", "to"),
    (AUDITOR, "/audit/execution", "from"), (AUDITOR, "/audit/execution/dossiers", "to"),
    (AUDITOR, "/audit/indicators", "from"), (AUDITOR, "/audit/indicators", "to"),
    (AUDITOR, "/audit/statistics", "from"), (AUDITOR, "/audit/conformance", "date"),
])
@pytest.mark.parametrize("day", CALENDAR_ENDS)
def test_a_day_at_the_ends_of_the_calendar_is_refused_naming_it(
        sample: Any, api: Any, user: str, path: str, field: str, day: str) -> None:
    response = api.get(user, path, query_string={field: day})
    error = assert_error(response, response.status_code)
    assert response.status_code in (400, 422), error
    assert field in fields_of(error), error


@pytest.mark.parametrize("start", [*MOMENT_ENDS, *CALENDAR_ENDS])
@pytest.mark.parametrize("duration", ["1d", "3650d"])
def test_calendar_due_at_the_ends_of_the_calendar_is_422(sample: Any, api: Any, start: str,
                                                        duration: str) -> None:
    response = api.get(RECEIVER, "/calendar/due",
                       query_string={"start": start, "duration": duration})
    assert fields_of(assert_error(response, 422)) == {"start"}


def test_calendar_due_at_its_last_year_still_answers(sample: Any, api: Any) -> None:
    response = api.get(RECEIVER, "/calendar/due",
                       query_string={"start": "2999-12-30T08:00", "duration": "3650d"})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("moment", MOMENT_ENDS)
def test_an_apology_due_at_the_ends_of_the_calendar_is_422(sample: Any, api: Api,
                                                          moment: str) -> None:
    code, _receive = received(api)
    before = written()
    response = api.post(RECEIVER, f"/dossiers/{code}/apology",
                        json={"reason": "Chậm do thẩm tra", "new_due": moment})
    assert "new_due" in fields_of(assert_error(response, response.status_code))
    assert response.status_code in (403, 422)
    assert written() == before


@pytest.mark.parametrize("day", CALENDAR_ENDS)
def test_publishing_effective_at_the_ends_of_the_calendar_is_422(sample: Any, api: Any,
                                                                 day: str) -> None:
    draft = api.post(ADMIN, "/drafts", json={"procedure": "2.000488"}).get_json()
    response = api.post(ADMIN, f"/drafts/{draft['id']}/publish", json={"effective": day})
    assert "effective" in fields_of(assert_error(response, 422))


@pytest.mark.parametrize("path,user", [("/dossiers", RECEIVER), ("/tasks", RECEIVER),
                                       ("/tracking-book", RECEIVER),
                                       ("/audit/execution", AUDITOR),
                                       ("/audit/indicators", AUDITOR),
                                       ("/audit/access-log", AUDITOR),
                                       ("/audit/statistics", AUDITOR)])
@pytest.mark.parametrize("day", CALENDAR_ENDS)
def test_a_page_filter_at_the_ends_of_the_calendar_is_no_500(app: Flask, sample: Any,
                                                              path: str, user: str,
                                                              day: str) -> None:
    response = Browser(app, user).get(path, query_string={"from": "2026-01-01", "to": day})
    assert response.status_code in (200, 400, 422), (path, response.status_code)
    response = Browser(app, user).get(path, query_string={"from": day})
    assert response.status_code in (200, 400, 422), (path, response.status_code)


def test_a_json_content_type_with_no_body_is_no_body(sample: Any, api: Any) -> None:
    # A browser's fetch of a POST or GET without a body still says application/json (the
    # modeler's "Kiểm tra", its reload after a conflict): that is no body, not bad JSON.
    draft = api.post(ADMIN, "/drafts", json={"procedure": "2.000488"}).get_json()
    check = api.call("POST", ADMIN, f"/drafts/{draft['id']}/check", data=b"",
                     content_type="application/json")
    assert check.status_code == 200, check.get_json()
    reread = api.call("GET", ADMIN, f"/drafts/{draft['id']}", content_type="application/json")
    assert reread.status_code == 200, reread.get_json()
