"""The reports API (under /api/v1/audit): statistics and the periodic report."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from motcua.audit.reports.schemas import StatisticsSchema
from motcua.audit.reports.statistics import parse_query, statistics
from motcua.org.auth import current_user

blp = Blueprint("audit_reports", __name__, description="Kiểm soát TTHC: reports")

_STATS_ARGS = [{"in": "query", "name": name, "schema": {"type": "string"}}
               for name in ("agency", "procedure", "from", "to", "group")]


@blp.route("/audit/statistics")
@blp.doc(parameters=_STATS_ARGS)
@blp.response(200, StatisticsSchema)
def statistics_api() -> dict[str, Any]:
    """Received, handled early / on time / late, in progress, returned, refused, stopped,
    supplement requests and apologies, per agency (with its subtree), procedure or month."""
    return statistics(parse_query(current_user(), request.args)).as_dict()
