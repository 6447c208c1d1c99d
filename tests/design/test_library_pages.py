"""The designer's library pages: only the procedures one designs, their versions and drafts,
and the buttons that make drafts or retire a version (with a confirmation)."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask

from motcua.db import db
from motcua.design.models import ProcessDraft
from motcua.processes.models import ProcessVersion
from motcua.processes.operations import upload_and_publish
from support.api import PROCEDURE
from support.sample import SAMPLE_BPMN, SAMPLE_FORMS, form_files
from support.web import Browser, text

OTHER_AGENCY_PROCEDURE = "1.001193"


def test_the_library_lists_the_procedures_of_the_designers_agency(
        app: Flask, sample: dict[str, Any]) -> None:
    page = Browser(app, "qt.binh").get("/design")
    assert page.status_code == 200
    html = text(page)
    assert PROCEDURE in html and OTHER_AGENCY_PROCEDURE not in html
    assert "Phiên bản 1" in html and "Thiết kế quy trình" in html
    searched = text(Browser(app, "qt.binh").get("/design?q=không-có-thủ-tục-này"))
    assert PROCEDURE not in searched and "Không có thủ tục nào" in searched


def test_officers_may_not_open_the_library(app: Flask, sample: dict[str, Any]) -> None:
    assert Browser(app, "cv.mai").get("/design").status_code == 403
    assert Browser(app, "qt.binh").get(f"/design/procedures/{OTHER_AGENCY_PROCEDURE}"
                                       ).status_code == 404
    anonymous = app.test_client().get("/design")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_procedure_page_shows_versions_with_their_dossiers_and_drafts(
        app: Flask, sample: dict[str, Any]) -> None:
    html = text(Browser(app, "qt.binh").get(f"/design/procedures/{PROCEDURE}"))
    assert "Đang áp dụng" in html and "Tải tệp BPMN" in html
    assert "Chưa có bản nháp" in html


def test_buttons_make_drafts_and_open_the_modeler(app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "qt.binh")
    blank = browser.post(f"/design/procedures/{PROCEDURE}/drafts", {"from": "blank"})
    assert blank.status_code == 302
    draft = db.session.scalars(db.select(ProcessDraft)).one()
    assert blank.headers["Location"].endswith(f"/design/drafts/{draft.id}")
    copied = browser.post(f"/design/procedures/{PROCEDURE}/drafts",
                          {"from": "version", "version": "1"})
    assert copied.status_code == 302
    uploaded = browser.post(f"/design/procedures/{PROCEDURE}/drafts", {
        "from": "bpmn", "bpmn": (io.BytesIO(SAMPLE_BPMN.read_bytes()), "quy-trinh.bpmn")},
        content_type="multipart/form-data")
    assert uploaded.status_code == 302
    origins = sorted(d.origin for d in db.session.scalars(db.select(ProcessDraft)))
    assert origins == ["blank", "copy", "upload"]
    html = text(browser.get(f"/design/procedures/{PROCEDURE}"))
    assert html.count("Mở trình thiết kế") == 3


def test_an_unsafe_file_is_refused_on_the_page_and_nothing_is_made(
        app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "qt.binh")
    response = browser.post(f"/design/procedures/{PROCEDURE}/drafts", {
        "from": "bpmn", "bpmn": (io.BytesIO(b'<!DOCTYPE x [<!ENTITY e "x">]><x/>'), "x.bpmn")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "DOCTYPE" in text(response)
    assert db.session.scalars(db.select(ProcessDraft)).first() is None


def test_the_only_version_in_force_is_not_retired_on_the_page(
        app: Flask, sample: dict[str, Any]) -> None:
    version = db.session.scalars(db.select(ProcessVersion)).one()
    refused = Browser(app, "qt.binh").post(f"/design/versions/{version.id}/retire",
                                           {"confirmed": "retire"})
    assert refused.status_code == 409
    assert "công bố phiên bản thay thế trước" in text(refused)
    db.session.refresh(version)
    assert version.status == "published"
    page = text(Browser(app, "qt.binh").get(f"/design/procedures/{PROCEDURE}"))
    assert "Đang là quy trình duy nhất áp dụng" in page
    assert f"/design/versions/{version.id}/retire" not in page


def test_retiring_asks_for_confirmation_then_retires(app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "qt.binh")
    version = db.session.scalars(db.select(ProcessVersion)).one()
    # A successor in force, so the desk still receives the procedure's dossiers.
    upload_and_publish(PROCEDURE, SAMPLE_BPMN.read_bytes(), SAMPLE_BPMN.name,
                       form_files(SAMPLE_FORMS), None)
    asked = browser.post(f"/design/versions/{version.id}/retire")
    assert asked.status_code == 200
    assert "hồ sơ đã tiếp nhận vẫn giải quyết tiếp" in text(asked)
    db.session.refresh(version)
    assert version.status == "published"
    done = browser.post(f"/design/versions/{version.id}/retire", {"confirmed": "retire"})
    assert done.status_code == 302
    db.session.refresh(version)
    assert version.status == "retired"
    assert "Ngừng áp dụng" in text(browser.get(f"/design/procedures/{PROCEDURE}"))


def test_posts_without_the_csrf_token_are_refused(app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "qt.binh")
    response = browser.client.post(f"/design/procedures/{PROCEDURE}/drafts",
                                   data={"from": "blank"})
    assert response.status_code == 400
    assert db.session.scalars(db.select(ProcessDraft)).first() is None


def test_the_library_is_searched_without_regard_to_accents_and_case(
        app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "qt.binh")
    for query in ("ly lich tu phap", "LÝ LỊCH", "Cap phieu", "2.000488", "000488"):
        assert PROCEDURE in text(browser.get("/design", query_string={"q": query})), query
    assert PROCEDURE not in text(browser.get("/design", query_string={"q": "ly lich dat"}))


def test_the_library_counts_each_procedures_open_drafts(app: Flask, sample: dict[str, Any]) -> None:
    browser = Browser(app, "qt.binh")
    for _ in range(2):
        browser.post(f"/design/procedures/{PROCEDURE}/drafts", {"from": "blank"})
    row = text(browser.get("/design")).split(PROCEDURE, 2)[2].split("</tr>")[0]
    assert '<td data-label="Bản nháp">2</td>' in row
