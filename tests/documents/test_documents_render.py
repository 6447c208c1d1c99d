"""Mẫu 01–06 as HTML pages, for dossiers driven through the sample process: each prints its
domain fields, in Vietnamese, from the snapshot kept when it was issued."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, g
from sqlalchemy import select

from motcua.db import db
from motcua.documents.qr import qr_code
from motcua.dossiers.flow import issued_document
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.org.models import User
from support.api import PROCEDURE
from support.clock import FakeClock, local
from support.documents import START_FORM, browser, page, segno_grid, svg_matrix, text_of
from support.walk import Walker
from support.web import PASSWORDS, csrf_from

# The papers handed in, as the desk records them (the platform's own list, not a form's).
PAPERS = [{"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "original": 1, "copy": 0},
          {"name": "Căn cước công dân", "original": 0, "copy": 2}]


def _new(walker: Walker, **extra: Any) -> str:
    applicant = {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678",
                 "email": "an.nguyen@example.vn", "address": "Số 5 phố Huế, phường Hai Bà Trưng"}
    return str(walker.create("mc.lan", PROCEDURE, START_FORM, applicant=applicant,
                             **extra)["code"])


def test_receipt_prints_every_field_of_mau_01(walker: Walker, app: Flask) -> None:
    code = _new(walker, documents=PAPERS, sets=2)
    walker.complete("mc.lan", code, "accept", note="Đã số hóa")
    html = page(browser(app, "mc.lan"), f"/dossiers/{code}/documents/receipt")
    text = text_of(html)
    for phrase in (
        "Mẫu số 01", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH", "UBND TỈNH MẪU",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {code}",
        "Nguyễn Văn An", "001090012345", "Số 5 phố Huế, phường Hai Bà Trưng", "0912345678",
        "an.nguyen@example.vn", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Căn cước công dân",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 16 tháng 3 năm 2026",
        # 10 working days later, Monday 30 March 09:00.
        "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 30 tháng 3 năm 2026",
        "Nơi trả kết quả: Trung tâm Phục vụ hành chính công tỉnh",
        "Phí, lệ phí: 200.000 đồng/phiếu",
        "Quyển số: 2026 , Số thứ tự: 1", "Ghi chú: Đã số hóa", "Số lượng hồ sơ: 02 bộ",
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Trần Thị Lan",
    ):
        assert phrase in text, phrase
    # The table of papers: originals and copies in their own columns.
    row = re.search(r"<td>Căn cước công dân</td>\s*<td class=\"n\">(\d*)</td>\s*"
                    r"<td class=\"n\">(\d*)</td>", html)
    assert row and row.groups() == ("0", "2")
    # An "In" button and the PDF link, both left out of print.
    assert 'data-action="print">In</button>' in html  # handled by static/app.js
    assert f'href="/dossiers/{code}/documents/receipt?format=pdf"' in html
    assert ".no-print { display: none !important; }" in html


def test_receipt_qr_encodes_the_public_lookup_url(walker: Walker, app: Flask,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://motcua.example.gov.vn/dvc")
    code = _new(walker)
    walker.complete("mc.lan", code, "accept")
    # The Host header is the client's to choose (this whole session runs on a forged one):
    # the printed link and its QR code follow the configuration, never the request.
    forged = {"base_url": "http://attacker.example:8443"}
    client = app.test_client()
    g.pop("csrf_token", None)  # Flask-WTF keeps the previous client's token in the test's g
    token = csrf_from(client.get("/login", **forged).get_data(as_text=True))
    assert client.post("/login", data={"csrf_token": token, "username": "mc.lan",
                                       "password": PASSWORDS["mc.lan"]},
                       **forged).status_code == 302
    response = client.get(f"/dossiers/{code}/documents/receipt", **forged)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "attacker.example" not in html
    url = f"https://motcua.example.gov.vn/dvc/lookup/{code}"
    assert url in text_of(html)  # printed for whoever cannot scan
    svg = re.search(r"<svg\b.*?</svg>", html, flags=re.S)
    assert svg, "no inline QR"
    # segno cannot decode; read the modules back from the SVG path and compare them with
    # segno's own matrix for the printed URL.
    assert svg_matrix(svg.group(0)) == segno_grid(qr_code(url), border=2)
    assert svg_matrix(svg.group(0)) != segno_grid(qr_code(url + "x"), border=2)


def test_receipt_prints_the_desks_record_never_a_forms_list(walker: Walker,
                                                             app: Flask) -> None:
    code = _new(walker, documents=[{"name": "Giấy khai sinh", "original": 1, "copy": 3}])
    # The sample's reception form has a list of its own: the receipt does not read it.
    walker.complete("mc.lan", code, "accept",
                    thanh_phan=[{"ten": "Căn cước công dân", "ban_chinh": 0, "ban_sao": 2}])
    html = page(browser(app, "mc.lan"), f"/dossiers/{code}/documents/receipt")
    row = re.search(r"<td>Giấy khai sinh</td>\s*<td class=\"n\">(\d*)</td>\s*"
                    r"<td class=\"n\">(\d*)</td>", html)
    assert row and row.groups() == ("1", "3")
    assert "Căn cước công dân" not in html


def test_supplement_request_lists_what_is_missing(walker: Walker, app: Flask,
                                                  clock: FakeClock) -> None:
    code = _new(walker, documents=PAPERS)
    # The sample process declares no missing_field: its form's list is not read, and the
    # request prints the reason, given as the note.
    walker.complete("mc.lan", code, "supplement", can_bo_sung=["Bản sao Sổ hộ khẩu"],
                    note="Thiếu bản sao Sổ hộ khẩu chứng minh nơi cư trú")
    client = browser(app, "mc.lan")
    text = text_of(page(client, f"/dossiers/{code}/documents/supplement"))
    for phrase in ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", f"Mã hồ sơ: {code}",
                   "Nguyễn Văn An", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
                   "Lý do: Thiếu bản sao Sổ hộ khẩu chứng minh nơi cư trú",
                   "NGƯỜI HƯỚNG DẪN", "Trần Thị Lan", "Số:"):
        assert phrase in text, phrase
    assert "Căn cước công dân" not in text  # what was handed in is not what is missing

    # The papers come back, a second request follows: the latest prints by default, the
    # first one by its id.
    clock.set(local(2026, 3, 17, 10, 0))
    walker.complete("mc.tuan", code, ngay_nhan="2026-03-17")
    walker.complete("mc.lan", code, "supplement", note="Ảnh 4x6 bị mờ")
    requests = db.session.scalars(select(IssuedDocument).where(
        IssuedDocument.kind == "supplement").order_by(IssuedDocument.id)).all()
    assert len(requests) == 2
    latest_html = page(client, f"/dossiers/{code}/documents/supplement")
    latest = text_of(latest_html)
    assert "Ảnh 4x6 bị mờ" in latest and "Sổ hộ khẩu" not in latest
    assert "ngày 17 tháng 3 năm 2026" in latest
    first = page(client, f"/dossiers/{code}/documents/supplement?id={requests[0].id}")
    assert "Sổ hộ khẩu" in first and "Ảnh 4x6" not in text_of(first).split("Mẫu số")[1]
    # The toolbar links the issuances to each other.
    assert f'href="/dossiers/{code}/documents/supplement?id={requests[0].id}"' in latest_html
    # ... and the PDF link of an issuance prints that issuance.
    assert f"supplement?id={requests[0].id}&amp;format=pdf" in first


def test_supplement_request_prints_the_declared_missing_list(walker: Walker,
                                                             app: Flask) -> None:
    """What a step's missing_field gave, as kept on the request: each paper with its details
    under the form's own titles, and the officer who asked as the contact."""
    code = _new(walker)
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    officer = db.session.scalar(select(User).where(User.username == "mc.tuan"))
    assert dossier is not None and officer is not None
    db.session.add(issued_document(dossier, "supplement", local(2026, 3, 16, 10, 0), officer,
                                   "Task_Receive", reason="Thiếu xác nhận cư trú",
                                   contact=officer.id, missing=[
        {"name": "Giấy xác nhận cư trú", "details": "Loại bản: Bản sao có chứng thực; Số lượng: 2"},
        {"name": "Tờ khai", "details": ""}]))
    db.session.commit()
    html = page(browser(app, "mc.lan"), f"/dossiers/{code}/documents/supplement")
    row = re.search(r"<td>Giấy xác nhận cư trú</td>\s*<td class=\"n\">(\d*)</td>\s*"
                    r"<td class=\"n\">(\d*)</td>\s*<td>([^<]*)</td>", html)
    assert row and row.groups() == ("", "", "Loại bản: Bản sao có chứng thực; Số lượng: 2")
    text = text_of(html)
    assert "Lý do: Thiếu xác nhận cư trú" in text
    assert "Lê Văn Tuấn" in text  # the officer who asked


