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
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from motcua.audit.integrity.seal import seal
from motcua.db import db
from motcua.dossiers.models import Attachment, Dossier
from motcua.forms.parsing import MAX_ROWS
from motcua.history.models import HistoryEvent
from motcua.processes.models import ProcessVersion
from motcua.tasks.models import Task
from support.api import PROCEDURE, Api, applicant, at_assignment, count, received
from support.clock import FakeClock
from support.paths import SAMPLES
from support.walk import Walker
from support.web import Browser, as_form, text

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


def _names(rule: Rule, ids: dict[str, str]) -> dict[str, str]:
    """The real value of each path part: ``<code>`` names a procedure under
    /design/procedures, ``<key>`` an indicator under /audit/indicators."""
    if rule.rule.startswith("/design/procedures/"):
        return {**ids, "code": ids["procedure"]}
    if rule.rule.startswith("/audit/indicators/"):
        return {**ids, "key": ids["indicator"]}
    if rule.rule.startswith("/dossiers/<code>/documents/"):
        return {**ids, "code": ids["printed"]}  # accepted: its receipt is printed
    return ids


def _filled(rule: Rule, parts: dict[str, str]) -> str:
    return _PART.sub(lambda m: parts[m.group(1)], rule.rule)


def _paths(rule: Rule, ids: dict[str, str]) -> Iterator[str]:
    """The rule with real ids, then each text part hostile in turn."""
    real = _names(rule, ids)
    yield _filled(rule, real)
    for match in _PART.finditer(rule.rule):
        if "int:" in match.group(0):
            continue
        for value in (str(2**63), "9" * 5_000, "0001-01-01", "31/02/2026", "", "x" * 5_000,
                      "\u202ea\u0301"):
            yield _filled(rule, {**real, match.group(1): quote(value, safe="") or "%20"})


@pytest.fixture
def ids(app: Flask, sample: Any, api: Api, clock: FakeClock) -> dict[str, str]:
    """Real names for every path part: a dossier with an attachment and its open task, a
    draft of the sample procedure with its first form, a published version, a sealed day,
    an indicator."""
    code, receive = received(api)
    draft = api.post(ADMIN, "/drafts", json={"procedure": PROCEDURE})
    assert draft.status_code == 201, draft.get_json()
    draft_id = draft.get_json()["id"]
    forms = api.get(ADMIN, f"/drafts/{draft_id}/forms").get_json()
    if forms["forms"]:
        form_key = forms["forms"][0]["key"]
    else:
        created = api.post(ADMIN, f"/drafts/{draft_id}/forms",
                           json={"revision": forms["revision"], "title": "Tờ khai thử"})
        assert created.status_code == 201, created.get_json()
        form_key = created.get_json()["key"]
    version = db.session.scalar(select(func.min(ProcessVersion.id))
                                .where(ProcessVersion.published_at.is_not(None)))
    upload = Browser(app, RECEIVER).post(
        f"/dossiers/{code}/attachments",
        {"attachments": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "giay.pdf")]},
        content_type="multipart/form-data")
    assert upload.status_code < 400, text(upload)[:300]
    printed, _assign = at_assignment(api)
    seal(clock().date(), clock())
    indicators = api.get(AUDITOR, "/audit/indicators").get_json()
    return {"code": code, "task_id": str(receive["id"]), "draft_id": str(draft_id),
            "version_id": str(version), "key": form_key, "procedure": PROCEDURE,
            "period_id": "2026-03", "day": clock().date().isoformat(), "kind": "receipt",
            "indicator": indicators["indicators"][0]["key"], "printed": printed,
            "attachment_id": str(db.session.scalar(select(func.max(Attachment.id))))}


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


