"""The indicators API (under /api/v1/audit): ``GET /audit/indicators`` and
``GET /audit/indicators/{key}/dossiers``, the rows behind a numerator."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from motcua.api.errors import may_answer
from motcua.api.fields import LocalDateTime
from motcua.audit.indicators import operations
from motcua.clock import now
from motcua.org.auth import current_user

blp = Blueprint("audit_indicators", __name__,
                description="Kiểm soát TTHC: chỉ số đánh giá theo Quyết định 766/QĐ-TTg")


def rounded(value: float | None) -> float | int | None:
    """Counts as integers, ratios and averages to two decimals."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)


def _text(length: int, **kwargs: Any) -> fields.String:
    return fields.String(load_default=None, validate=validate.Length(
        max=length, error=f"Tối đa {length} ký tự"), **kwargs)


def _whole(default: int, low: int, high: int) -> fields.Integer:
    return fields.Integer(load_default=default,
                          validate=validate.Range(low, high, error=f"Từ {low} đến {high:,}"
                                                  .replace(",", ".")),
                          error_messages={"invalid": "Không phải số nguyên"})


class IndicatorPeriodQuery(Schema):
    # Read as text and parsed by the operation, so a bad date is a 422 naming "from"/"to".
    agency = _text(32)
    from_ = _text(10, data_key="from")
    to = _text(10)


class IndicatorRowsQuery(IndicatorPeriodQuery):
    limit = _whole(50, 1, 500)
    offset = _whole(0, 0, 1_000_000)


class IndicatorSchema(Schema):
    key = fields.String(attribute="indicator.key")
    name = fields.String(attribute="indicator.name")
    group = fields.String(attribute="indicator.group")
    formula = fields.String(attribute="indicator.formula")
    source = fields.String(attribute="indicator.source")
    confirmed = fields.Boolean(attribute="indicator.confirmed")
    counts = fields.String(attribute="indicator.counts", allow_none=True)
    unit = fields.String(attribute="indicator.unit")
    numerator_unit = fields.String(attribute="indicator.numerator_unit")
    full_marks = fields.Float(attribute="indicator.full_marks", allow_none=True)
    scored = fields.Boolean(attribute="indicator.scored")
    numerator = fields.Function(lambda f: rounded(f.numerator))
    denominator = fields.Integer(allow_none=True)
    value = fields.Function(lambda f: rounded(f.value))
    no_data = fields.Boolean(attribute="indicator.no_data")


class IndicatorGroupSchema(Schema):
    key = fields.String(attribute="group")
    name = fields.String()
    weight = fields.Function(lambda g: rounded(g.weight))
    points = fields.Function(lambda g: rounded(g.points))
    no_data = fields.Function(lambda g: g.points is None)
    covers = fields.List(fields.String())
    missing = fields.List(fields.String())


class IndicatorTotalSchema(Schema):
    points = fields.Function(lambda t: rounded(t.points))
    out_of = fields.Function(lambda t: rounded(t.out_of))
    covers = fields.List(fields.String())
    missing = fields.List(fields.String())


class IndicatorReportSchema(Schema):
    agency = fields.Function(lambda r: r.scope.agency.code if r.scope.agency else None)
    agency_name = fields.Function(lambda r: r.scope.agency.name if r.scope.agency else None)
    from_ = fields.Date(data_key="from", attribute="period.start")
    to = fields.Date(attribute="period.end")
    measured_at = LocalDateTime()
    indicators = fields.List(fields.Nested(IndicatorSchema), attribute="figures")
    groups = fields.List(fields.Nested(IndicatorGroupSchema))
    total = fields.Nested(IndicatorTotalSchema)


class IndicatorDossierSchema(Schema):
    code = fields.String()
    procedure = fields.String()
    procedure_name = fields.String()
    applicant = fields.String()
    received_at = LocalDateTime()
    finished_at = LocalDateTime(allow_none=True)
    first_due_at = LocalDateTime(allow_none=True)
    status = fields.String()
    clocked_minutes = fields.Integer()


class IndicatorProcedureSchema(Schema):
    code = fields.String()
    name = fields.String()
    online_level = fields.String()
    agency = fields.String()


class IndicatorRowsSchema(Schema):
    key = fields.String(attribute="indicator.key")
    counts = fields.String(attribute="indicator.counts", allow_none=True)
    no_data = fields.Boolean(attribute="indicator.no_data")
    agency = fields.Function(lambda r: r.scope.agency.code if r.scope.agency else None)
    from_ = fields.Date(data_key="from", attribute="period.start")
    to = fields.Date(attribute="period.end")
    total = fields.Integer()
    items = fields.Method("serialize_items")

    def serialize_items(self, rows: operations.Rows) -> list[dict[str, Any]]:
        schema = (IndicatorDossierSchema if rows.indicator.counts == "dossiers"
                  else IndicatorProcedureSchema)
        items: list[dict[str, Any]] = schema(many=True).dump(rows.items)
        return items


@blp.route("/audit/indicators")
@may_answer(404)
@blp.arguments(IndicatorPeriodQuery, location="query")
@blp.response(200, IndicatorReportSchema)
def indicators(query: dict[str, Any]) -> operations.Report:
    return operations.report(current_user(), query["agency"], query["from_"], query["to"],
                             now())


@blp.route("/audit/indicators/<key>/dossiers")
@blp.arguments(IndicatorRowsQuery, location="query")
@blp.response(200, IndicatorRowsSchema)
def numerator_rows(query: dict[str, Any], key: str) -> operations.Rows:
    return operations.numerator_rows(current_user(), key, query["agency"], query["from_"],
                                     query["to"], now(), query["limit"], query["offset"])

