"""The indicators pages (under /audit): Decision 766's indicators of an agency (or of the
province) over a period, each beside its formula, numerator, denominator and source, the
group scores with their weights, the on-time share as a chart, and the dossiers behind a
numerator; CSV and Excel of both. Plain forms and links: no JavaScript needed."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask.blueprints import BlueprintSetupState

from motcua.audit.charts import TEMPLATE_GLOBALS, number
from motcua.audit.indicators import operations
from motcua.audit.indicators.formulas import GROUP_NAMES, Counted
from motcua.audit.indicators.operations import Figure, Report, Rows
from motcua.audit.reports.periodic import period_of
from motcua.audit.scope import readable_agencies
from motcua.calendar.working_time import TZ
from motcua.clock import now
from motcua.dossiers.words import STATUS_WORDS
from motcua.errors import Invalid, NotFound
from motcua.exports import FORMATS, download, table_download, table_xlsx
from motcua.org.session import signed_in, web_user

bp = Blueprint("audit_indicators_pages", __name__, template_folder="../templates")

PAGE_SIZE = 50
# A download of the rows behind a numerator stops here (a province's year can hold
# hundreds of thousands); the page says so.
EXPORT_LIMIT = 50_000
NO_DATA = "Chưa có dữ liệu"
ONLINE_WORDS = {"full": "Toàn trình", "partial": "Một phần", "none": "Không"}
TABLE_HEADERS = ("Nhóm", "Mã chỉ số", "Chỉ số", "Công thức", "Tử số", "Mẫu số", "Giá trị",
                 "Đơn vị", "Ngưỡng đạt điểm tối đa", "Nguồn", "Phụ lục chính thức đã xác nhận")
GROUP_HEADERS = ("Nhóm", "Trọng số (điểm)", "Điểm đạt", "Chỉ số tính điểm",
                 "Chỉ số chưa có dữ liệu")


@bp.record_once
def _chart_globals(state: BlueprintSetupState) -> None:
    # The page draws the on-time share with audit/_charts.html, whatever else is mounted.
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS)


def _args() -> dict[str, str]:
    return {key: request.args.get(key, "")[:32].replace("\x00", "").strip()
            for key in ("agency", "from", "to")}


def _format() -> str | None:
    fmt = request.args.get("format") or None
    if fmt is not None and fmt not in FORMATS:
        raise NotFound("Chỉ tải được CSV hoặc Excel (xlsx)")
    return fmt


def quick_periods(today: date) -> list[tuple[str, date, date]]:
    """This month, this quarter (as the periodic reports cut them) and this year."""
    month, quarter = period_of("monthly", today), period_of("quarterly", today)
    return [("Tháng này", month.start, month.end), ("Quý này", quarter.start, quarter.end),
            ("Năm nay", date(today.year, 1, 1), date(today.year, 12, 31))]


def shown(figure: Figure, value: float | None, unit: str = "") -> str:
    if figure.indicator.no_data:
        return NO_DATA
    return number(value, unit)


@bp.route("/audit/indicators")
@signed_in
def indicators() -> Any:
    user = web_user()
    readable_agencies(user)  # 403 for officers, before anything else is read
    fmt = _format()
    args = _args()
    report: Report | None = None
    errors: list[dict[str, Any]] = []
    try:
        report = operations.report(user, args["agency"] or None, args["from"] or None,
                                   args["to"] or None, now())
    except Invalid as exc:
        errors = exc.details or [{"field": "", "message": exc.message}]
    if fmt is not None and report is not None:
        return _download_report(fmt, report)
    return render_template(
        "audit/indicators.html", report=report, args=args, errors=errors,
        agencies=operations.agencies_readable(user),
        province_wide=readable_agencies(user) is None, group_names=GROUP_NAMES,
        quick=quick_periods(now().astimezone(TZ).date()), shown=shown, no_data=NO_DATA,
    ), 422 if errors else 200


def _table_rows(report: Report) -> list[list[Any]]:
    return [[GROUP_NAMES[f.indicator.group], f.indicator.key, f.indicator.name,
             f.indicator.formula, NO_DATA if f.indicator.no_data else f.numerator,
             None if f.indicator.no_data else f.denominator,
             NO_DATA if f.indicator.no_data else _round(f.value), f.indicator.unit,
             f.indicator.full_marks, f.indicator.source,
             "Có" if f.indicator.confirmed else "Chưa"] for f in report.figures]


def _group_rows(report: Report) -> list[list[Any]]:
    names = {f.indicator.key: f.indicator.name for f in report.figures}
    return [[g.name, g.weight, NO_DATA if g.points is None else _round(g.points),
             "; ".join(names[k] for k in g.covers), "; ".join(names[k] for k in g.missing)]
            for g in report.groups]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _download_report(fmt: str, report: Report) -> Any:
    who = report.scope.agency.code if report.scope.agency else "toan-tinh"
    name = f"chi-so-766-{who}-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    if fmt == "csv":
        return table_download(fmt, name, "Chỉ số 766", TABLE_HEADERS, _table_rows(report))
    return download(table_xlsx("Chỉ số 766", TABLE_HEADERS, _table_rows(report),
                               [("Điểm theo nhóm", GROUP_HEADERS, _group_rows(report))]),
                    name, "xlsx")


ROW_HEADERS = ("Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Người nộp", "Ngày tiếp nhận",
               "Ngày hẹn trả", "Ngày kết thúc", "Trạng thái", "Thời gian tính hạn (phút)")
PROCEDURE_HEADERS = ("Mã thủ tục", "Tên thủ tục", "Dịch vụ công trực tuyến", "Cơ quan")


@bp.route("/audit/indicators/<key>/dossiers")
@signed_in
def numerator_rows(key: str) -> Any:
    user = web_user()
    readable_agencies(user)
    operations.indicator_for(key)  # an unknown key is 404 whatever else is wrong
    fmt = _format()
    args = _args()
    page = min(max(1, request.args.get("page", 1, type=int) or 1), 10_000)
    limit, offset = (EXPORT_LIMIT, 0) if fmt else (PAGE_SIZE, (page - 1) * PAGE_SIZE)
    rows: Rows | None = None
    errors: list[dict[str, Any]] = []
    try:
        rows = operations.numerator_rows(user, key, args["agency"] or None,
                                         args["from"] or None, args["to"] or None, now(),
                                         limit, offset)
    except Invalid as exc:
        errors = exc.details or [{"field": "", "message": exc.message}]
    if fmt is not None and rows is not None:
        return _download_rows(fmt, rows)
    return render_template(
        "audit/indicators_dossiers.html", rows=rows, key=key, args=args, errors=errors,
        indicator=operations.indicator_for(key), page=page,
        pages=max(1, -(-(rows.total if rows else 0) // PAGE_SIZE)),
        status_words=STATUS_WORDS, online_words=ONLINE_WORDS, group_names=GROUP_NAMES,
        export_limit=EXPORT_LIMIT, counted=Counted,
    ), 422 if errors else 200


def _download_rows(fmt: str, rows: Rows) -> Any:
    who = rows.scope.agency.code if rows.scope.agency else "toan-tinh"
    name = f"chi-so-766-{rows.indicator.key}-{who}-{rows.period.start:%Y%m%d}"
    if rows.indicator.counts is Counted.PROCEDURES:
        body = [[r["code"], r["name"], ONLINE_WORDS.get(r["online_level"], r["online_level"]),
                 r["agency"]] for r in rows.items]
        return table_download(fmt, name, rows.indicator.name[:31], PROCEDURE_HEADERS, body)
    body = [[r["code"], r["procedure"], r["procedure_name"], r["applicant"], r["received_at"],
             r["first_due_at"], r["finished_at"], STATUS_WORDS.get(r["status"], r["status"]),
             r["clocked_minutes"]] for r in rows.items]
    return table_download(fmt, name, rows.indicator.name[:31], ROW_HEADERS, body)

