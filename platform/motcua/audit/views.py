"""The auditors' access log over the API: ``GET /api/v1/audit/access-log``."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from motcua.audit import access
from motcua.org.auth import current_user

blp = Blueprint("audit_access", __name__, description="Kiểm soát TTHC: nhật ký truy cập")


class AccessLogQuery(Schema):
    user = fields.String(load_default=None, validate=validate.Length(max=64))
    dossier = fields.String(load_default=None, validate=validate.Length(max=64))
    from_ = fields.String(data_key="from", load_default=None, validate=validate.Length(max=10))
    to = fields.String(load_default=None, validate=validate.Length(max=10))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 100_000))


class ReadSchema(Schema):
    at = fields.DateTime()
    username = fields.String()
    full_name = fields.String()
    method = fields.String()
    path = fields.String()
    dossier_code = fields.String(allow_none=True)
    status = fields.Integer()


class AccessLogSchema(Schema):
    items = fields.List(fields.Nested(ReadSchema))
    total = fields.Integer()


@blp.route("/audit/access-log")
@blp.arguments(AccessLogQuery, location="query")
@blp.response(200, AccessLogSchema)
def access_log(query: dict[str, Any]) -> dict[str, Any]:
    items, total = access.reads(current_user(), username=query["user"],
                                dossier=query["dossier"], start=query["from_"],
                                end=query["to"], limit=query["limit"], offset=query["offset"])
    return {"items": items, "total": total}
