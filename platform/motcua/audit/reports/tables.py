"""The reports as plain tables (headers and rows) for CSV and XLSX downloads, and the
periodic report's printable PDF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, render_template

from motcua.audit.reports.periodic import PeriodicReport
from motcua.audit.reports.statistics import GROUP_WORDS, MEASURES, RATE_WORD, Row, Statistics
from motcua.documents.pdf import render_pdf
from motcua.exports import download, table_csv, table_xlsx

HEADERS = [word for _, word in MEASURES] + [RATE_WORD]


def _cells(row: Row) -> list[Any]:
    rate = row.on_time_rate
    return [row.figures[key] for key, _ in MEASURES] + [None if rate is None
                                                         else round(rate, 1)]


def stats_table(stats: Statistics) -> tuple[list[str], list[list[Any]]]:
    headers = [f"Mã ({GROUP_WORDS[stats.query.group].lower()})", "Tên", *HEADERS]
    rows = [[row.key, row.name + (" (hồ sơ của chính cơ quan)" if row.direct else ""),
             *_cells(row)] for row in stats.rows]
    rows.append(["", "Tổng cộng", *_cells(stats.total)])
    return headers, rows


def _sheet(title: str, stats: Statistics) -> tuple[str, list[str], list[list[Any]]]:
    headers, rows = stats_table(stats)
    return title, headers, rows


def _seal(report: PeriodicReport) -> tuple[list[str], list[list[Any]]]:
    head = report.tree_head
    headers = ["Ngày", "Số hồ sơ", "Gốc cây Merkle", "Khóa", "Chữ ký", "Ký lúc"]
    if head is None:
        return headers, [["chưa có", "", "", "", "", ""]]
    return headers, [[head.day, head.size, head.root, head.key_id, head.signature,
                      head.signed_at]]


def periodic_sheets(report: PeriodicReport
                    ) -> list[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]:
    seal_headers, seal_rows = _seal(report)
    return [_sheet("Theo cơ quan", report.by_agency),
            _sheet("Theo thủ tục", report.by_procedure),
            _sheet("Theo tháng (12 tháng)", report.trend),
            ("Niêm phong lịch sử", seal_headers, seal_rows)]


def periodic_download(report: PeriodicReport, fmt: str, filename: str) -> Response:
    """XLSX: one sheet per table. CSV (one table only): the tables one after another, each
    row naming its table in the first column."""
    sheets = periodic_sheets(report)
    if fmt == "xlsx":
        (title, headers, rows), *rest = sheets
        return download(table_xlsx(title, headers, rows, rest), filename, "xlsx")
    _, headers, _ = sheets[0]
    lines: list[list[Any]] = []
    for title, _, rows in sheets[:3]:
        lines.extend([title, *row] for row in rows)
    seal_title, seal_headers, seal_rows = sheets[3]
    lines.append([seal_title, *seal_headers])
    lines.extend([seal_title, *row] for row in seal_rows)
    return download(table_csv(["Bảng", *headers], lines), filename, "csv")


def stats_download(stats: Statistics, fmt: str, filename: str, title: str) -> Response:
    headers, rows = stats_table(stats)
    if fmt == "csv":
        return download(table_csv(headers, rows), filename, "csv")
    return download(table_xlsx(title, headers, rows), filename, "xlsx")


def periodic_pdf(report: PeriodicReport, **context: Any) -> Response:
    html = render_template("audit/periodic_print.html", report=report, **context)
    return download(render_pdf(html), context.get("filename", "bao-cao"), "pdf", inline=True)
