"""PDF output: every document prints as a PDF holding its dossier code, nothing overflows the
page even with absurdly long names, and the renderer fetches nothing but data: URLs."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from weasyprint.formatting_structure import boxes

from motcua.db import db
from motcua.documents.pdf import DataOnlyFetcher, html_document
from motcua.dossiers.flow import issued_document
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.org.models import User
from support.api import DESK, PROCEDURE
from support.clock import local
from support.documents import START_FORM, browser, overflowing_boxes, page, pdf_text
from support.walk import Walker

KINDS = ("receipt", "supplement", "refusal", "apology", "stop", "control_slip")
# A 1×1 transparent PNG.
PIXEL = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
         "RU5ErkJggg==")


def _every_document(walker: Walker, api: Any) -> dict[str, str]:
    """Two dossiers that between them hold one issued document of every kind."""
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, assignee="cv.mai")
    walker.complete("cv.mai", code, "supplement", can_bo_sung=["Bản sao CCCD"],
                    note="Thiếu giấy tờ tùy thân")
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    leader = db.session.scalar(select(User).where(User.username == "gd.son"))
    assert dossier is not None and leader is not None
    db.session.add(issued_document(
        dossier, "apology", local(2026, 3, 2, 9, 0), leader, None, reason="Cần xác minh",
        original_due_at=local(2026, 3, 16, 9, 0).isoformat(),
        new_due_at=local(2026, 3, 20, 9, 0).isoformat()))
    db.session.commit()
    assert api.post("gd.son", f"/dossiers/{code}/stop",
                    json={"reason": "Theo đề nghị của người nộp"}).status_code == 200
    refused = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    walker.complete("mc.lan", refused, "refuse", note="Không thuộc thẩm quyền")
    return {kind: refused if kind == "refusal" else code for kind in KINDS}


def _stretch(codes: dict[str, str]) -> None:
    """Absurdly long, unbreakable names everywhere the documents print user text."""
    long_name = "Nguyễn" + "X" * 294
    long_address = ("Số 1 ngõ 2 " + "đườngDàiKhôngCóChỗNgắt" * 20)[:300]
    long_paper = "GiấyTờ" + "Y" * 294
    for dossier in db.session.scalars(select(Dossier).where(Dossier.code.in_(codes.values()))):
        dossier.applicant_name = long_name[:255]  # the column's own limit
        dossier.applicant_address = long_address
    for doc in db.session.scalars(select(IssuedDocument)):
        content = dict(doc.content)
        content["applicant"] = {**content["applicant"], "name": long_name,
                                "address": long_address, "email": "a" * 200 + "@example.vn"}
        content["procedure"] = "ThủTục" + "Z" * 300
        content["reason"] = "LýDo" + "R" * 300
        content["reasons"] = ["LýDo" + "L" * 300]
        content["documents"] = [{"name": long_paper, "original": 1, "copy": 0}]
        content["missing"] = [{"name": long_paper, "details": "ChiTiết" + "D" * 300}]
        doc.content = content
    db.session.commit()


def test_every_document_prints_as_pdf(walker: Walker, api: Any, app: Flask) -> None:
    codes = _every_document(walker, api)
    client = browser(app, "gd.son")
    for kind, code in codes.items():
        response = client.get(f"/dossiers/{code}/documents/{kind}?format=pdf")
        assert response.status_code == 200, (kind, response.get_data(as_text=True)[:500])
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == f'inline; filename="{code}-{kind}.pdf"'
        assert response.headers["Cache-Control"] == "private, no-store"
        text = pdf_text(response.data)
        assert code in text, kind
        assert "In\n" not in text and "Tải bản PDF" not in text  # the toolbar stays on screen


def test_receipt_pdf_text_is_vietnamese(walker: Walker, api: Any, app: Flask) -> None:
    codes = _every_document(walker, api)
    data = browser(app, "mc.lan").get(
        f"/dossiers/{codes['receipt']}/documents/receipt?format=pdf").data
    text = pdf_text(data)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Nguyễn Văn An" in text


@pytest.mark.slow
def test_nothing_overflows_the_page(walker: Walker, api: Any, app: Flask) -> None:
    codes = _every_document(walker, api)
    client = browser(app, "gd.son")
    for kind, code in codes.items():
        assert overflowing_boxes(page(client, f"/dossiers/{code}/documents/{kind}")) == [], kind
    _stretch(codes)
    for kind, code in codes.items():
        html = page(client, f"/dossiers/{code}/documents/{kind}")
        assert "X" * 200 in html, kind
        assert overflowing_boxes(html) == [], kind
    book = page(browser(app, "mc.lan"),
                f"/tracking-book?desk={DESK}&from=2026-03-01&to=2026-03-31")
    assert "X" * 200 in book
    assert overflowing_boxes(book) == []


def test_the_overflow_check_does_catch_overflow() -> None:
    html = ('<html><body><div style="width: 40cm">trop large</div>'
            '<table style="table-layout: auto; width: 100%"><tr><td>'
            + "W" * 400 + "</td></tr></table></body></html>")
    problems = overflowing_boxes(html)
    assert any("div" in p for p in problems)
    assert any("W" * 20 in p for p in problems)


def test_user_text_is_escaped(walker: Walker, api: Any, app: Flask) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM, applicant={
        "name": '<img src="file:///etc/hostname">', "address": "<b>x</b>"})["code"]
    walker.complete("mc.lan", code, "accept", ly_do='<script>alert("x")</script>')
    html = page(browser(app, "mc.lan"), f"/dossiers/{code}/documents/receipt")
    assert '<img src="file:///etc/hostname">' not in html
    assert "&lt;img src=&#34;file:///etc/hostname&#34;&gt;" in html
    assert "<b>x</b>" not in html


def test_the_renderer_fetches_only_data_urls(tmp_path: Any) -> None:
    fetcher = DataOnlyFetcher()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    for url in (secret.as_uri(), "http://127.0.0.1:9/x.css", "https://example.com/a.png",
                "ftp://example.com/a", "FILE:///etc/passwd"):
        with pytest.raises(ValueError, match="Không tải tài nguyên ngoài"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,xin%20ch%C3%A0o").read() == "xin chào".encode()

    html = (f'<html><head><link rel="stylesheet" href="{secret.as_uri()}"></head><body>'
            f'<img id="local" src="{secret.as_uri()}">'
            f'<img id="inline" src="data:image/png;base64,{PIXEL}"></body></html>')
    document = html_document(html).render()
    images = [box for p in document.pages for box in p._page_box.descendants()
              if isinstance(box, boxes.InlineReplacedBox)]
    assert [box.element.get("id") for box in images] == ["inline"]
    base64.b64decode(PIXEL)  # the fixture itself is valid
