"""The execution pages (under /audit): one dossier's findings on its annotated history, the
aggregation with its filters and exports, and the dossiers behind one of its rows."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import select

from motcua.audit.execution import aggregate as figures
from motcua.audit.execution.filters import GROUP_WORDS, GROUPS, Filters, parse_filters
from motcua.audit.execution.findings import RULE_WORDS, SEVERITY_WORDS, Finding
from motcua.audit.execution.operations import check_dossier
from motcua.audit.scope import require_auditor
from motcua.calendar.working_time import TZ
from motcua.clock import now
from motcua.db import db
from motcua.errors import Invalid, NotFound
from motcua.exports import FORMATS, table_download
from motcua.history.operations import events_of
from motcua.org.models import Agency
from motcua.org.session import signed_in, web_user

bp = Blueprint("audit_execution_pages", __name__, template_folder="../templates")

FILTER_KEYS = ("agency", "procedure", "officer", "from", "to", "group")
COLUMNS = (("dossiers", "Hồ sơ"), ("with_findings", "Có lỗi, cảnh báo"),
           ("late_steps", "Bước quá hạn"), ("late_minutes", "Phút quá hạn (giờ làm việc)"),
           ("outside_model", "Chuyển ngoài quy trình"),
           ("outside_lane", "Ngoài vai trò, đơn vị"),
           ("late_without_apology", "Quá hạn không xin lỗi"),
           ("clock_stops", "Lần tạm dừng (bổ sung)"), ("multi_supplement", "Bổ sung nhiều lần"))
FIELD_WORDS = {"agency": "Cơ quan", "procedure": "Mã thủ tục", "officer": "Cán bộ",
               "from": "Tiếp nhận từ ngày", "to": "Đến ngày", "group": "Tổng hợp theo",
               "key": "Dòng"}
WORDS = {"rules": RULE_WORDS, "severities": SEVERITY_WORDS, "groups": GROUP_WORDS,
         "fields": FIELD_WORDS}


@bp.route("/audit/dossiers/<code>")
@signed_in
def dossier(code: str) -> str:
    check = check_dossier(web_user(), code)
    by_event: dict[int, list[Finding]] = {}
    for finding in check.findings:
        if finding.event is not None:
            by_event.setdefault(finding.event, []).append(finding)
    return render_template(
        "audit/dossier_execution.html", check=check, dossier=check.dossier,
        events=events_of(check.dossier.id), by_event=by_event,
        own=[f for f in check.findings if f.event is None],
        severities=Counter(f.severity.value for f in check.findings), words=WORDS)


def _args() -> dict[str, str]:
    """The filters as typed; a first visit (no period at all) shows the current month."""
    args = {key: request.args.get(key, "")[:64].replace("\x00", "").strip()
            for key in FILTER_KEYS}
    if "from" not in request.args and "to" not in request.args:
        today = now().astimezone(TZ).date()
        args["from"], args["to"] = today.replace(day=1).isoformat(), today.isoformat()
    return args


def _filters(args: dict[str, str]) -> tuple[Filters | None, list[dict[str, Any]], int]:
    """The filters, or the problems to show beside the form (an auditor only: 403)."""
    user = web_user()
    try:
        return parse_filters(user, args), [], 200
    except (Invalid, NotFound) as exc:
        require_auditor(user)
        return None, exc.details or [{"message": exc.message}], exc.status


def _agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.code)))


@bp.route("/audit/execution")
@signed_in
def execution() -> Any:
    args = _args()
    filters, errors, status = _filters(args)
    rows: list[figures.Row] = []
    if filters is not None:
        try:
            rows = figures.aggregate(filters, now())
        except Invalid as exc:  # too many dossiers at once
            filters, errors, status = None, exc.details, exc.status
    fmt = request.args.get("format")
    if filters is not None and fmt in FORMATS:
        total = figures.totals(rows)
        return table_download(
            fmt, "kiem-soat-giai-quyet-ho-so", "Kiểm soát giải quyết hồ sơ",
            [f"Mã ({GROUP_WORDS[filters.group].lower()})", "Tên", *(w for _, w in COLUMNS)],
            [[r.key, r.name, *(getattr(r, c) for c, _ in COLUMNS)]
             for r in [*rows, total]])
    return render_template(
        "audit/execution.html", args=args, rows=rows, total=figures.totals(rows),
        columns=COLUMNS, groups=GROUPS, words=WORDS, errors=errors, agencies=_agencies(),
        filters=filters, period=period_words(args)), status


@bp.route("/audit/execution/dossiers")
@signed_in
def execution_dossiers() -> Any:
    args = _args()
    key = request.args.get("key", "")[:64].strip()
    filters, errors, status = _filters(args)
    if filters is not None and not key:
        errors, status = [{"field": "key", "message": "Chọn một dòng của bảng tổng hợp"}], 422
    listed: list[figures.Listed] = []
    total = 0
    if filters is not None and key:
        try:
            listed, total = figures.dossiers_of(filters, key, now())
        except Invalid as exc:
            filters, errors, status = None, exc.details, exc.status
    fmt = request.args.get("format")
    if filters is not None and key and fmt in FORMATS:
        return table_download(
            fmt, f"phat-hien-{_slug(key)}", "Phát hiện theo hồ sơ",
            ["Mã hồ sơ", "Mức độ", "Loại", "Bước", "Vị trí sự kiện", "Phút (giờ làm việc)",
             "Nội dung"],
            [[d.code, SEVERITY_WORDS[f.severity], RULE_WORDS[f.rule], f.element_id, f.event,
              f.minutes, f.message] for d in listed for f in d.findings])
    return render_template(
        "audit/execution_dossiers.html", args=args, key=key, listed=listed, total=total,
        words=WORDS, errors=errors, filters=filters, period=period_words(args)), status


def _slug(key: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in key)[:40] or "dong"


def period_words(args: dict[str, str]) -> str:
    """The period as officers write it: "01/03/2026 – 31/03/2026"."""
    start, end = args.get("from"), args.get("to")
    try:
        parts = [date.fromisoformat(d).strftime("%d/%m/%Y") if d else "" for d in (start, end)]
    except ValueError:
        return ""
    return f"{parts[0] or '…'} – {parts[1] or '…'}"
