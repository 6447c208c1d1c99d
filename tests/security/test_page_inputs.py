"""Never a 500 from a page (issue 11, items 1 and 6), on both databases: every rule outside
/api/ and /static/, each method, signed in as a user its pages are for, with real ids in the
path, is sent hostile values in every path part, query parameter and form field the views
read (huge and odd numbers, dates at and past the ends of the calendar, long, empty, repeated
and odd unicode values), and the e-form posts get bracket names thousands deep, huge row
indexes and ten thousand fields. No answer is a server error, and nothing is written by a
request that is refused. The API has its own fuzzing run (tests/api/test_fuzz_openapi.py)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from motcua.db import db
from motcua.dossiers.models import Attachment, Dossier
from motcua.history.models import HistoryEvent
from motcua.tasks.models import Task
from support.api import PROCEDURE, Api, count, received
from support.web import Browser, text

ADMIN = "qt.binh"  # designer and admin
AUDITOR = "ks.nga"
RECEIVER = "mc.lan"

# Every name a page view reads from the query or the form (grep request.args/.form/.values
# in platform/motcua outside the API), and the e-form's own prefixes.
QUERY = ("against", "agency", "channel", "code", "date", "desk", "dossier", "findings",
         "format", "from", "group", "id", "key", "kind", "late", "limit", "next", "offset",
         "officer", "page", "period", "procedure", "q", "root", "size", "sort", "state",
         "status", "to", "user", "version", "with_findings", "_scheme", "_external",
         "_anchor", "_method")
FORM = ("cancel_confirm", "channel", "confirmed", "current", "dossier", "from", "kind",
        "new", "new_due", "next", "note", "outcome", "procedure", "reason", "repeat",
        "revision", "stop_reason", "title", "key", "version", "schema", "ui", "rule",
        "report_dates", "report_period", "process_update_days",
        "process_revision_directives", "extra_plugins", "_action", "applicant.name",
        "applicant.phone", "applicant.email", "applicant.id_number", "data.so_luong",
        "step.thanh_phan[0].ten", "sets")

HOSTILE = [
    str(2**63), "9" * 5_000, "-1", "1e400", "NaN", "0001-01-01", "9999-12-31", "31/02/2026",
    "", " ", "x" * 100_000, "\uffff\ufffe", "\u202e\u200f\u200b", "a" + "\u0301" * 500,
    "%zz", "../../etc/passwd", "[]", "²", "csv", "pdf",
]
DATE_KEYS = {"from", "to", "date", "period", "new_due"}
FORMATS = ["csv", "xlsx", "pdf", "html"]
DEEP_NAME = "data" + "[0]" * 5_000
LONG_MB = "x" * 1_000_000


def written() -> tuple[int, ...]:
    return count(Dossier), count(HistoryEvent), count(Task), count(Attachment)


def _user_for(rule: str) -> str:
    if rule.startswith("/audit"):
        return AUDITOR
    if rule.startswith("/design"):
        return ADMIN
    return RECEIVER


def _page_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules()
                   if not r.rule.startswith(("/api/", "/static"))
                   and r.endpoint != "static"),
                  key=lambda r: r.rule)


_PART = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")


def _filled(rule: Rule, parts: dict[str, str]) -> str:
    return _PART.sub(lambda m: parts[m.group(1)], rule.rule)


def _paths(rule: Rule, ids: dict[str, str]) -> Iterator[str]:
    """The rule with real ids, then each text part hostile in turn."""
    yield _filled(rule, ids)
    for match in _PART.finditer(rule.rule):
        if "int:" in match.group(0):
            continue
        for value in [*HOSTILE[:9], "x" * 5_000, "\u202e", "a\u0301"]:
            parts = {**ids, match.group(1): quote(value, safe="") or "%20"}
            yield _filled(rule, parts)


@pytest.fixture
def ids(app: Flask, sample: Any, api: Api) -> dict[str, str]:
    code, receive = received(api)
    draft = api.post(ADMIN, "/drafts", json={"procedure": PROCEDURE})
    assert draft.status_code == 201, draft.get_json()
    body = draft.get_json()
    forms = api.get(ADMIN, f"/drafts/{body['id']}/forms").get_json()
    form_key = (forms[0]["key"] if isinstance(forms, list) and forms
                else next(iter(body.get("forms") or {"form": 0})))
    versions = api.get(ADMIN, "/processes").get_json()
    version = (versions[0]["id"] if isinstance(versions, list) and versions
               else body.get("based_on") or 1)
    browser = Browser(app, RECEIVER)
    upload = browser.post(f"/dossiers/{code}/attachments",
                          {"attachments": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "giay.pdf")]},
                          content_type="multipart/form-data")
    assert upload.status_code < 400, text(upload)[:300]
    attachment = str(db.session.scalar(select(func.max(Attachment.id))))
    return {"code": code, "task_id": str(receive["id"]), "draft_id": str(body["id"]),
            "version_id": str(version), "key": str(form_key), "procedure": PROCEDURE,
            "period_id": "2026-03", "day": "2026-03-16", "kind": "receipt",
            "attachment_id": attachment}


def _check(response: Any, what: str, failures: list[str]) -> None:
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {what}: {text(response)[:200]!r}")


def test_every_page_query_and_path_part_is_no_500(app: Flask, ids: dict[str, str]) -> None:
    browsers = {u: Browser(app, u) for u in (ADMIN, AUDITOR, RECEIVER)}
    failures: list[str] = []
    for rule in _page_rules(app):
        if "GET" not in (rule.methods or set()) or rule.rule in ("/login",):
            continue
        browser = browsers[_user_for(rule.rule)]
        for n, path in enumerate(_paths(rule, ids)):
            _check(browser.get(path), f"GET {path[:120]}", failures)
            if n:
                continue
            for value in HOSTILE:
                _check(browser.get(path, query_string={k: value for k in QUERY}),
                       f"GET {path} all={value[:40]!r}", failures)
            for fmt in FORMATS:
                for value in ("9999-12-31", "9" * 5_000):
                    query = {k: value for k in QUERY if not k.startswith("_")}
                    _check(browser.get(path, query_string={**query, "format": fmt}),
                           f"GET {path} format={fmt} all={value[:40]!r}", failures)
            repeated = [(k, v) for k in QUERY for v in ("1", "2026-03-01", "", "x")]
            _check(browser.get(path, query_string=repeated), f"GET {path} repeated", failures)
    assert not failures, "\n".join(failures)


def test_every_page_form_post_is_no_500_and_a_refusal_writes_nothing(
        app: Flask, ids: dict[str, str]) -> None:
    browsers = {u: Browser(app, u) for u in (ADMIN, AUDITOR, RECEIVER)}
    failures: list[str] = []
    for rule in _page_rules(app):
        if "POST" not in (rule.methods or set()) or rule.rule in ("/login", "/logout",
                                                                  "/password"):
            continue
        browser = browsers[_user_for(rule.rule)]
        path = next(_paths(rule, ids))
        for value in HOSTILE:
            before = written()
            response = browser.post(path, {k: value for k in FORM})
            _check(response, f"POST {path} all={value[:40]!r}", failures)
            if response.status_code >= 400 and written() != before:
                failures.append(f"{response.status_code} POST {path} {value[:40]!r} wrote")
    assert not failures, "\n".join(failures)


EFORM_POSTS = {
    "deep": {DEEP_NAME: "x", "data" + "." * 5_000 + "x": "y",
             "data.a" + "[0]" * 2_000 + ".b": "z"},
    "huge index": {"data.rows[99999999].name": "x", f"data.rows[{2**63}].name": "y",
                   "step.thanh_phan[99999999].ten": "x", "data.rows[-1].name": "z"},
    "many fields": {f"data.f{i}": "x" for i in range(10_000)},
    "many rows": {f"step.thanh_phan[{i}].ten": "x" for i in range(1_000)},
    "one megabyte": {"data.ghi_chu": LONG_MB, "applicant.name": LONG_MB},
    "brackets": {"data[": "x", "data]": "x", "data[]": "x", "data[][]": "x",
                 "data..a": "x", "data.": "x", ".": "x", "[0]": "x", "data[0": "x"},
    "actions": {"_action": "add:" + "data.rows" + "[0]" * 1_000,
                "_action_2": "remove:step.thanh_phan:99999999"},
}


@pytest.mark.parametrize("case", list(EFORM_POSTS))
def test_an_eform_post_of_any_shape_is_no_500(app: Flask, ids: dict[str, str],
                                              case: str) -> None:
    fields = EFORM_POSTS[case]
    failures: list[str] = []
    reception = Browser(app, RECEIVER)
    for path in (f"/dossiers/new?procedure={PROCEDURE}", f"/tasks/{ids['task_id']}"):
        for extra in ({}, {"outcome": "accept", "channel": "direct"}):
            before = written()
            response = reception.post(path, {**fields, **extra})
            _check(response, f"POST {path} {case} {extra}", failures)
            if response.status_code >= 400 and written() != before:
                failures.append(f"{response.status_code} POST {path} {case} wrote")
    designer = Browser(app, ADMIN)
    preview = f"/design/drafts/{ids['draft_id']}/forms/{ids['key']}/preview"
    _check(designer.post(preview, fields), f"POST {preview} {case}", failures)
    assert not failures, "\n".join(failures)


def test_account_pages_take_any_value(app: Flask, sample: Any) -> None:
    failures: list[str] = []
    for value in [*HOSTILE[:12], "x" * 100_000, "\uffff", "\u202e"]:
        browser = Browser(app, "xa.chutich")
        _check(browser.post("/password", {"current": value, "new": value, "repeat": value}),
               f"POST /password {value[:40]!r}", failures)
        _check(browser.get("/login", query_string={"next": value}), "GET /login", failures)
        _check(browser.client.post("/login", data={"username": value, "password": value}),
               f"POST /login {value[:40]!r}", failures)
    assert not failures, "\n".join(failures)


def test_each_query_parameter_alone_is_no_500(app: Flask, ids: dict[str, str]) -> None:
    """One hostile parameter at a time: sent all at once, an early refusal of one hides
    what another does further on."""
    browsers = {u: Browser(app, u) for u in (ADMIN, AUDITOR, RECEIVER)}
    failures: list[str] = []
    for rule in _page_rules(app):
        if "GET" not in (rule.methods or set()) or rule.rule == "/login":
            continue
        browser = browsers[_user_for(rule.rule)]
        path = next(_paths(rule, ids))
        for key in QUERY:
            value = "0001-01-01" if key in DATE_KEYS else "9" * 5_000
            _check(browser.get(path, query_string={key: value}),
                   f"GET {path} {key}={value[:20]!r}", failures)
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------ regressions


@pytest.mark.parametrize("query", [{"_method": "x"}, {"_scheme": "javascript", "_external": "1"},
                                   {"_anchor": "x", "page": "2"}])
def test_a_link_to_the_same_page_takes_no_url_for_key_from_the_query(
        app: Flask, sample: Any, api: Api, monkeypatch: pytest.MonkeyPatch,
        query: dict[str, str]) -> None:
    """The tracking book's, a printed document's and the worklist's links to themselves
    copied the query into url_for: ``_method=x`` was a BuildError (a 500)."""
    import motcua.tasks.worklist as worklist

    received(api)
    code, _receive = received(api)
    monkeypatch.setattr(worklist, "PAGE_SIZE", 1)  # a pager on the worklist
    browser = Browser(app, RECEIVER)
    for path in ("/tracking-book", "/tasks", f"/dossiers/{code}/documents/receipt"):
        response = browser.get(path, query_string=query)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert "javascript:" not in text(response)
    assert 'rel="' in text(browser.get("/tasks", query_string=query))  # the pager shown


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "3000-01-01T08:00", "9999-12-31"])
def test_an_apology_due_past_the_calendar_on_the_page_is_refused(
        app: Flask, sample: Any, api: Api, moment: str) -> None:
    """It was kept, and then every view of the dossier overflowed counting working time
    to it (a 500 on the dossier's page from then on)."""
    code, _receive = received(api)
    browser = Browser(app, RECEIVER)
    before = written()
    response = browser.post(f"/dossiers/{code}/apology",
                            {"reason": "Chờ xác minh", "new_due": moment})
    assert response.status_code == 422, text(response)[:300]
    assert "2999" in text(response)
    assert written() == before
    assert browser.get(f"/dossiers/{code}").status_code == 200
