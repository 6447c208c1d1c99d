"""The execution pages: one dossier's findings on its annotated history with the chain's
state, the aggregation with its filters, drill-down and exports; auditors only."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from execution_support import AGENCY, Life, rewrite, three_lives
from flask import Flask
from openpyxl import load_workbook

from support.clock import FakeClock
from support.walk import Walker
from support.web import Browser, text

PERIOD = "from=2026-03-01&to=2026-04-30"


@pytest.fixture
def auditor(app: Flask) -> Browser:
    return Browser(app, "ks.nga")


def test_a_dossiers_page_annotates_its_history_and_shows_a_broken_chain(
        walker: Walker, clock: FakeClock, auditor: Browser) -> None:
    life = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=14)
    life.through(1)
    page = auditor.get(f"/audit/dossiers/{life.code}")
    assert page.status_code == 200
    html = text(page)
    assert "Chuỗi băm của lịch sử hồ sơ nguyên vẹn" in html
    assert f'href="/dossiers/{life.code}"' in html
    assert "quá hạn 3 ngày 1 giờ làm việc" in html  # beside the examination's event
    assert f'id="event-{life.event("Task_Examine").seq}" class="has-warning"' in html
    assert "Quá hạn không xin lỗi" in html and "Mẫu 04" in html
    assert "Phạm Thị Mai" in html and "Phòng Hành chính tư pháp" in html
    rewrite(life.event("Task_Review"), note="Sửa ngoài hệ thống")
    broken = text(auditor.get(f"/audit/dossiers/{life.code}"))
    assert 'class="chain-broken" role="alert"' in broken
    assert f"từ sự kiện thứ {life.event('Task_Review').seq}: sự kiện bị sửa" in broken


def test_a_conforming_dossiers_page_says_so(walker: Walker, clock: FakeClock,
                                            auditor: Browser) -> None:
    life = Life(walker, clock).receive().to_the_end()
    html = text(auditor.get(f"/audit/dossiers/{life.code}"))
    assert "Không có phát hiện nào" in html
    assert "has-error" not in html and "has-warning" not in html


def test_only_auditors_open_the_pages(walker: Walker, clock: FakeClock, app: Flask) -> None:
    life = Life(walker, clock).receive()
    for username in ("cv.mai", "gd.son"):
        officer = Browser(app, username)
        assert officer.get(f"/audit/dossiers/{life.code}").status_code == 403
        assert officer.get("/audit/execution").status_code == 403
        assert officer.get(f"/audit/execution/dossiers?key={AGENCY}").status_code == 403
    assert Browser(app, "ks.nga").get("/audit/dossiers/000.00.12.H99-260316-9999"
                                      ).status_code == 404


def test_the_aggregate_page_with_its_drill_down(walker: Walker, clock: FakeClock,
                                                auditor: Browser) -> None:
    three = three_lives(walker, clock)
    # A first visit shows the current month: April holds C only.
    first = text(auditor.get("/audit/execution"))
    assert 'value="2026-04-01"' in first and "01/04/2026 – 01/04/2026" in first
    assert "1 lượt hồ sơ, 1 có lỗi hoặc cảnh báo" in first
    html = text(auditor.get(f"/audit/execution?{PERIOD}"))
    assert "3 lượt hồ sơ, 2 có lỗi hoặc cảnh báo" in html
    drill = f"/audit/execution/dossiers?key={AGENCY}&amp;group=agency&amp;from=2026-03-01"
    assert drill in html and ">Sở Tư pháp</a>" in html
    listed = text(auditor.get(f"/audit/execution/dossiers?key={AGENCY}&group=agency&{PERIOD}"))
    assert "2 hồ sơ có lỗi hoặc cảnh báo" in listed
    assert f'href="/audit/dossiers/{three["B"]}"' in listed
    assert f'href="/audit/dossiers/{three["C"]}"' in listed
    assert three["A"] not in listed
    officers = text(auditor.get(f"/audit/execution?group=officer&{PERIOD}"))
    assert "Phạm Thị Mai" in officers and "Nguyễn Mạnh Hùng" in officers


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_exports(walker: Walker, clock: FakeClock, auditor: Browser) -> None:
    three = three_lives(walker, clock)
    rows = _csv(auditor.get(f"/audit/execution?format=csv&{PERIOD}"))
    assert rows[0][:4] == ["Mã (cơ quan)", "Tên", "Hồ sơ", "Có lỗi, cảnh báo"]
    assert rows[1] == [AGENCY, "Sở Tư pháp", "3", "2", "1", "1500", "1", "1", "1", "2", "1"]
    assert rows[2][1:] == ["Tổng cộng", "3", "2", "1", "1500", "1", "1", "1", "2", "1"]
    book = load_workbook(io.BytesIO(auditor.get(
        f"/audit/execution?format=xlsx&group=procedure&{PERIOD}").get_data()))
    sheet = book.active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:4] == ["2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", 3, 2]
    found = _csv(auditor.get(f"/audit/execution/dossiers?format=csv&key=cv.mai&group=officer"
                             f"&{PERIOD}"))
    assert found[0][0] == "Mã hồ sơ"
    assert {(r[0], r[2]) for r in found[1:]} == {
        (three["B"], "Bước quá hạn"), (three["C"], "Tạm dừng tính thời gian (bổ sung hồ sơ)"),
        (three["C"], "Người xử lý ngoài vai trò, đơn vị của bước"),
        (three["C"], "Yêu cầu bổ sung nhiều lần")}


@pytest.mark.parametrize(("query", "status", "words"), [
    ("from=2026-13-01", 422, "Tiếp nhận từ ngày: Ngày phải có dạng YYYY-MM-DD"), ("group=nam", 422, "Tổng hợp theo: Nhóm theo"),
    ("agency=000.99.99.H99", 404, "Không tìm thấy cơ quan"),
])
def test_a_bad_filter_is_shown_beside_the_form(sample: Any, auditor: Browser, query: str,
                                               status: int, words: str) -> None:
    page = auditor.get(f"/audit/execution?{query}")
    assert page.status_code == status
    assert 'class="error-summary" role="alert"' in text(page) and words in text(page)
    assert auditor.get(f"/audit/execution?{query}&format=csv").status_code == status
    missing = auditor.get(f"/audit/execution/dossiers?{PERIOD}")
    assert missing.status_code == 422 and "Chọn một dòng" in text(missing)