class _Forms(HTMLParser):
    """The POST forms of a page: (action, {name: the value a browser would send})."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.forms.append((a.get("action", ""), {}))
            return
        if not self.forms or ("name" not in a and tag != "option"):
            return
        fields = self.forms[-1][1]
        if tag == "button" or a.get("type") == "submit":
            # The first button that names an outcome, as if the officer pressed it.
            if not a["name"].startswith("_"):
                fields.setdefault(a["name"], a.get("value", ""))
        elif tag == "input" and a.get("type") not in ("button", "file"):
            unticked = a.get("type") in ("checkbox", "radio") and "checked" not in a
            if not unticked or not fields.get(a["name"]):
                fields[a["name"]] = "" if unticked else a.get("value", "on")
        elif tag in ("textarea", "select"):
            fields.setdefault(a["name"], "")
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select and not fields.get(self._select):
            fields[self._select] = a.get("value", "")


START_FORM = "to-khai-ly-lich-tu-phap"
RECEIVE_FORM = "tiep-nhan"
DESTRUCTIVE = ("/stop", "/retire", "/delete", "/logout", "/claim", "/verify")


def _valid(action: str, fields: dict[str, str]) -> dict[str, str]:
    """The page's form filled as an officer would, so that one hostile field is what the
    view refuses (or keeps)."""
    forms = Walker(None, SAMPLES / "forms")
    # A row the page offers with a blank in it is no row the officer filled.
    blank = tuple(row for k, v in fields.items() if not v
                  for row in [k.rsplit(".", 1)[0]] if row.endswith("]"))
    fields = {k: v for k, v in fields.items()
              if (v or "[" not in k) and not k.startswith(blank or ("\0",))}
    if action.startswith("/dossiers/new"):
        return {**fields, **as_form(applicant(), "applicant"),
                **as_form(forms.data_for(START_FORM), "data"),
                **as_form(forms.data_for(RECEIVE_FORM), "step")}
    if action.startswith("/tasks/") and action.count("/") == 2:
        return {**fields, **as_form(forms.data_for(RECEIVE_FORM), "data")}
    if action.endswith("/apology"):
        return {**fields, "reason": "Chờ xác minh", "new_due": "2026-04-30T10:00"}
    return fields


def test_each_field_of_each_page_form_alone_is_no_500(app: Flask, api: Api,
                                                      ids: dict[str, str]) -> None:
    """Each POST form the pages show (reception, the task's e-form, apology, settings, the
    designer's), filled as a user would with one field hostile at a time: sent all at once,
    an early refusal hides what a later check does with one bad value."""
    browsers = {u: Browser(app, u) for u in (ADMIN, AUDITOR, RECEIVER)}
    found: dict[str, tuple[Browser, dict[str, str]]] = {}
    pages = [next(_paths(r, ids)) for r in _page_rules(app)
             if "GET" in (r.methods or set()) and r.rule != "/login"]
    for path in [*pages, f"/dossiers/new?procedure={PROCEDURE}"]:
        browser = browsers[_user_for(path)]
        parser = _Forms()
        parser.feed(text(browser.get(path)))
        for action, fields in parser.forms:
            if action.startswith("/") and not action.startswith(("/login", "/logout", "/api")):
                fields.pop("csrf_token", None)
                found.setdefault(action, (browser, _valid(action, fields)))
    task = f"/tasks/{ids['task_id']}"
    assert {task, f"/dossiers/new?procedure={PROCEDURE}", "/audit/settings"} <= set(found)
    reception = f"/dossiers/new?procedure={PROCEDURE}"
    browser, fields = found[reception]  # filled as it is, the form is kept: not vacuous
    kept = browser.post(reception, fields)
    assert kept.status_code == 302
    failures: list[str] = []
    for action in sorted(found, key=lambda a: a.endswith(DESTRUCTIVE)):
        browser, fields = found[action]
        for name in fields:
            for value in ("9" * 5_000, "9999-12-31T23:59", "-1", "\u202e" + "x" * 300):
                before = written()
                target = task if action == f"/tasks/{ids['task_id']}" else action
                response = browser.post(target, {**fields, name: value})
                _check(response, f"POST {action} {name}={value[:20]!r}", failures)
                if response.status_code >= 400 and written() != before:
                    failures.append(f"{response.status_code} POST {action} {name} wrote")
                if target == task and response.status_code == 302:  # done: a fresh one
                    task = f"/tasks/{received(api)[1]['id']}"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", [f"/dossiers/new?procedure={PROCEDURE}", "/tasks/{task}"])
def test_rows_past_the_limit_are_refused_and_not_shown_again(app: Flask, ids: dict[str, str],
                                                             path: str) -> None:
    """20,000 blank rows (half a megabyte) were parsed and all rendered back: 20 s and a
    25 MB page. Past MAX_ROWS a table is refused naming it, and the page shows MAX_ROWS."""
    prefix = "step" if path.startswith("/dossiers/new") else "data"
    fields = {f"{prefix}.thanh_phan[{i}].ten": "x" for i in range(MAX_ROWS + 50)}
    before = written()
    response = Browser(app, RECEIVER).post(path.format(task=ids["task_id"]),
                                           {**fields, "outcome": "accept"})
    assert response.status_code == 422, text(response)[:300]
    page = text(response)
    assert f"Nhiều nhất {MAX_ROWS} dòng" in page
    assert f"{prefix}.thanh_phan[{MAX_ROWS - 1}].ten" in page
    assert f"{prefix}.thanh_phan[{MAX_ROWS + 1}].ten" not in page  # [MAX_ROWS]: a blank one
    assert written() == before
