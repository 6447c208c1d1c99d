"""The conformance pages without JavaScript: the province's list with its filters and
downloads, one procedure's findings grouped by severity, its PDF report, and who may open
them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from conformance_builders import CODE, STEPS
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader

from motcua.processes.models import ProcessVersion
from support.web import Browser, text

Procedure = Callable[..., ProcessVersion]


@pytest.fixture
def deviating(procedure: Procedure) -> ProcessVersion:
    """Our procedure, its examination allotted 1 day 4 hours where the decision says 1 day."""
    return procedure(steps=[dict(s, time="1d") if s["no"] == 3 else s for s in STEPS])


def rows_of_csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_province_list(app: Flask, deviating: ProcessVersion) -> None:
    page = Browser(app, "ks.nga").get("/audit/conformance")
    assert page.status_code == 200
    html = text(page)
    for code in (CODE, "2.000488", "1.001193"):
        assert f"/audit/conformance/{code}?date=2026-03-16" in html
    assert "2.000505" not in html  # abolished, running nothing
    for word in ("Khớp", "Có sai lệch", "Chưa có quy trình", "Phiên bản 1 (từ 05/01/2026)",
                 "1/QĐ-KT"):
        assert word in html
    assert 'data-label="Tình trạng"' in html  # stacked cards on a phone
    assert "audit-conformance.css" in html


def test_the_list_filters(app: Flask, deviating: ProcessVersion) -> None:
    browser = Browser(app, "ks.nga")
    only = text(browser.get("/audit/conformance?findings=1"))
    assert f"/audit/conformance/{CODE}?" in only and "1.001193" in only
    assert "/audit/conformance/2.000488?" in only  # its steps matched by order: to verify
    by_name = text(browser.get("/audit/conformance?q=khai+sinh"))
    assert "/audit/conformance/1.001193?" in by_name and f"/audit/conformance/{CODE}?" not in (
        by_name)
    commune = text(browser.get("/audit/conformance?agency=000.00.20.H99"))
    assert "/audit/conformance/1.001193?" in commune and "/audit/conformance/2.000488?" not in (
        commune)
    # A day before any of our decisions: only what was in force then.
    early = text(browser.get("/audit/conformance?date=2026-01-04"))
    assert "Không có thủ tục nào" in early


@pytest.mark.parametrize("query", ["date=2026-02-30", "agency=999.99.99.H99"])
def test_a_bad_filter_is_said_on_the_page(app: Flask, sample: dict[str, Any],
                                          query: str) -> None:
    page = Browser(app, "ks.nga").get(f"/audit/conformance?{query}")
    assert page.status_code == 422
    assert "Điều kiện lọc không hợp lệ" in text(page)


def test_the_list_downloads(app: Flask, deviating: ProcessVersion) -> None:
    browser = Browser(app, "ks.nga")
    rows = rows_of_csv(browser.get("/audit/conformance?format=csv"))
    assert rows[0][:3] == ["Mã thủ tục", "Tên thủ tục", "Cơ quan"]
    ours = next(r for r in rows if r[0] == CODE)
    assert ours[7:] == ["Có sai lệch", "1", "0"]
    book = load_workbook(io.BytesIO(browser.get("/audit/conformance?format=xlsx").get_data()))
    sheet = book.active
    assert sheet is not None
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        CODE, "2.000488", "1.001193"}
    assert browser.get("/audit/conformance?format=exe").status_code == 404


def test_a_procedures_findings(app: Flask, deviating: ProcessVersion) -> None:
    page = Browser(app, "ks.nga").get(f"/audit/conformance/{CODE}?date=2026-03-16")
    assert page.status_code == 200
    html = text(page)
    assert "Sai lệch (1)" in html and "Cần xem xét" not in html.split("<h2>", 1)[-1]
    assert "Khác thời gian giải quyết của bước" in html
    assert "3. Thẩm định" in html and "<code>Task_Examine</code>" in html
    assert "quy định 1 ngày" in html and "Đặt thời gian giải quyết" in html
    assert "Phiên bản 1, có hiệu lực từ 05/01/2026" in html
    # Auditors design nothing: no link into the designer's library.
    assert "/design/procedures/" not in html


def test_a_conforming_procedure_says_so(app: Flask, procedure: Procedure) -> None:
    procedure()
    html = text(Browser(app, "ks.nga").get(f"/audit/conformance/{CODE}"))
    assert "không có phát hiện nào" in html and "Khớp" in html


def test_the_report_as_pdf_csv_and_excel(app: Flask, deviating: ProcessVersion) -> None:
    browser = Browser(app, "ks.nga")
    pdf = browser.get(f"/audit/conformance/{CODE}?date=2026-03-16&format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.get_data().startswith(b"%PDF")
    printed = " ".join(" ".join((page.extract_text() or "").split())
                       for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    for words in ("BÁO CÁO ĐỐI CHIẾU QUY TRÌNH ĐIỆN TỬ", "TỈNH MẪU", f"{CODE}",
                  "Ngày đối chiếu 16/03/2026", "1/QĐ-KT", "Phiên bản 1",
                  "Lập lúc 09:00 ngày 16/03/2026", "Khác thời gian giải quyết"):
        assert words in printed, words
    rows = rows_of_csv(browser.get(f"/audit/conformance/{CODE}?format=csv"))
    assert rows[0][0] == "Mức độ"
    assert rows[1][:4] == ["Sai lệch", "Khác thời gian giải quyết của bước", "3. Thẩm định",
                           "Task_Examine"]
    book = load_workbook(io.BytesIO(browser.get(
        f"/audit/conformance/{CODE}?format=xlsx").get_data()))
    assert book.active is not None and book.active.max_row == 2
    assert browser.get(f"/audit/conformance/{CODE}?format=doc").status_code == 404


def test_the_report_of_a_procedure_without_findings_prints_too(app: Flask,
                                                               procedure: Procedure) -> None:
    procedure()
    pdf = Browser(app, "ks.nga").get(f"/audit/conformance/{CODE}?format=pdf")
    assert pdf.get_data().startswith(b"%PDF")


def test_an_unknown_procedure_or_a_bad_date_is_not_a_500(app: Flask,
                                                          sample: dict[str, Any]) -> None:
    browser = Browser(app, "ks.nga")
    assert browser.get("/audit/conformance/9.999999").status_code == 404
    assert browser.get("/audit/conformance/2.000488%00").status_code == 422
    assert browser.get("/audit/conformance?agency=000.00.12.H99%00").status_code == 422
    assert browser.get("/audit/conformance?date=9999-12-31").status_code == 422
    assert browser.get("/audit/conformance/2.000488?date=x").status_code == 422
    assert browser.get("/audit/conformance/1.001193?date=2026-01-01").status_code == 422


@pytest.mark.parametrize("user", ["cv.mai", "gd.son", "qt.binh"])
def test_officers_are_refused(app: Flask, sample: dict[str, Any], user: str) -> None:
    browser = Browser(app, user)
    assert browser.get("/audit/conformance").status_code == 403
    assert browser.get("/audit/conformance/2.000488").status_code == 403
    assert browser.get("/audit/conformance/2.000488?format=pdf").status_code == 403


def test_signing_in_is_needed(client: Any, sample: dict[str, Any]) -> None:
    response = client.get("/audit/conformance")
    assert response.status_code in (302, 401)
