"""Mẫu 07, the tracking book of a desk: its rows, numbers that agree with the receipts,
periods, pages, and who may read it."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select, update

from motcua.db import db
from motcua.documents import book
from motcua.dossiers.models import Dossier
from support.api import DESK, PROCEDURE
from support.clock import FakeClock, local
from support.documents import START_FORM, browser, page, pdf_text, text_of
from support.walk import Walker

COMMUNE_DESK = "000.31.20.H99"
APRIL = f"/tracking-book?desk={DESK}&from=2026-04-01&to=2026-04-30"


@pytest.fixture
def dossiers(walker: Walker, clock: FakeClock) -> list[str]:
    """Mar 27; Apr 1 09:00 twice (same instant: the id decides); Apr 15; May 4; and one at
    the commune desk on Apr 2 (all after the sample decision took effect on Mar 10)."""
    codes: list[str] = []
    for at in (local(2026, 3, 27, 10, 0), local(2026, 4, 1, 9, 0), local(2026, 4, 1, 9, 0),
               local(2026, 4, 15, 10, 0), local(2026, 5, 4, 8, 30)):
        clock.set(at)
        codes.append(walker.create("mc.lan", PROCEDURE, START_FORM,
                                   applicant={"name": f"Người nộp {len(codes)}",
                                              "address": "Phường Đông Hải",
                                              "phone": f"0900000{len(codes):03d}"})["code"])
    clock.set(local(2026, 4, 2, 9, 0))
    codes.append(walker.create("xa.hoa", PROCEDURE, START_FORM, desk=COMMUNE_DESK)["code"])
    clock.set(local(2026, 4, 20, 9, 0))
    return codes


def _rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [[text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def test_book_lists_the_desk_dossiers_of_the_period(dossiers: list[str], walker: Walker,
                                                    app: Flask) -> None:
    # Two sets handed in, as the desk recorded them at reception.
    db.session.execute(update(Dossier).where(Dossier.code == dossiers[2]).values(received_sets=2))
    db.session.commit()
    walker.complete("mc.lan", dossiers[2], "accept")
    client = browser(app, "mc.lan")
    html = page(client, APRIL)
    rows = _rows(html)
    assert [r[1] for r in rows] == dossiers[1:4]  # neither March, May nor the commune
    assert [r[0] for r in rows] == ["2", "3", "4"]  # March's dossier is number 1 of 2026
    first = rows[0]
    assert first[2] == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    assert first[4] == "Người nộp 1" and first[5] == "Phường Đông Hải 0900000001"
    assert first[6] == "Sở Tư pháp"
    assert first[7] == "01/04/2026 09:00" and first[8] == "15/04/2026 09:00"
    assert [r[3] for r in rows] == ["1", "2", "1"]  # số bộ as the desk recorded it
    text = text_of(html)
    for phrase in ("Mẫu số 07", "SỔ THEO DÕI HỒ SƠ", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH",
                   "Quyển số: 2026", "Từ ngày 01/04/2026 đến ngày 30/04/2026", "Số TT",
                   "Ngày, giờ chuyển hồ sơ", "Ký nhận"):
        assert phrase in text, phrase
    # The receipt quotes the same volume and number as the book.
    receipt = text_of(page(client, f"/dossiers/{dossiers[2]}/documents/receipt"))
    assert "Quyển số: 2026 , Số thứ tự: 3" in receipt
    assert "Số lượng hồ sơ: 02 bộ" in receipt
    assert f'href="/tracking-book?desk={DESK}&amp;from=2026-04-01&amp;to=2026-04-30' in html


def test_book_defaults_to_this_month_and_the_own_desk(dossiers: list[str], app: Flask) -> None:
    rows = _rows(page(browser(app, "mc.lan"), "/tracking-book"))
    assert [r[1] for r in rows] == dossiers[1:4]


def test_book_follows_the_dossier_to_its_return(dossiers: list[str], walker: Walker,
                                                app: Flask, clock: FakeClock) -> None:
    code = dossiers[1]
    clock.set(local(2026, 4, 1, 10, 0))
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, assignee="cv.mai")
    clock.set(local(2026, 4, 3, 9, 0))
    walker.complete("cv.mai", code, "approve")
    walker.complete("tp.hung", code, "agree")
    walker.complete("gd.son", code, "sign")
    clock.set(local(2026, 4, 6, 14, 15))
    walker.complete("vt.ha", code, so_ky_hieu="7/PLLTP", ngay_ky="2026-04-06")
    clock.set(local(2026, 4, 7, 8, 5))
    walker.complete("mc.lan", code, hinh_thuc="Trực tiếp")
    clock.set(local(2026, 4, 16, 9, 0))
    walker.complete("mc.lan", dossiers[3], "refuse", note="Sai thẩm quyền")
    rows = _rows(page(browser(app, "ks.nga"), APRIL))
    assert rows[0][9:12] == ["01/04/2026 10:00", "06/04/2026 14:15", "07/04/2026 08:05"]
    assert rows[0][12] == ""  # signed on paper
    assert rows[2][13] == "Từ chối" and rows[2][9:12] == ["", "", ""]


def test_book_numbers_restart_each_year(dossiers: list[str], app: Flask) -> None:
    moved = db.session.scalars(select(Dossier).where(Dossier.code.in_(dossiers[:2]))).all()
    for dossier in moved:
        dossier.received_at -= timedelta(days=110)  # into December 2025
    db.session.commit()
    html = page(browser(app, "mc.lan"), f"/tracking-book?desk={DESK}&from=2025-12-01&to=2026-04-05")
    rows = _rows(html)
    assert [(r[0], r[1]) for r in rows] == [
        ("1 Q.2025", dossiers[0]), ("2 Q.2025", dossiers[1]), ("1 Q.2026", dossiers[2])]
    assert "Quyển số: 2025–2026" in text_of(html)


def test_book_pages_keep_counting(dossiers: list[str], app: Flask,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(book, "PAGE_ROWS", 2)
    client = browser(app, "mc.lan")
    first = page(client, APRIL)
    assert [r[0] for r in _rows(first)] == ["2", "3"]
    assert "Trang 1/2 (3 hồ sơ)" in text_of(first)
    second = page(client, APRIL + "&page=2")
    assert [r[0] for r in _rows(second)] == ["4"]
    assert "page=2&amp;format=pdf" in second
    assert [r[0] for r in _rows(page(client, APRIL + "&page=99"))] == ["4"]


def test_book_prints_landscape(dossiers: list[str], app: Flask) -> None:
    response = browser(app, "mc.lan").get(APRIL + "&format=pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="so-theo-doi-{DESK}-2026-04-01-2026-04-30.pdf"')
    box = PdfReader(BytesIO(response.data)).pages[0].mediabox
    assert float(box.width) > float(box.height)
    # A code may wrap (after a hyphen) in its narrow column.
    text = "".join(pdf_text(response.data).split())
    assert all(code in text for code in dossiers[1:4])


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-13-01", "Ngày không hợp lệ"),
    ("from=02/03/2026", "Ngày không hợp lệ"),
    ("from=9999-12-01&to=9999-12-31", "Ngày không hợp lệ"),
    ("from=2026-03-10&to=2026-03-01", "Ngày kết thúc phải từ ngày bắt đầu trở đi"),
    ("from=2025-01-01&to=2026-03-01", "Mỗi lần chỉ xem, in tối đa 366 ngày"),
    ("from=2026-13-01&format=pdf", "Ngày không hợp lệ"),
])
def test_bad_periods_get_a_clear_message(dossiers: list[str], app: Flask, query: str,
                                         message: str) -> None:
    response = browser(app, "mc.lan").get(f"/tracking-book?desk={DESK}&{query}")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert message in text_of(response.get_data(as_text=True))


def test_a_leap_year_fits_in_one_period(dossiers: list[str], app: Flask) -> None:
    html = page(browser(app, "mc.lan"), f"/tracking-book?desk={DESK}&from=2028-01-01&to=2028-12-31")
    assert "Không có hồ sơ nào" in html


def test_only_the_desk_its_heads_and_auditors_read_the_book(dossiers: list[str],
                                                             app: Flask) -> None:
    for username in ("mc.tuan", "ks.nga"):
        assert browser(app, username).get(APRIL).status_code == 200, username
    # The commune's chairman leads the agency above the commune desk.
    commune = f"/tracking-book?desk={COMMUNE_DESK}&from=2026-04-01&to=2026-04-30"
    assert [r[1] for r in _rows(page(browser(app, "xa.chutich"), commune))] == [dossiers[5]]
    for username in ("cv.mai", "gd.son", "qt.binh", "xa.hoa", "xa.chutich"):
        response = browser(app, username).get(APRIL)
        assert response.status_code == 403, username
        assert "Bạn không được xem Sổ theo dõi hồ sơ" in response.get_data(as_text=True)
    assert browser(app, "mc.lan").get(commune).status_code == 403
    missing = browser(app, "mc.lan").get("/tracking-book?desk=999.99.99.H99")
    assert missing.status_code == 404
    # Without a desk of their own, the page asks for one.
    asked = browser(app, "ks.nga").get("/tracking-book")
    assert asked.status_code == 422
    assert "Chọn Bộ phận Một cửa" in asked.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_login(client: Any, sample: Any) -> None:
    response = client.get(APRIL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
