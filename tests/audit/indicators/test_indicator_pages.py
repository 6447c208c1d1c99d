"""The indicators pages: the table with formulas, no-data and unconfirmed marks, drill-down
links and the chart; scope for leaders, 403 for officers; downloads; and the dossier page's
choice of what an attached file is."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Flask
from indicator_month import MARCH, NUMERATOR_ROWS, PHONG, SO_TU_PHAP, XA
from openpyxl import load_workbook
from sqlalchemy import select

from motcua.audit.indicators.pages import quick_periods
from motcua.db import db
from motcua.dossiers.models import Attachment, AttachmentKind, Dossier
from support.walk import Walker, sample_at_examination
from support.web import Browser, text

PAGE = "/audit/indicators"


def test_the_auditor_reads_every_indicator_with_its_formula(app: Flask,
                                                            month: dict[str, str]) -> None:
    page = Browser(app, "ks.nga").get(f"{PAGE}?agency={SO_TU_PHAP}&{MARCH}")
    assert page.status_code == 200
    html = text(page)
    for words in ("Tỷ lệ hồ sơ giải quyết đúng hạn", "Tỷ lệ số hóa kết quả giải quyết",
                  "Tổng số hồ sơ đã giải quyết và hồ sơ quá hạn chưa giải quyết",
                  "Quyết định 766/QĐ-TTg", "chưa được phụ lục chính thức xác nhận",
                  "Chưa có dữ liệu", "Toàn tỉnh", "Điểm theo nhóm"):
        assert words in html, words
    # 3 / 7 as officers write it, 9 working days, and the on-time share drawn as SVG.
    assert "42,9%" in html and "9 ngày làm việc" in html
    assert "<svg" in html and 'role="img"' in html
    assert (f"/audit/indicators/on_time/dossiers?agency={SO_TU_PHAP}&amp;from=2026-03-01"
            "&amp;to=2026-03-31") in html
    # No drill-down for what we hold no data of.
    assert "/audit/indicators/online_payment/dossiers" not in html
    for label in ("Tháng này", "Quý này", "Năm nay"):
        assert label in html


def test_the_confirmed_formulas_carry_no_unconfirmed_mark(app: Flask,
                                                          month: dict[str, str]) -> None:
    html = text(Browser(app, "ks.nga").get(f"{PAGE}?{MARCH}"))
    row = html.split('id="feedback_on_time"', 1)[1].split("</tr>", 1)[0]
    assert "chưa được phụ lục" not in row and "Chưa có dữ liệu" in row


def test_a_leader_picks_only_their_agency_and_below(app: Flask, month: dict[str, str]) -> None:
    leader = Browser(app, "gd.son")
    html = text(leader.get(f"{PAGE}?{MARCH}"))
    assert f'value="{SO_TU_PHAP}" selected' in html and f'value="{PHONG}"' in html
    assert f'value="{XA}"' not in html and "Toàn tỉnh</option>" not in html
    assert leader.get(f"{PAGE}?agency={XA}&{MARCH}").status_code == 404
    assert leader.get(f"/audit/indicators/on_time/dossiers?agency={XA}&{MARCH}"
                      ).status_code == 404


def test_officers_are_refused(app: Flask, month: dict[str, str]) -> None:
    officer = Browser(app, "cv.mai")
    assert officer.get(PAGE).status_code == 403
    assert officer.get("/audit/indicators/on_time/dossiers").status_code == 403


def test_a_bad_date_is_named_beside_its_field(app: Flask, month: dict[str, str]) -> None:
    page = Browser(app, "ks.nga").get(f"{PAGE}?from=2026-02-30&to=2026-03-31")
    assert page.status_code == 422
    assert 'id="from-error"' in text(page) and "2026-02-30" in text(page)


def test_the_table_downloads_as_csv_and_excel(app: Flask, month: dict[str, str]) -> None:
    auditor = Browser(app, "ks.nga")
    answer = auditor.get(f"{PAGE}?agency={SO_TU_PHAP}&{MARCH}&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    by_key = {r[1]: r for r in rows[1:]}
    assert rows[0][:3] == ["Nhóm", "Mã chỉ số", "Chỉ số"]
    assert by_key["on_time"][4:7] == ["3", "7", "42.86"]
    assert by_key["online_payment"][4] == "Chưa có dữ liệu"
    answer = auditor.get(f"{PAGE}?agency={SO_TU_PHAP}&{MARCH}&format=xlsx")
    book = load_workbook(io.BytesIO(answer.get_data()))
    assert book.sheetnames == ["Chỉ số 766", "Điểm theo nhóm"]
    groups = {r[0]: r for r in book["Điểm theo nhóm"].iter_rows(min_row=2, values_only=True)}
    assert groups["Mức độ hài lòng"][2] == "Chưa có dữ liệu"


def test_the_drill_down_page_and_its_download(app: Flask, month: dict[str, str]) -> None:
    auditor = Browser(app, "ks.nga")
    path = f"/audit/indicators/digitised_results/dossiers?agency={SO_TU_PHAP}&{MARCH}"
    html = text(auditor.get(path))
    for name in NUMERATOR_ROWS["digitised_results"]:
        assert month[name] in html
    assert month["on_time"] not in html
    answer = auditor.get(path + "&format=csv")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r[0] for r in rows[1:]} == {month[n] for n in NUMERATOR_ROWS["digitised_results"]}
    procedures = text(auditor.get(f"/audit/indicators/procedures_online/dossiers?"
                                  f"agency={SO_TU_PHAP}&{MARCH}"))
    assert "9.000001" in procedures and "9.000002" not in procedures
    assert "Chưa có dữ liệu" in text(auditor.get("/audit/indicators/satisfaction/dossiers"))
    assert auditor.get("/audit/indicators/no_such_key/dossiers").status_code == 404


PDF = b"%PDF-1.4\n%%EOF\n"


def _attach(browser: Browser, code: str, kind: str | None) -> Any:
    data: dict[str, Any] = {"attachments": [(io.BytesIO(PDF), f"{kind}.pdf")]}
    if kind is not None:
        data["kind"] = kind
    return browser.post(f"/dossiers/{code}/attachments", data,
                        content_type="multipart/form-data")


def test_an_officer_attaches_the_electronic_result(app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    holder = Browser(app, "cv.mai")
    page = text(holder.get(f"/dossiers/{code}"))
    assert "Thành phần hồ sơ" in page and "Kết quả giải quyết (bản điện tử)" in page
    assert _attach(holder, code, "result").status_code == 302
    assert _attach(holder, code, None).status_code == 302  # a document, by default
    assert _attach(holder, code, "contract").status_code == 422
    dossier = db.session.scalars(select(Dossier).where(Dossier.code == code)).one()
    db.session.refresh(dossier)
    kinds = list(db.session.scalars(select(Attachment.kind).where(
        Attachment.dossier_id == dossier.id).order_by(Attachment.id)))
    assert kinds == [AttachmentKind.RESULT, AttachmentKind.DOSSIER]
    assert (dossier.dossier_files, dossier.result_files) == (1, 1)
    assert "Kết quả giải quyết (bản điện tử)</h3>" in text(holder.get(f"/dossiers/{code}"))


def test_the_quick_periods_end_on_their_last_day() -> None:
    assert quick_periods(date(2026, 12, 31)) == [
        ("Tháng này", date(2026, 12, 1), date(2026, 12, 31)),
        ("Quý này", date(2026, 10, 1), date(2026, 12, 31)),
        ("Năm nay", date(2026, 1, 1), date(2026, 12, 31))]
    assert quick_periods(date(2028, 2, 10))[:2] == [
        ("Tháng này", date(2028, 2, 1), date(2028, 2, 29)),
        ("Quý này", date(2028, 1, 1), date(2028, 3, 31))]
