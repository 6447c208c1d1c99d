"""CSV and XLSX tables: what a spreadsheet would run as a formula stays text, every cell a
worksheet cannot hold is written all the same."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from motcua.calendar.working_time import TZ
from motcua.exports import disposition, download, table_csv, table_xlsx

HEADERS = ("Mã hồ sơ", "Người nộp")


def _xlsx_values(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv_values(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_formulas_stay_text_in_csv_and_xlsx() -> None:
    names = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    rows = [("000.00.12.H99-260316-0001", name) for name in names]
    assert [r[1] for r in _csv_values(table_csv(HEADERS, rows))[1:]] == [
        "'" + name for name in names]
    book = load_workbook(io.BytesIO(table_xlsx("Hồ sơ", HEADERS, rows)))
    sheet = book.active
    assert sheet is not None
    cells = [sheet.cell(row=i + 2, column=2) for i in range(len(names))]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells] == ["'" + name for name in names]


def test_control_characters_do_not_break_a_worksheet() -> None:
    # openpyxl refuses them (IllegalCharacterError): the whole download was a 500.
    rows = [("A-1", "Nguyễn\x0bVăn\x1b An\x07"), ("A-2", "Dòng 1\nDòng 2\tcột")]
    assert _xlsx_values(table_xlsx("Hồ sơ", HEADERS, rows))[1:] == [
        ["A-1", "NguyễnVăn An"], ["A-2", "Dòng 1\nDòng 2\tcột"]]
    # CSV holds any character: kept as they are.
    assert _csv_values(table_csv(HEADERS, rows))[1][1] == "Nguyễn\x0bVăn\x1b An\x07"


def test_times_are_local_without_a_zone() -> None:
    moment = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    assert _csv_values(table_csv(("Lúc",), [(moment,)]))[1] == ["16/03/2026 09:00"]
    # Spreadsheets keep no zone: the local wall-clock time, naive.
    assert _xlsx_values(table_xlsx("T", ("Lúc",), [(moment,)]))[1] == [
        moment.astimezone(TZ).replace(tzinfo=None)]


def test_a_download_names_its_file_in_ascii_and_in_utf8() -> None:
    response = download(b"x", 'Thống kê "Sở Tư pháp"\r\nĐợt 1', "csv")
    header = response.headers["Content-Disposition"]
    header.encode("ascii")  # a header is Latin-1 at most: this name is not
    assert header == ('attachment; filename="Thong_ke_So_Tu_phap_Dot_1.csv"; '
                      "filename*=UTF-8''Th%E1%BB%91ng%20k%C3%AA%20%22S%E1%BB%9F%20T%C6%B0%20"
                      "ph%C3%A1p%22%0D%0A%C4%90%E1%BB%A3t%201.csv")
    assert disposition("báo-cáo.pdf", inline=True).startswith('inline; filename="bao-cao.pdf"')
    assert disposition("….csv") == "attachment; filename=\"csv\"; filename*=UTF-8''%E2%80%A6.csv"