def test_refusal_gives_the_reasons(walker: Walker, app: Flask) -> None:
    code = _new(walker)
    walker.complete("mc.lan", code, "refuse", note="Không thuộc thẩm quyền giải quyết của Sở")
    text = text_of(page(browser(app, "mc.lan"), f"/dossiers/{code}/documents/refusal"))
    for phrase in ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", "Nguyễn Văn An",
                   "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
                   "Không thuộc thẩm quyền giải quyết của Sở", "Hướng dẫn:",
                   "NGƯỜI TIẾP NHẬN HỒ SƠ", "Trần Thị Lan"):
        assert phrase in text, phrase


def test_stop_notice_says_why_and_who_asked(walker: Walker, api: Any,
                                            app: Flask) -> None:
    code = _new(walker)
    walker.complete("mc.lan", code, "accept")
    response = api.post("gd.son", f"/dossiers/{code}/stop",
                        json={"reason": "Người nộp đề nghị dừng để bổ sung giấy tờ khác"})
    assert response.status_code == 200, response.get_json()
    text = text_of(page(browser(app, "gd.son"), f"/dossiers/{code}/documents/stop"))
    for phrase in ("Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", f"mã số {code}",
                   "Kính gửi: Nguyễn Văn An", "SỞ TƯ PHÁP",
                   "Người nộp đề nghị dừng để bổ sung giấy tờ khác",
                   "Người đề nghị dừng: Đỗ Thanh Sơn"):
        assert phrase in text, phrase


