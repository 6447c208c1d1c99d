"""Reading a decision's step table from DOCX, XLSX and CSV: two-row headers, merged cells,
sub-steps under a heading, times in words, the total row; and refusing bad or unsafe files
with problems, never an exception."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from gen_support import DESK_TEXT, TABLE, csv_table, docx_table, xlsx_table

from motcua.design.generation import read_table
from motcua.design.generation.rows import parse_time

EXPECTED = [
    {"no": 1, "work": "Tiếp nhận, kiểm tra, số hóa hồ sơ", "responsible": DESK_TEXT,
     "time": "4h", "result": "Mẫu 01"},
    {"no": 2, "time": "0.5d"}, {"no": "3.1", "time": "3d"},
    {"no": "3.2", "time": "2d",
     "responsible": "Chuyên viên Phòng Đất đai - Sở Nông nghiệp và Môi trường"},
    {"no": 4, "time": "0.5d"}, {"no": 5, "time": "1d"}, {"no": 6, "time": "0.5d"},
    {"no": 7, "time": "0", "result": "Sổ theo dõi"},
]


@pytest.mark.parametrize(("filename", "make"), [
    ("quy-trinh.csv", csv_table), ("quy-trinh.docx", docx_table),
    ("quy-trinh.xlsx", xlsx_table),
])
def test_a_decision_table_reads_into_steps(filename: str, make: Callable[[], bytes]) -> None:
    table = read_table(filename, make())
    assert table.problems == []
    assert table.time_limit == "10d"
    assert len(table.rows) == len(EXPECTED)
    for row, expected in zip(table.rows, EXPECTED, strict=True):
        assert {k: row[k] for k in expected} == expected
    # The heading "3" is not a step; its sub-steps keep their own responsible.
    assert [r["no"] for r in table.rows].count(3) == 0


def test_the_file_name_does_not_decide_the_format() -> None:
    assert read_table("bang.csv", docx_table()).rows == read_table("bang.docx",
                                                                   docx_table()).rows


def test_semicolons_and_a_sub_step_without_responsible() -> None:
    rows = [list(r) for r in TABLE]
    rows[3][2] = ""  # 3.1 takes the heading's responsible
    table = read_table("bang.csv", csv_table(rows, delimiter=";"))
    assert table.problems == []
    assert table.rows[2]["responsible"] == TABLE[2][2]


@pytest.mark.parametrize(("text", "expected"), [
    ("0,5 ngày", "0.5d"), ("04 giờ", "4h"), ("Không tính", "0"), ("01 ngày làm việc", "1d"),
    ("30 phút", "30m"), ("1/2 ngày", "0.5d"), ("1 ngày 4 giờ", "720m"), ("0.5d", "0.5d"),
    ("2", "2d"), ("không quy định", "0"), ("sớm nhất có thể", None), ("0,33 ngày", None),
])
def test_times_in_words(text: str, expected: str | None) -> None:
    assert parse_time(text) == expected


def test_a_time_that_cannot_be_read_names_its_line_and_column() -> None:
    rows = [list(r) for r in TABLE]
    rows[1][3] = "tùy trường hợp"
    table = read_table("bang.csv", csv_table(rows))
    [problem] = table.problems
    assert problem.rule == "table" and problem.is_error
    assert "dòng 4" in problem.message and "cột Thời gian" in problem.message
    assert problem.line == 4


def _zip(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _with_part(content: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    parts = {n: source.read(n) for n in source.namelist()}
    parts[name] = data
    return _zip(parts)


ENTITY = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
          b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
          b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")


@pytest.mark.parametrize(("filename", "content", "words"), [
    pytest.param("a.docx", b"", "rỗng", id="empty"),
    pytest.param("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, ".docx",
                 id="old-word"),
    pytest.param("a.docx", b"PK\x03\x04 broken", "hỏng", id="broken-zip"),
    pytest.param("a.docx", _zip({"hello.txt": b"hi"}), "không phải tài liệu Word",
                 id="zip-not-office"),
    pytest.param("a.docx", _with_part(docx_table(), "word/document.xml", ENTITY), "DOCTYPE",
                 id="docx-with-entity"),
    pytest.param("a.xlsx", _with_part(xlsx_table(), "xl/worksheets/sheet1.xml",
                                      ENTITY.decode().encode("utf-16")), "DOCTYPE",
                 id="xlsx-with-utf16-entity"),
    pytest.param("a.docx", _zip({"word/document.xml": b"<" + b" " * 30_000_000 + b">"}),
                 "nén bất thường", id="zip-bomb"),
    pytest.param("a.xlsx", _zip({"xl/workbook.xml": b"<w/>", "xl/worksheets/sheet1.xml":
                                 random.Random(1).randbytes(9_000_000)}), "quá lớn",
                 id="huge-part"),
    pytest.param("a.docx", _zip({"word/document.xml": b"<not xml", "[Content_Types].xml":
                                 b"<Types/>"}), "hỏng", id="docx-not-xml"),
    pytest.param("a.csv", "Một,Hai,Ba\n1,2,3\n".encode(), "Không tìm thấy bảng các bước",
                 id="csv-without-columns"),
    pytest.param("a.bin", bytes(range(256)) * 8, "không phải tệp văn bản", id="binary"),
])
def test_a_bad_file_is_a_problem_not_an_exception(filename: str, content: bytes,
                                                  words: str) -> None:
    table = read_table(filename, content)
    assert table.rows == []
    assert table.problems and all(p.rule == "table" and p.is_error for p in table.problems)
    assert words in table.problems[0].message, table.problems[0].message


def _docx_with_external_parts() -> bytes:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    document = docx.Document(io.BytesIO(docx_table()))
    # An image and a hyperlink that live elsewhere: a reader that followed them would call out.
    document.part.relate_to("http://127.0.0.1:9/logo.png", RT.IMAGE, is_external=True)
    document.part.relate_to("file:///etc/passwd", RT.HYPERLINK, is_external=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx_with_links() -> bytes:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(xlsx_table()))
    book.active["F5"].hyperlink = "http://127.0.0.1:9/van-ban"
    book.active["G5"] = "='file:///etc/[passwd.xlsx]Sheet1'!A1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("filename", "make"), [("a.docx", _docx_with_external_parts),
                                                 ("a.xlsx", _xlsx_with_links)])
def test_what_a_file_points_to_is_never_read(monkeypatch: pytest.MonkeyPatch, filename: str,
                                             make: Callable[[], bytes]) -> None:
    import builtins
    import socket

    content = make()
    opened: list[object] = []

    def no_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a connection was opened: {args}")

    real_open = builtins.open

    def watched_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", no_connection)
    monkeypatch.setattr(socket, "create_connection", no_connection)
    monkeypatch.setattr(builtins, "open", watched_open)
    table = read_table(filename, content)
    assert len(table.rows) == 8
    assert not [f for f in opened if "passwd" in str(f)]
