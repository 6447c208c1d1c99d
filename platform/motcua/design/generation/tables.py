"""Reading a decision's step table from an uploaded DOCX, XLSX or CSV file into a grid of
cell texts, without trusting the file.

DOCX and XLSX are zip archives of XML parts. Before a library opens one, the archive is
checked here: bounded size, entry count and expansion (zip bombs), and no DTD in any part (a
DTD is how XML reaches for external entities or expands into gigabytes). The libraries then
parse the parts without resolving entities and never fetch what a relationship points to;
external workbook links are dropped (``keep_links=False``). Nothing here raises for a bad
file: what is wrong comes back as a problem.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from motcua.processes.checks import Problem
from motcua.processes.checks.problems import Severity

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
# One XML part: the libraries parse each whole, so this bounds their time and memory.
MAX_PART_BYTES = 8 * 1024 * 1024
# Office parts compress well, but not a thousandfold: more than this is a bomb.
MAX_RATIO = 200
MAX_ROWS = 2000
MAX_COLUMNS = 40
MAX_CELL_CHARS = 4000

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_TEXT = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Grid:
    """One table as rows of cell texts; a merged cell's text stands in every cell it covers.
    ``where`` names the table for messages ("bảng 2", "trang tính Sheet1")."""

    rows: list[list[str]]
    where: str


@dataclass
class Grids:
    grids: list[Grid] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def problem(message: str, *, line: int | None = None,
            severity: Severity = Severity.ERROR) -> Problem:
    return Problem(message, line=line, rule="table", severity=severity)


def read_grids(filename: str, content: bytes) -> Grids:
    """Every table in the file, by what the bytes are (the name is only a hint in messages)."""
    if len(content) > MAX_FILE_BYTES:
        return Grids(problems=[problem(
            f"Tệp {filename} lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB: bảng quy trình "
            "không cần lớn như vậy, hãy lưu riêng bảng các bước.")])
    if not content.strip():
        return Grids(problems=[problem(f"Tệp {filename} rỗng.")])
    if content.startswith(_OLE):
        return Grids(problems=[problem(
            f"Tệp {filename} ở định dạng Word/Excel cũ (.doc/.xls): mở bằng Word hoặc Excel và "
            "lưu lại thành .docx hoặc .xlsx.")])
    if content.startswith(b"PK"):
        return _read_zip(filename, content)
    return _read_csv(filename, content)


# ---------------------------------------------------------------------- zip containers

def _unsafe_zip(filename: str, archive: zipfile.ZipFile) -> str | None:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        return f"Tệp {filename} có quá nhiều thành phần ({len(entries)})."
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > MAX_UNPACKED_BYTES:
            return f"Tệp {filename} khi giải nén quá lớn (trên {MAX_UNPACKED_BYTES // 2**20} MB)."
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
            return f"Tệp {filename} có thành phần nén bất thường ({entry.filename})."
        if entry.filename.endswith((".xml", ".rels")) and entry.file_size > MAX_PART_BYTES:
            return (f"Tệp {filename} có thành phần {entry.filename} quá lớn (trên "
                    f"{MAX_PART_BYTES // 2**20} MB): hãy lưu riêng bảng các bước.")
    for entry in entries:
        if entry.is_dir():
            continue
        with archive.open(entry) as part:
            data = part.read(MAX_UNPACKED_BYTES + 1)
        if _has_dtd(data):
            return (f"Tệp {filename} có khai báo DOCTYPE/ENTITY trong {entry.filename}: tệp "
                    "Word/Excel bình thường không có, tệp bị từ chối vì lý do an toàn.")
    return None


def _has_dtd(data: bytes) -> bool:
    if _DTD.search(data):
        return True
    # XML parts may be UTF-16: scan them as text too.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:2] in (b"<\x00", b"\x00<"):
        for codec in ("utf-16", "utf-16-le", "utf-16-be"):
            try:
                if _DTD_TEXT.search(data.decode(codec)):
                    return True
            except UnicodeDecodeError:
                continue
    return False


def _read_zip(filename: str, content: bytes) -> Grids:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError):
        return Grids(problems=[problem(f"Tệp {filename} bị hỏng, không đọc được: hãy lưu lại "
                                       "tệp từ Word hoặc Excel.")])
    with archive:
        try:
            unsafe = _unsafe_zip(filename, archive)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
            unsafe = f"Tệp {filename} bị hỏng, không giải nén được."
        if unsafe is not None:
            return Grids(problems=[problem(unsafe)])
        names = set(archive.namelist())
    try:
        if "word/document.xml" in names:
            return _read_docx(content)
        if "xl/workbook.xml" in names:
            return _read_xlsx(content)
    except Exception:
        # python-docx and openpyxl raise many kinds of errors on a damaged part: each one is
        # the same answer to the designer, never a server error.
        return Grids(problems=[problem(f"Tệp {filename} bị hỏng, không đọc được nội dung: "
                                       "hãy lưu lại tệp từ Word hoặc Excel.")])
    return Grids(problems=[problem(
        f"Tệp {filename} không phải tài liệu Word (.docx) hay bảng tính Excel (.xlsx): tải lên "
        "tệp DOCX, XLSX hoặc CSV có bảng các bước.")])


def _clip(text: str) -> str:
    return " ".join(text.split())[:MAX_CELL_CHARS]


def _read_docx(content: bytes) -> Grids:
    import docx

    document = docx.Document(io.BytesIO(content))
    grids = Grids()
    for index, table in enumerate(document.tables, start=1):
        rows: list[list[str]] = []
        for row in table.rows[:MAX_ROWS]:
            # ``row.cells`` repeats a merged cell in every grid column and row it spans.
            rows.append([_clip(cell.text) for cell in row.cells[:MAX_COLUMNS]])
        grids.grids.append(Grid(rows, f"bảng {index}"))
    return grids


def _read_xlsx(content: bytes) -> Grids:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True, keep_links=False,
                                      keep_vba=False)
    grids = Grids()
    try:
        for sheet in workbook.worksheets:
            height = min(sheet.max_row, MAX_ROWS)
            width = min(sheet.max_column, MAX_COLUMNS)
            rows = [["" if v is None else _clip(_cell_text(v)) for v in values]
                    for values in sheet.iter_rows(min_row=1, max_row=height, max_col=width,
                                                  values_only=True)]
            # A merged range keeps its value in the top-left cell only: spread it.
            for merged in sheet.merged_cells.ranges:
                top, left = merged.min_row - 1, merged.min_col - 1
                if top >= height or left >= width:
                    continue
                value = rows[top][left]
                for r in range(top, min(merged.max_row, height)):
                    for c in range(left, min(merged.max_col, width)):
                        rows[r][c] = value
            grids.grids.append(Grid(rows, f"trang tính {sheet.title}"))
    finally:
        workbook.close()
    return grids


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        # Excel stores "0,5" typed as a number: write it back the way the table reads.
        return repr(value)
    return str(value)


# ---------------------------------------------------------------------- CSV

def _decode(content: bytes) -> str | None:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" on Vietnamese Windows.
        return content.decode("cp1258")
    except UnicodeDecodeError:
        return None


def _read_csv(filename: str, content: bytes) -> Grids:
    text = _decode(content)
    if text is None or "\x00" in text:
        return Grids(problems=[problem(
            f"Tệp {filename} không phải tệp văn bản CSV đọc được (cần mã hóa UTF-8), cũng không "
            "phải DOCX hay XLSX.")])
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [[_clip(cell) for cell in row[:MAX_COLUMNS]]
                for _, row in zip(range(MAX_ROWS), csv.reader(io.StringIO(text), dialect),
                                  strict=False)]
    except csv.Error as exc:
        return Grids(problems=[problem(f"Tệp CSV {filename} không đọc được: {exc}.")])
    return Grids(grids=[Grid(rows, "tệp CSV")])