def test_apology_prints_old_and_new_appointments(walker: Walker, app: Flask) -> None:
    code = _new(walker)
    walker.complete("mc.lan", code, "accept")
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    leader = db.session.scalar(select(User).where(User.username == "gd.son"))
    assert dossier is not None and leader is not None
    db.session.add(issued_document(
        dossier, "apology", local(2026, 3, 27, 15, 0), leader, None,
        reason="Phải xác minh thông tin tại cơ quan công an", signer="Đỗ Thanh Sơn",
        original_due_at=local(2026, 3, 30, 9, 0).isoformat(),
        new_due_at=local(2026, 4, 3, 16, 30).isoformat()))
    db.session.commit()
    text = text_of(page(browser(app, "gd.son"), f"/dossiers/{code}/documents/apology"))
    for phrase in ("Mẫu số 04", "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                   "Kính gửi: Nguyễn Văn An", code, "SỞ TƯ PHÁP",
                   "09 giờ 00 phút, ngày 16 tháng 3 năm 2026",  # received
                   "09 giờ 00 phút, ngày 30 tháng 3 năm 2026",  # first appointment
                   "Phải xác minh thông tin tại cơ quan công an",
                   "16 giờ 30 phút, ngày 03 tháng 4 năm 2026",  # the new one
                   "THỦ TRƯỞNG CƠ QUAN", "Đỗ Thanh Sơn", "ngày 27 tháng 3 năm 2026"):
        assert phrase in text, phrase


def test_control_slip_follows_every_hand_over(walker: Walker, app: Flask,
                                              clock: FakeClock) -> None:
    code = _new(walker)
    walker.complete("mc.lan", code, "accept")
    clock.set(local(2026, 3, 16, 10, 0))
    walker.complete("tp.hung", code, assignee="cv.mai")
    clock.set(local(2026, 3, 19, 9, 0))
    walker.complete("cv.mai", code, "approve")
    clock.set(local(2026, 3, 30, 9, 0))  # the review took far longer than its 0.5 d
    walker.complete("tp.hung", code, "agree")
    walker.complete("gd.son", code, "sign")
    walker.complete("vt.ha", code, so_ky_hieu="12/PLLTP", ngay_ky="2026-03-30")
    walker.complete("mc.lan", code, hinh_thuc="Trực tiếp")

    html = page(browser(app, "mc.lan"), f"/dossiers/{code}/documents/control_slip")
    rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1],
                                           flags=re.S)]
    assert len(rows) == 8  # reception + seven completed steps
    assert "Tổ chức, cá nhân: Nguyễn Văn An" in rows[0] and "Trần Thị Lan" in rows[0]
    assert "Trực tiếp" in rows[0]
    # Reception handed over to the unit head, who assigned the specialist.
    assert rows[1].startswith("2 Trung tâm Phục vụ hành chính công tỉnh Tiếp nhận, kiểm tra")
    assert "Nguyễn Mạnh Hùng" in rows[1] and "Đúng hạn" in rows[1]
    assert "Phòng Hành chính tư pháp Phân công xử lý" in rows[2]
    assert "16/03/2026 10:00 Nguyễn Mạnh Hùng" in rows[2]
    assert "Phạm Thị Mai" in rows[2] and "Đúng hạn" in rows[2]
    assert "Thẩm định hồ sơ" in rows[3] and "Trước hạn" in rows[3]
    assert "Xem xét, trình ký" in rows[4] and "Quá hạn" in rows[4]
    # The last step hands the result back to the applicant.
    assert "Trả kết quả" in rows[7] and "Tổ chức, cá nhân: Nguyễn Văn An" in rows[7]
    text = text_of(html)
    for phrase in ("Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", code,
                   "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 16 tháng 3 năm 2026",
                   "Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 30 tháng 3 năm 2026",
                   "quyển số 2026, số thứ tự 1"):
        assert phrase in text, phrase


def test_control_slip_is_live(walker: Walker, app: Flask) -> None:
    code = _new(walker)
    client = browser(app, "mc.lan")
    before = page(client, f"/dossiers/{code}/documents/control_slip")
    assert before.split("<tbody>")[1].count("<tr>") == 1
    walker.complete("mc.lan", code, "accept")
    after = page(client, f"/dossiers/{code}/documents/control_slip")
    assert after.split("<tbody>")[1].count("<tr>") == 2
