"""The small pieces behind the documents: Vietnamese dates, the platform's records of papers,
periods, QR codes and the lookup URL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from motcua.documents import qr
from motcua.documents.book import parse_period
from motcua.documents.fields import DocumentLine, missing_lines, received_lines
from motcua.documents.formatting import breakable, long_date, long_time, short_date, short_time
from motcua.errors import Invalid
from support.documents import segno_grid, svg_matrix


def test_dates_follow_the_administrative_style() -> None:
    assert long_date(date(2026, 3, 2)) == "ngày 02 tháng 3 năm 2026"
    assert long_date(date(2026, 1, 15)) == "ngày 15 tháng 01 năm 2026"
    assert long_date(date(2026, 2, 9)) == "ngày 09 tháng 02 năm 2026"
    assert long_date(date(2026, 12, 31)) == "ngày 31 tháng 12 năm 2026"
    # Snapshots keep ISO strings; the database gives UTC: both print in Hà Nội time.
    assert long_time("2026-03-02T09:30:00+07:00") == "09 giờ 30 phút, ngày 02 tháng 3 năm 2026"
    assert long_time(datetime(2026, 3, 1, 17, 5, tzinfo=UTC)) == (
        "00 giờ 05 phút, ngày 02 tháng 3 năm 2026")
    assert short_time(datetime(2026, 3, 1, 17, 5, tzinfo=UTC)) == "02/03/2026 00:05"
    assert short_date(date(2026, 3, 2)) == "02/03/2026"
    for empty in (None, "", "không phải ngày"):
        assert long_time(empty) == short_time(empty) == long_date(empty) == ""


def test_codes_may_wrap_after_hyphens_only_as_markup() -> None:
    assert str(breakable("000.00.12.H99-260302-0001")) == "000.00.12.H99-<wbr>260302-<wbr>0001"
    assert str(breakable("<b>-x")) == "&lt;b&gt;-<wbr>x"


@pytest.mark.parametrize(("items", "expected"), [
    ([{"name": "Giấy khai sinh", "original": 0, "copy": 1},
      {"name": " Tờ khai ", "original": 1, "copy": 0}],
     [DocumentLine("Giấy khai sinh", 0, 1), DocumentLine("Tờ khai", 1, 0)]),
    # Counts that are no numbers are not printed as numbers.
    ([{"name": "X", "original": True, "copy": "2"}], [DocumentLine("X", None, None)]),
    # A form's own list, whatever its keys say, is not the platform's record of papers.
    ([{"ten": "Tờ khai", "ban_chinh": 1}, "Sổ hộ khẩu", 7, {"name": " "}], []),
    ([], []), (None, []),
])
def test_received_papers_are_the_desks_own_record(items: Any,
                                                  expected: list[DocumentLine]) -> None:
    assert received_lines(items) == expected


def test_missing_papers_print_what_the_supplement_request_recorded() -> None:
    assert missing_lines([{"name": "Bản sao CCCD", "details": "Loại bản: Bản sao; Số lượng: 2"},
                          {"name": "Ảnh 4x6", "details": ""}, {"ten": "Không đọc"}]) == [
        DocumentLine("Bản sao CCCD", note="Loại bản: Bản sao; Số lượng: 2"),
        DocumentLine("Ảnh 4x6")]


def test_periods() -> None:
    today = date(2026, 2, 10)
    march = parse_period("2026-03-01", "2026-03-31", today)
    assert (march.start, march.end) == (date(2026, 3, 1), date(2026, 3, 31))
    start, end = march.bounds
    assert start.isoformat() == "2026-03-01T00:00:00+07:00"
    assert end.isoformat() == "2026-04-01T00:00:00+07:00"  # the last day is included
    this_month = parse_period(None, None, today)
    assert (this_month.start, this_month.end) == (date(2026, 2, 1), date(2026, 2, 28))
    from_only = parse_period("2024-02-10", "", today)
    assert from_only.end == date(2024, 2, 29)
    to_only = parse_period(None, "2026-12-05", today)
    assert to_only.start == date(2026, 12, 1)
    assert parse_period("2024-01-01", "2024-12-31", today).end == date(2024, 12, 31)
    for start_text, end_text in (("2026-02-30", None), ("x", "y"), ("2026-03-02", "2026-03-01"),
                                 ("2025-01-01", "2026-01-02"), ("0001-01-01", "0001-01-02")):
        with pytest.raises(Invalid):
            parse_period(start_text, end_text, today)


def test_qr_svg_round_trips() -> None:
    url = "https://dichvucong.example.vn/lookup/000.00.12.H99-260302-0001"
    svg = str(qr.qr_svg(url))
    assert svg.startswith("<svg") and 'class="qr"' in svg and "viewBox" in svg
    assert url not in svg  # geometry only, no text
    assert svg_matrix(svg) == segno_grid(qr.qr_code(url), border=2)


def test_lookup_url_uses_the_public_address(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://motcua.example.vn")
    # Not the request's address, and no request needed at all (the worker prints too).
    assert qr.lookup_url("000.00.12.H99-260302-0001") == (
        "https://motcua.example.vn/lookup/000.00.12.H99-260302-0001")
    with app.test_request_context("/", base_url="http://attacker.example:8080/x"):
        assert qr.lookup_url("A 1") == "https://motcua.example.vn/lookup/A%201"
