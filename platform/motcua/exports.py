"""Tables to CSV and XLSX files, for every list and report a user can download. Cells are
plain values; text that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from motcua.calendar.working_time import TZ

FORMATS = ("csv", "xlsx")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        # Local time without a zone: spreadsheets keep none.
        return value.astimezone(TZ).replace(tzinfo=None)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # CSV/XLSX injection: "=HYPERLINK(...)" in an applicant's name stays text.
        return "'" + value
    return value


def _xlsx_cell(value: Any) -> Any:
    """A cell as a worksheet holds it: XML 1.0 has no control characters but tab and line
    breaks, and openpyxl raises on any other (an applicant's name pasted with a vertical
    tab made the whole download a 500); they are dropped, as a spreadsheet shows none."""
    value = _cell(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _text(value: Any) -> str:
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def table_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads Vietnamese letters right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
               sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = ()
               ) -> bytes:
    """One sheet per table: the first is ``title``; ``sheets`` adds more (title, headers,
    rows). Sheet titles are cut to Excel's 31 characters."""
    book = Workbook()
    first = book.active
    assert first is not None
    for index, (name, head, body) in enumerate(((title, headers, rows), *sheets)):
        sheet = first if index == 0 else book.create_sheet()
        sheet.title = "".join(c for c in name if c not in "[]:*?/\\")[:31] or f"Bảng {index + 1}"
        sheet.append(list(head))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in body:
            sheet.append([_xlsx_cell(v) for v in row])
        for column in sheet.columns:
            width = max((len(_text(c.value)) for c in column), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition header for ``filename`` whatever it holds: an ASCII name for
    old clients (accents dropped, anything else "_": a header is Latin-1 at most, and a quote
    or a line break would end it) and the name itself in UTF-8 (RFC 6266 ``filename*``)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", filename.replace("đ", "d")
                                                    .replace("Đ", "D"))
                   if not unicodedata.combining(c))
    fallback = _UNSAFE_NAME.sub("_", bare).strip("_.") or "tai-ve"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(data: bytes, filename: str, fmt: str, *, inline: bool = False) -> Response:
    """``filename`` without its extension; ``inline`` to show it in the browser (a PDF)."""
    types = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    response = Response(data, mimetype=types[fmt])
    response.headers["Content-Disposition"] = disposition(f"{filename}.{fmt}", inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def table_download(fmt: str, filename: str, title: str, headers: Sequence[str],
                   rows: Iterable[Sequence[Any]]) -> Response:
    """``fmt`` is ``csv`` or ``xlsx`` (callers check it against ``FORMATS``)."""
    if fmt == "csv":
        return download(table_csv(headers, rows), filename, "csv")
    return download(table_xlsx(title, headers, rows), filename, "xlsx")
