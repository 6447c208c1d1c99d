"""The reports pages (under /audit): statistics with filters, the periodic reports (the list
of periods and each report, with CSV, XLSX and PDF), and the leader's dashboard. Auditors
read the province (or any agency, chosen in a list); leaders and admins their agency and the
agencies below it; everyone else 403."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for
from flask.blueprints import BlueprintSetupState

from motcua.audit.charts import TEMPLATE_GLOBALS
from motcua.audit.indicators.operations import agencies_readable
from motcua.audit.reports import periodic, tables
from motcua.audit.reports.dashboard import dashboard as dashboard_data
from motcua.audit.reports.statistics import (
    GROUP_WORDS,
    GROUPS,
    NOTES,
    RATE_FORMULA,
    parse_query,
    rate_items,
    share_parts,
    statistics,
)
from motcua.audit.scope import agency_in_scope, is_province_wide, readable_agencies
from motcua.audit.settings import DEFAULTS
from motcua.documents.formatting import short_time
from motcua.dossiers.models import DossierStatus
from motcua.errors import Invalid, NotFound
from motcua.org.session import signed_in, web_user

bp = Blueprint("audit_reports_pages", __name__, template_folder="../templates")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
EXPORTS = ("csv", "xlsx")


@bp.record_once
def _chart_globals(state: BlueprintSetupState) -> None:
    # audit/_charts.html calls the chart functions; any audit page may import it.
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS)


@bp.context_processor
def _shared() -> dict[str, Any]:
    return {"group_words": GROUP_WORDS, "notes": NOTES, "rate_formula": RATE_FORMULA,
            "share_parts": share_parts, "rate_items": rate_items, "short_time": short_time}


def _format() -> str:
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "pdf", *EXPORTS):
        raise NotFound("Chỉ tải được dạng CSV, XLSX hoặc PDF")
    return fmt


def _filename(*parts: str) -> str:
    return _UNSAFE.sub("_", "-".join(p for p in parts if p)) or "bao-cao"


@bp.route("/audit/statistics")
@signed_in
def statistics_page() -> Response | tuple[str, int]:
    user = web_user()
    readable_agencies(user)  # 403 before anything else for who may not read statistics
    fmt = _format()
    if fmt == "pdf":
        raise NotFound("Bảng thống kê tải được dạng CSV hoặc XLSX")
    values = {key: request.args.get(key, "")[:64] for key in
              ("agency", "procedure", "from", "to", "group")}
    context: dict[str, Any] = {"values": values, "agencies": agencies_readable(user),
                               "groups": GROUPS, "stats": None, "error": None}
    try:
        query = parse_query(user, values)
    except Invalid as error:
        context["error"] = error
        return render_template("audit/statistics.html", **context), 422
    stats = statistics(query)
    if fmt in EXPORTS:
        name = _filename("thong-ke", query.agency.code if query.agency else "tinh",
                         str(query.period.start), str(query.period.end), query.group)
        return tables.stats_download(stats, fmt, name, "Thống kê")
    values.update({"from": query.period.start.isoformat(), "to": query.period.end.isoformat(),
                   "group": query.group, "agency": query.agency.code if query.agency else ""})
    context.update(stats=stats, export=lambda f: url_for(
        "audit_reports_pages.statistics_page", **{**values, "format": f}))
    return render_template("audit/statistics.html", **context), 200


@bp.route("/audit/reports")
@signed_in
def reports() -> str:
    user = web_user()
    readable_agencies(user)
    kind, dates = periodic.calendar_in_force()
    return render_template(
        "audit/reports.html", periods=periodic.recent_periods(), kind=kind,
        kind_words=periodic.KIND_WORDS, dates=[f"{d}/{m}" for m, d in dates],
        may_configure=is_province_wide(user), today=periodic.today(),
        defaults=DEFAULTS)


@bp.route("/audit/reports/<period_id>")
@signed_in
def report(period_id: str) -> Response | str:
    user = web_user()
    agency = agency_in_scope(user, request.args.get("agency") or None)
    fmt = _format()
    period = periodic.resolve(period_id)
    data = periodic.periodic_report(period, agency)
    name = _filename("bao-cao", agency.code if agency else "tinh", period.id)
    if fmt in EXPORTS:
        return tables.periodic_download(data, fmt, name)
    args: dict[str, Any] = {"period_id": period.id,
                            **({"agency": agency.code} if agency else {})}
    context = {"trend_series": periodic.trend_series(data.trend), "filename": name}
    if fmt == "pdf":
        return tables.periodic_pdf(data, **context)
    return render_template(
        "audit/periodic.html", report=data, agencies=agencies_readable(user),
        province_wide=is_province_wide(user),
        export=lambda f: url_for("audit_reports_pages.report", **{**args, "format": f}),
        **context)


OPEN_STATUSES = (DossierStatus.RECEIVED, DossierStatus.PROCESSING,
                 DossierStatus.SUPPLEMENT_REQUESTED)


@bp.route("/audit/dashboard")
@signed_in
def dashboard() -> str:
    user = web_user()
    agency = agency_in_scope(user, request.args.get("agency") or None)
    data = dashboard_data(agency)
    # The dossier search page (its path is the contract's, its view another domain's).
    # Open and past due now, as the card counts them: late, and not handled yet.
    late_link = "/dossiers?" + urlencode(
        [("late", "true"), *(("status", s.value) for s in OPEN_STATUSES),
         *((("agency", agency.code),) if agency else ())])
    return render_template(
        "audit/dashboard.html", board=data, agencies=agencies_readable(user),
        province_wide=is_province_wide(user), late_link=late_link,
        trend_series=periodic.trend_series(data.trend))
