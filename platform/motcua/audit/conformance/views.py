"""The conformance API (under /api/v1/audit; contract: api.md, *Finding dossiers, audit and
indicators*): one procedure's findings on a day, and the province's summary."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from motcua.api.errors import may_answer
from motcua.audit.conformance import operations
from motcua.audit.scope import require_auditor
from motcua.org.auth import current_user

blp = Blueprint("audit_conformance", __name__, description="Kiểm soát TTHC: conformance")

_DATE = {"in": "query", "name": "date", "schema": {"type": "string", "format": "date"},
         "description": "Ngày đối chiếu (YYYY-MM-DD), mặc định hôm nay"}


class FindingSchema(Schema):
    rule = fields.String()
    severity = fields.String(metadata={"enum": ["error", "warning"]})
    element_id = fields.String()
    step_no = fields.String()
    message = fields.String()
    suggestion = fields.String()
    count = fields.Integer()


class ConformanceRowSchema(Schema):
    """One procedure in the province's summary."""

    procedure = fields.String()
    name = fields.String()
    agency = fields.String()
    agency_name = fields.String()
    date = fields.String()
    procedure_status = fields.String()
    process_version = fields.Integer(allow_none=True)
    process_version_id = fields.Integer(allow_none=True)
    process_effective = fields.String(allow_none=True)
    decision = fields.String(allow_none=True)
    decision_effective = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["conforming", "deviating", "no_process"]})
    errors = fields.Integer()
    warnings = fields.Integer()


class ProcedureConformanceSchema(ConformanceRowSchema):
    findings = fields.List(fields.Nested(FindingSchema))


class SummarySchema(Schema):
    date = fields.String()
    total = fields.Integer()
    errors = fields.Integer()
    warnings = fields.Integer()
    statuses = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(ConformanceRowSchema))


def _args() -> dict[str, str]:
    # Read by hand, after the role is checked: a malformed date is a 422 naming "date" in
    # the contract's shape, and an officer learns nothing but 403.
    return {k: request.args.get(k, "") for k in ("procedure", "date", "agency", "q",
                                                  "with_findings")}


@blp.route("/audit/conformance")
@may_answer(404)
@blp.doc(parameters=[{"in": "query", "name": "procedure", "required": True,
                      "schema": {"type": "string"}}, _DATE])
@blp.response(200, ProcedureConformanceSchema)
def procedure_conformance() -> dict[str, Any]:
    """The process version in force on the day against the decision in force on the day."""
    user = current_user()
    require_auditor(user)
    args = _args()
    report = operations.procedure_report(user, args["procedure"],
                                         operations.parse_day(args["date"]))
    return report.as_dict()


@blp.route("/audit/conformance/summary")
@may_answer(404)
@blp.doc(parameters=[_DATE,
                     {"in": "query", "name": "agency", "schema": {"type": "string"},
                      "description": "Mã cơ quan: cơ quan đó và các cơ quan trực thuộc"},
                     {"in": "query", "name": "q", "schema": {"type": "string"},
                      "description": "Mã hoặc tên thủ tục, không phân biệt dấu"},
                     {"in": "query", "name": "with_findings", "schema": {"type": "boolean"},
                      "description": "Chỉ các thủ tục có sai lệch hoặc cần xem xét"}])
@blp.response(200, SummarySchema)
def conformance_summary() -> dict[str, Any]:
    """Every procedure in force on the day (and those abolished but still taking dossiers)
    with its counts of errors and warnings: the province's view."""
    user = current_user()
    require_auditor(user)
    args = _args()
    day = operations.parse_day(args["date"])
    filters = operations.Filters(agency=args["agency"] or None, q=args["q"][:100],
                                 with_findings=operations.parse_flag(args["with_findings"],
                                                                     "with_findings"))
    reports = operations.summary(user, day, filters)
    return operations.summary_dict(reports, day)
