"""The reports API (under /api/v1/audit): statistics and the periodic report."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from motcua.api.errors import may_answer
from motcua.audit.reports import periodic
from motcua.audit.reports.schemas import PeriodicSchema, StatisticsSchema
from motcua.audit.reports.statistics import parse_query, statistics
from motcua.audit.scope import agency_in_scope
from motcua.org.auth import current_user

blp = Blueprint("audit_reports", __name__, description="Kiểm soát TTHC: reports")

_STATS_ARGS = [{"in": "query", "name": name, "schema": {"type": "string"}}
               for name in ("agency", "procedure", "from", "to", "group")]


@blp.route("/audit/statistics")
@may_answer(404)
@blp.doc(parameters=_STATS_ARGS)
@blp.response(200, StatisticsSchema)
def statistics_api() -> dict[str, Any]:
    """Received, handled early / on time / late, in progress, returned, refused, stopped,
    supplement requests and apologies, per agency (with its subtree), procedure or month."""
    return statistics(parse_query(current_user(), request.args)).as_dict()


@blp.route("/audit/reports/periodic")
@may_answer(404)
@blp.doc(parameters=[{"in": "query", "name": name, "schema": {"type": "string"}}
                     for name in ("period", "agency")])
@blp.response(200, PeriodicSchema)
def periodic_api() -> dict[str, Any]:
    """The periodic report of a period (``2026-03``, ``2026-Q1``, ``2026-H1``, ``2026-W12``,
    or a closing date ``2026-06-30``; by default the last period over, on the province's
    calendar): per agency, per procedure, the total, the twelve months to its end, the
    ranking by on-time rate and the latest signed tree head of the history."""
    agency = agency_in_scope(current_user(), request.args.get("agency") or None)
    period = periodic.resolve(request.args.get("period"))
    return periodic.periodic_report(period, agency).as_dict()
