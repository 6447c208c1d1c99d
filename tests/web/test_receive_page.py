"""Receiving a dossier at the desk through the page: catalogue search, applicant, the
application e-form, documents handed in, scanned attachments, then the receipt."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from motcua.db import db
from motcua.dossiers.attachments import store_root
from motcua.dossiers.models import Attachment, Dossier, IssuedDocument
from support.formdata import example_for
from support.paths import SAMPLES
from support.web import Browser, as_form, text

PROCEDURE = "2.000488"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


def _application() -> dict[str, Any]:
    schema = json.loads((SAMPLES / "forms" / "to-khai-ly-lich-tu-phap.schema.json").read_text())
    return example_for(schema)


def _post(browser: Browser, outcome: str | None, files: list[tuple[bytes, str]] | None = None,
          **extra: str) -> Any:
    fields: dict[str, Any] = {
        **as_form({"name": "Nguyễn Văn Nộp", "phone": "0912345678",
                   "address": "12 Lê Lợi, Hà Nội"}, "applicant"),
        **as_form({"documents": [{"name": "Tờ khai", "original": 1, "copy": 0}],
                   "sets": 2}, "received"),
        **as_form(_application(), "data"),
        **as_form({"thanh_phan": [{"ten": "Tờ khai", "ban_chinh": 1}]}, "step"),
        "channel": "direct", **extra}
    if outcome:
        fields["outcome"] = outcome
    if files:
        fields["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    return browser.post(f"/dossiers/new?procedure={PROCEDURE}", fields,
                        content_type="multipart/form-data")


def test_only_receivers_may_receive(app: Flask, sample: Any) -> None:
    assert Browser(app, "cv.mai").get("/dossiers/new").status_code == 403


def test_catalogue_search(app: Flask, sample: Any) -> None:
    browser = Browser(app, "mc.lan")
    page = text(browser.get("/dossiers/new", query_string={"q": "lý lịch"}))
    assert "Cấp Phiếu lý lịch tư pháp" in page and "Đăng ký khai sinh" not in page
    page = text(browser.get("/dossiers/new", query_string={"q": "1.001193"}))
    assert "Đăng ký khai sinh" in page


def test_receive_form_prefills_catalogue_documents(app: Flask, sample: Any) -> None:
    page = text(Browser(app, "mc.lan").get(f"/dossiers/new?procedure={PROCEDURE}"))
    assert "Tổ chức, cá nhân nộp hồ sơ" in page
    # The papers handed in are the platform's own record, filled from the decision in force.
    assert re.search(r'name="received.documents\[0\].name"[^>]*value="Tờ khai yêu cầu cấp Phiếu '
                     r'lý lịch tư pháp"', page)
    assert 'name="received.sets"' in page and 'name="note"' in page
    for label in ("Tiếp nhận", "Yêu cầu bổ sung", "Từ chối tiếp nhận"):
        assert f">{label}</button>" in page


def test_accept_creates_dossier_attachments_and_receipt(app: Flask, sample: Any) -> None:
    browser = Browser(app, "mc.lan")
    response = _post(browser, "accept", [(PDF, "to-khai.pdf"), (PNG, "cccd.png")])
    assert response.status_code == 302, text(response)
    assert "/documents/receipt" in response.headers["Location"]
    dossier = db.session.scalar(select(Dossier))
    assert dossier is not None and dossier.status == "processing"
    assert dossier.applicant_name == "Nguyễn Văn Nộp"
    assert dossier.received_documents == [{"name": "Tờ khai", "original": 1, "copy": 0}]
    assert dossier.received_sets == 2
    rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(a.filename, a.content_type, a.size) for a in rows] == [
        ("to-khai.pdf", "application/pdf", len(PDF)), ("cccd.png", "image/png", len(PNG))]
    for row, content in zip(rows, (PDF, PNG), strict=True):
        assert row.sha256 == hashlib.sha256(content).hexdigest()
        assert (store_root() / row.storage_key).read_bytes() == content
    assert db.session.scalar(select(IssuedDocument.kind)) == "receipt"
    page = text(browser.get(f"/dossiers/{dossier.code}"))
    assert "<td>Tờ khai</td><td>1</td><td>0</td>" in page
    download = browser.get(f"/dossiers/{dossier.code}/attachments/{rows[0].id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_invalid_input_keeps_what_was_typed_and_saves_nothing(app: Flask, sample: Any) -> None:
    browser = Browser(app, "mc.lan")
    typed = {"applicant.name": "", "data.so_dinh_danh": "12ab",
             "applicant.address": "Số 7 ngõ Huế", "applicant.email": "khong-phai-email",
             "applicant.phone": "0" * 40}
    response = _post(browser, "accept", None, **typed)
    assert response.status_code == 422
    page = text(response)
    assert "Số 7 ngõ Huế" in page and "12ab" in page
    assert "Thiếu trường bắt buộc: Tổ chức, cá nhân nộp hồ sơ" in page
    assert "Không đúng định dạng (^[0-9]{12}$)" in page
    assert "Không đúng định dạng địa chỉ thư điện tử" in page and "Tối đa 32 ký tự" in page
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_unsupported_attachment_type_is_refused(app: Flask, sample: Any) -> None:
    browser = Browser(app, "mc.lan")
    before = set(Path(store_root()).rglob("*"))
    response = _post(browser, "accept", [(b"MZ\x90\x00 not a scan", "virus.pdf")])
    assert response.status_code == 422
    assert "virus.pdf không phải PDF, JPEG, PNG hoặc TIFF" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
    assert set(Path(store_root()).rglob("*")) == before


def test_oversized_attachment_is_refused(app: Flask, sample: Any) -> None:
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    try:
        response = _post(Browser(app, "mc.lan"), "accept", [(PDF + b"0" * 2048, "lon.pdf")])
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 422
    assert "lon.pdf lớn hơn" in text(response)


def test_refusal_at_the_desk_asks_for_confirmation_then_issues_refusal(
        app: Flask, sample: Any) -> None:
    browser = Browser(app, "mc.lan")
    # A refusal without its reason is not even offered for confirmation.
    response = _post(browser, "refuse")
    assert response.status_code == 422
    assert re.search(r'id="note-error">Cần ghi lý do khi chọn \u201cTừ chối tiếp nhận\u201d',
                     text(response))
    response = _post(browser, "refuse", note="Không thuộc thẩm quyền")
    assert response.status_code == 200 and "Xác nhận: Từ chối tiếp nhận?" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
    response = _post(browser, "refuse", confirmed="refuse", note="Không thuộc thẩm quyền")
    assert response.status_code == 302, text(response)
    assert "/documents/refusal" in response.headers["Location"]
    assert db.session.scalar(select(Dossier.status)) == "refused"


def test_supplement_at_the_desk_issues_the_request(app: Flask, sample: Any) -> None:
    response = _post(Browser(app, "mc.lan"), "supplement", note="Thiếu bản sao căn cước")
    assert response.status_code == 302, text(response)
    assert "/documents/supplement" in response.headers["Location"]
    assert db.session.scalar(select(Dossier.status)) == "supplement_requested"


def test_a_post_with_nothing_filled_in_names_every_missing_field(app: Flask, sample: Any) -> None:
    browser = Browser(app, "mc.lan")
    response = browser.post(f"/dossiers/new?procedure={PROCEDURE}", {"outcome": "accept"})
    assert response.status_code == 422
    page = text(response)
    assert "Thiếu trường bắt buộc: Tổ chức, cá nhân nộp hồ sơ" in page
    assert "Thiếu trường bắt buộc: Họ, chữ đệm và tên" in page
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_an_unknown_channel_is_refused_beside_its_field(app: Flask, sample: Any) -> None:
    response = _post(Browser(app, "mc.lan"), "accept", channel="qua-mang")
    assert response.status_code == 422
    assert "Hình thức nộp phải là trực tiếp, bưu chính hoặc trực tuyến" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
