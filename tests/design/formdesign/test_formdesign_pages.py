"""The form designer's pages: a draft's forms with the steps using each, adding, renaming and
deleting forms with CSRF and the page's revision; the editor showing its rows and the
officers' preview without JavaScript, checking sample data on the server; designers of the
draft's agency only, under ``script-src 'self'``."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.design import operations
from motcua.design.formdesign.operations import steps_using
from motcua.design.models import ProcessDraft
from motcua.org.models import User
from motcua.processes.checks.forms import load_forms_dir
from support.api import PROCEDURE
from support.sample import SAMPLE_BPMN, SAMPLE_FORMS
from support.web import Browser, text

OTHER_AGENCY_PROCEDURE = "1.001193"
_ISLAND = re.compile(r'<script type="application/json" id="([\w-]+)">(.*?)</script>', re.S)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def _draft(code: str = PROCEDURE) -> ProcessDraft:
    user = db.session.scalar(select(User).where(User.username == "qt.binh"))
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    assert user is not None and procedure is not None
    if code != PROCEDURE:
        return operations.create(procedure, user)
    forms, _ = load_forms_dir(SAMPLE_FORMS)
    return operations.create(procedure, user, bpmn=SAMPLE_BPMN.read_bytes(), forms=forms)


def _used_and_unused(draft: ProcessDraft) -> tuple[str, str | None]:
    used = steps_using(draft)
    return (next(k for k in draft.forms if k in used),
            next((k for k in draft.forms if k not in used), None))


def test_the_forms_page_lists_each_form_with_the_steps_using_it(
        app: Flask, sample: dict[str, Any]) -> None:
    draft = _draft()
    page = Browser(app, "qt.binh").get(f"/design/drafts/{draft.id}/forms")
    assert page.status_code == 200
    html = text(page)
    used, _ = _used_and_unused(draft)
    step = steps_using(draft)[used][0]
    assert f'data-form-key="{used}"' in html
    assert step.name.replace('"', "&#34;") in html
    assert "Thêm biểu mẫu" in html
    assert page.headers["Content-Security-Policy"].count("script-src 'self'") == 1


def test_a_form_is_added_renamed_and_deleted_from_the_page(
        app: Flask, sample: dict[str, Any]) -> None:
    draft = _draft()
    browser = Browser(app, "qt.binh")
    added = browser.post(f"/design/drafts/{draft.id}/forms",
                         {"title": "Ý kiến pháp chế", "revision": draft.revision})
    assert added.status_code == 302
    assert added.headers["Location"].endswith(f"/design/drafts/{draft.id}/forms/y-kien-phap-che")
    db.session.refresh(draft)
    assert draft.revision == 2 and draft.forms["y-kien-phap-che"]["schema"]["title"] == (
        "Ý kiến pháp chế")
    renamed = browser.post(f"/design/drafts/{draft.id}/forms/y-kien-phap-che/rename",
                           {"title": "Ý kiến của pháp chế", "revision": 2})
    assert renamed.status_code == 302
    stale = browser.post(f"/design/drafts/{draft.id}/forms/y-kien-phap-che/delete",
                         {"revision": 2})
    assert stale.status_code == 409 and "Bùi Đức Bình" in text(stale)
    deleted = browser.post(f"/design/drafts/{draft.id}/forms/y-kien-phap-che/delete",
                           {"revision": 3})
    assert deleted.status_code == 302
    db.session.refresh(draft)
    assert "y-kien-phap-che" not in draft.forms and draft.revision == 4


def test_a_form_in_use_is_not_deleted_and_its_steps_are_named(
        app: Flask, sample: dict[str, Any]) -> None:
    draft = _draft()
    used, _ = _used_and_unused(draft)
    refused = Browser(app, "qt.binh").post(f"/design/drafts/{draft.id}/forms/{used}/delete",
                                           {"revision": draft.revision})
    assert refused.status_code == 422
    assert steps_using(draft)[used][0].name.replace('"', "&#34;") in text(refused)
    db.session.refresh(draft)
    assert used in draft.forms and draft.revision == 1


def test_a_post_without_the_csrf_token_is_refused(app: Flask, sample: dict[str, Any]) -> None:
    draft = _draft()
    browser = Browser(app, "qt.binh")
    refused = browser.client.post(f"/design/drafts/{draft.id}/forms",
                                  data={"title": "A", "revision": draft.revision})
    assert refused.status_code == 400
    db.session.refresh(draft)
    assert draft.revision == 1


def test_the_editor_shows_rows_and_preview_without_javascript(
        app: Flask, sample: dict[str, Any]) -> None:
    draft = _draft()
    key = next(iter(draft.forms))
    page = Browser(app, "qt.binh").get(f"/design/drafts/{draft.id}/forms/{key}")
    assert page.status_code == 200
    html = text(page)
    schema = draft.forms[key]["schema"]
    for sub in schema["properties"].values():
        assert sub["title"] in html  # in the rows table and in the preview
    first = next(k for k, sub in schema["properties"].items() if sub.get("type") == "string")
    assert f'name="data.{first}"' in html
    islands = {name: json.loads(body) for name, body in _ISLAND.findall(html)}
    assert islands["formdesigner-form"]["schema"] == schema
    assert [r["key"] for r in islands["formdesigner-form"]["form"]["rows"]] == list(
        schema["properties"])
    config = islands["formdesigner-config"]
    assert config["revision"] == draft.revision and config["csrf"]
    assert config["api"]["compile"] == f"/api/v1/drafts/{draft.id}/forms/compile"
    for attributes, body in _SCRIPT.findall(html):
        assert 'type="application/json"' in attributes or body.strip() == ""
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_sample_data_is_checked_on_the_server_without_javascript(
        app: Flask, sample: dict[str, Any]) -> None:
    draft = _draft()
    key, schema = next((k, f["schema"]) for k, f in draft.forms.items()
                       if f["schema"].get("required"))
    browser = Browser(app, "qt.binh")
    checked = browser.post(f"/design/drafts/{draft.id}/forms/{key}/preview", {})
    assert checked.status_code == 422
    html = text(checked)
    assert "form-error" in html and "Dữ liệu mẫu có" in html
    missing = schema["required"][0]
    assert f'id="f-data-{missing}--error"' in html


def test_other_agencies_and_officers_are_kept_out(app: Flask, sample: dict[str, Any]) -> None:
    theirs = _draft(OTHER_AGENCY_PROCEDURE)
    mine = _draft()
    key = next(iter(mine.forms))
    designer, officer = Browser(app, "qt.binh"), Browser(app, "cv.mai")
    assert designer.get(f"/design/drafts/{theirs.id}/forms").status_code == 404
    assert designer.get(f"/design/drafts/{mine.id}/forms/nothing").status_code == 404
    assert designer.post(f"/design/drafts/{theirs.id}/forms",
                         {"title": "A", "revision": 1}).status_code == 404
    assert officer.get(f"/design/drafts/{mine.id}/forms").status_code == 403
    assert officer.get(f"/design/drafts/{mine.id}/forms/{key}").status_code == 403
    anonymous = app.test_client().get(f"/design/drafts/{mine.id}/forms")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_published_drafts_forms_are_shown_read_only(app: Flask,
                                                      sample: dict[str, Any]) -> None:
    draft = _draft()
    user = db.session.scalar(select(User).where(User.username == "qt.binh"))
    assert user is not None
    operations.publish(draft, None, user)
    browser = Browser(app, "qt.binh")
    html = text(browser.get(f"/design/drafts/{draft.id}/forms"))
    assert "Thêm biểu mẫu</button>" not in html and "chỉ xem" in html
    key = next(iter(draft.forms))
    editor = text(browser.get(f"/design/drafts/{draft.id}/forms/{key}"))
    config = {n: json.loads(b) for n, b in _ISLAND.findall(editor)}["formdesigner-config"]
    assert config["published"] is True
    refused = browser.post(f"/design/drafts/{draft.id}/forms",
                           {"title": "A", "revision": draft.revision})
    assert refused.status_code == 409


def test_a_stored_schema_with_errors_opens_and_checks_no_data(
        app: Flask, sample: dict[str, Any]) -> None:
    draft = _draft()
    user = db.session.scalar(select(User).where(User.username == "qt.binh"))
    assert user is not None
    forms = dict(draft.forms)
    forms["hong"] = {"schema": {"type": "object", "title": "Hỏng",
                                "properties": {"a": {"type": 5, "title": "A"}}}}
    operations.save(draft, draft.revision, user, forms=forms)
    browser = Browser(app, "qt.binh")
    page = browser.get(f"/design/drafts/{draft.id}/forms/hong")
    assert page.status_code == 200 and 'class="error"' in text(page)
    checked = browser.post(f"/design/drafts/{draft.id}/forms/hong/preview", {"data.a": "x"})
    assert checked.status_code == 200
    assert "Chưa kiểm tra được dữ liệu mẫu" in text(checked)


def test_a_row_is_added_to_the_preview_without_javascript(app: Flask,
                                                          sample: dict[str, Any]) -> None:
    draft = _draft()
    key, name = next((k, n) for k, f in draft.forms.items()
                     for n, sub in f["schema"]["properties"].items()
                     if sub.get("type") == "array")
    page = Browser(app, "qt.binh").post(f"/design/drafts/{draft.id}/forms/{key}/preview",
                                        {"_form_action": f"add:data.{name}"})
    assert page.status_code == 200
    html = text(page)
    assert f'data-path="data.{name}[0]"' in html and "Dữ liệu mẫu" not in html.split(
        'id="fd-sample-status"')[1].split("</span>")[0]


def test_a_revision_past_32_bits_is_a_stale_page_not_a_crash(
        app: Flask, sample: dict[str, Any]) -> None:
    draft = _draft()
    key = next(iter(draft.forms))
    browser = Browser(app, "qt.binh")
    for revision in (str(2**31), str(2**63), "9" * 30, "-1"):
        added = browser.post(f"/design/drafts/{draft.id}/forms",
                             {"title": "Ý kiến", "revision": revision})
        assert added.status_code == 409, revision
        renamed = browser.post(f"/design/drafts/{draft.id}/forms/{key}/rename",
                               {"title": "Ý kiến", "revision": revision})
        assert renamed.status_code == 409, revision
    db.session.refresh(draft)
    assert draft.revision == 1
