"""The execution API (under /api/v1/audit): one dossier's findings with its chain's state,
the aggregation per agency, procedure or officer, and the dossiers behind one of its rows."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from motcua.api.errors import may_answer
from motcua.audit.execution import aggregate as figures
from motcua.audit.execution.filters import parse_filters
from motcua.audit.execution.operations import check_dossier
from motcua.audit.execution.schemas import (
    DossierExecutionSchema,
    ExecutionDossiersSchema,
    ExecutionSchema,
)
from motcua.clock import now
from motcua.errors import field_error
from motcua.org.auth import current_user

blp = Blueprint("audit_execution", __name__, description="Kiểm soát TTHC: execution")

_FILTERS = [{"in": "query", "name": name, "schema": {"type": "string"}}
            for name in ("agency", "procedure", "officer", "from", "to", "group")]


@blp.route("/audit/dossiers/<code>")
@blp.response(200, DossierExecutionSchema)
def dossier(code: str) -> dict[str, Any]:
    return check_dossier(current_user(), code).as_dict()


@blp.route("/audit/execution")
@may_answer(404)
@blp.doc(parameters=_FILTERS)
@blp.response(200, ExecutionSchema)
def execution() -> dict[str, Any]:
    # Read by hand, as the page does: the same 4xx for the same bad filter.
    filters = parse_filters(current_user(), request.args)
    rows = figures.aggregate(filters, now())
    return {"group": filters.group, "rows": [r.as_dict() for r in rows]}


@blp.route("/audit/execution/dossiers")
@may_answer(404)
@blp.doc(parameters=[*_FILTERS, {"in": "query", "name": "key", "required": True,
                                 "schema": {"type": "string"}}])
@blp.response(200, ExecutionDossiersSchema)
def execution_dossiers() -> dict[str, Any]:
    filters = parse_filters(current_user(), request.args)
    key = request.args.get("key", "").strip()
    if not key:
        raise field_error("key", "Chọn dòng (mã cơ quan, thủ tục hoặc tên đăng nhập cán bộ)")
    listed, total = figures.dossiers_of(filters, key, now())
    return {"items": [{"code": d.code, "findings": [f.as_dict() for f in d.findings]}
                      for d in listed], "total": total}
