"""The reports' pages through a browser session: statistics with filters and downloads, the
periodic reports (list, page, CSV, XLSX with its sheets, PDF), the dashboard, and who may
open them."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from reports_support import MARCH, SO_TU_PHAP, XA

from motcua.audit.models import TreeHead
from motcua.db import db
from support.clock import local
from support.web import Browser, text

MARCH_QUERY = "from=2026-03-01&to=2026-03-31"


def test_the_statistics_page_shows_the_table_and_its_downloads(app: Flask, march: Any) -> None:
    browser = Browser(app, "ks.nga")
    page = browser.get(f"/audit/statistics?{MARCH_QUERY}")
    assert page.status_code == 200
    html = text(page)
    assert "Số hồ sơ nhận giải quyết" in html and "Sở Tư pháp" in html and "Tổng cộng" in html
    assert "60%" in html  # the province's on-time rate in March
    csv = browser.get(f"/audit/statistics?{MARCH_QUERY}&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    body = csv.get_data()
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mã (cơ quan),Tên,Kỳ trước chuyển qua,Tiếp nhận trong kỳ")
    total = lines[-1].split(",")
    assert total[1] == "Tổng cộng" and total[2:4] == [str(MARCH["carried_over"]),
                                                     str(MARCH["received"])]
    xlsx = browser.get(f"/audit/statistics?{MARCH_QUERY}&format=xlsx&group=month")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet is not None
    assert (sheet["A1"].value, sheet["A2"].value, sheet["B3"].value) == (
        "Mã (tháng)", "03/2026", "Tổng cộng")
    assert sheet["D2"].value == MARCH["received"]


def test_bad_filters_show_the_form_with_the_error(app: Flask, march: Any) -> None:
    page = Browser(app, "ks.nga").get("/audit/statistics?from=2026-02-31")
    assert page.status_code == 422
    assert "Ngày không hợp lệ" in text(page) and 'name="from"' in text(page)


def test_the_periodic_list_follows_the_calendar(app: Flask, march: Any) -> None:
    html = text(Browser(app, "ks.nga").get("/audit/reports"))
    assert "Tháng 04/2026" in html and "Đang diễn ra" in html  # monthly by default
    assert "/audit/reports/2026-03" in html


def test_the_periodic_report_page_and_its_downloads(app: Flask, march: Any) -> None:
    browser = Browser(app, "ks.nga")
    html = text(browser.get("/audit/reports/2026-03"))
    assert "Tháng 03/2026" in html and "01/03/2026" in html and "31/03/2026" in html
    assert html.count("<svg") == 3 and html.count('class="chart-data') == 3
    assert "Niêm phong lịch sử: <strong>chưa có</strong>" in html
    assert "UBND xã Đông Hải" in html
    xlsx = browser.get("/audit/reports/2026-03?format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.get_data()))
    assert book.sheetnames == ["Theo cơ quan", "Theo thủ tục", "Theo tháng (12 tháng)",
                               "Niêm phong lịch sử"]
    agencies = [[c.value for c in row] for row in book["Theo cơ quan"].iter_rows()]
    assert agencies[-1][1] == "Tổng cộng" and agencies[-1][3] == MARCH["received"]
    months = [row[0] for row in book["Theo tháng (12 tháng)"].iter_rows(values_only=True)]
    assert months[1] == "04/2025" and months[12] == "03/2026"
    csv = browser.get("/audit/reports/2026-03?format=csv").get_data()
    assert csv.startswith("\ufeff".encode()) and "Theo thủ tục,1.001193".encode() in csv
    pdf = browser.get("/audit/reports/2026-03?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.get_data().startswith(b"%PDF")
    # Shown in the browser, under a plain name and its UTF-8 twin.
    assert pdf.headers["Content-Disposition"] == (
        "inline; filename=\"bao-cao-tinh-2026-03.pdf\"; filename*=UTF-8''bao-cao-tinh-2026-03.pdf")
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "Tháng 03/2026" in words and "Xếp hạng cơ quan" in words


def test_the_report_prints_the_latest_signed_tree_head(app: Flask, march: Any) -> None:
    for day, root in ((date(2026, 4, 8), "a" * 64), (date(2026, 4, 9), "b" * 64)):
        db.session.add(TreeHead(day=day, signed_at=local(2026, 4, 10, 1), last_event_id=1,
                                size=11, root=root, key_id="c" * 64, signature="d" * 128))
    db.session.flush()
    html = text(Browser(app, "ks.nga").get("/audit/reports/2026-03"))
    assert "b" * 64 in html and "a" * 64 not in html and "09/04/2026" in html


def test_a_leader_reads_the_report_of_their_agency_only(app: Flask, march: Any) -> None:
    browser = Browser(app, "gd.son")
    html = text(browser.get("/audit/reports/2026-03"))
    assert "Phòng Hành chính tư pháp" in html and "UBND xã Đông Hải" not in html
    assert browser.get(f"/audit/reports/2026-03?agency={XA}").status_code == 404
    assert browser.get("/audit/reports/2026-13").status_code == 422
    assert Browser(app, "cv.mai").get("/audit/reports/2026-03").status_code == 403
    assert Browser(app, "cv.mai").get("/audit/reports").status_code == 403
    assert Browser(app, "mc.lan").get("/audit/statistics").status_code == 403


def test_the_dashboard_of_a_leader(app: Flask, march: Any) -> None:
    browser = Browser(app, "gd.son")
    page = browser.get("/audit/dashboard")
    assert page.status_code == 200
    html = text(page)
    assert "Bảng điều hành — Sở Tư pháp" in html
    assert html.count("<svg") == 3
    # Past due now (10/04): G (due 25/03) only; K is the commune's.
    link = ("/dossiers?late=true&amp;status=received&amp;status=processing"
            f"&amp;status=supplement_requested&amp;agency={SO_TU_PHAP}")
    assert link in html
    assert march["G"] in html and march["K"] not in html and march["H"] not in html
    # The card's link lists what the card counts: the dossiers open and past due now.
    listed = text(browser.get(link.replace("&amp;", "&")))
    assert march["G"] in listed and march["H"] not in listed
    assert Browser(app, "xa.chutich").get(f"/audit/dashboard?agency={SO_TU_PHAP}"
                                          ).status_code == 404
    assert Browser(app, "vt.ha").get("/audit/dashboard").status_code == 403


def test_the_dashboard_of_the_province_for_an_auditor(app: Flask, march: Any) -> None:
    html = text(Browser(app, "ks.nga").get("/audit/dashboard"))
    assert "Bảng điều hành — toàn tỉnh" in html
    assert march["G"] in html and march["K"] in html
    assert ('href="/dossiers?late=true&amp;status=received&amp;status=processing'
            '&amp;status=supplement_requested"') in html
    one = text(Browser(app, "ks.nga").get(f"/audit/dashboard?agency={XA}"))
    assert march["K"] in one and march["G"] not in one
