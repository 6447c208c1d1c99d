"""The integrity API (under /api/v1/audit): ``GET /audit/integrity`` (the signed daily heads,
the public key and the log of heads), ``GET /audit/integrity/consistency`` (does today's log
extend a printed one) and ``POST /audit/integrity/verify`` (every history, or one dossier's)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from motcua.api.errors import may_answer
from motcua.audit.integrity import operations
from motcua.org.auth import current_user

blp = Blueprint("audit_integrity", __name__, description="Kiểm soát TTHC: tính toàn vẹn")


class IntegrityHeadsQuery(Schema):
    limit = fields.Integer(load_default=30, validate=validate.Range(1, operations.MAX_HEADS))


class IntegrityHeadSchema(Schema):
    day = fields.Date()
    signed_at = fields.DateTime()
    size = fields.Integer()
    root = fields.String()
    last_event_id = fields.Integer()
    key_id = fields.String()
    signature = fields.String()
    # The exact bytes the signature covers (RFC 8785 JSON): verify offline with public_key.
    message = fields.String()


class IntegrityLogSchema(Schema):
    size = fields.Integer()
    root = fields.String()


class IntegrityHeadsSchema(Schema):
    key_id = fields.String()
    public_key = fields.String()
    heads = fields.List(fields.Nested(IntegrityHeadSchema))
    # The log of every signed head so far (RFC 9162 tree over their signed messages).
    log = fields.Nested(IntegrityLogSchema)


class IntegrityConsistencyQuery(Schema):
    size = fields.Integer(required=True, validate=validate.Range(0, 10_000_000))
    root = fields.String(required=True, validate=validate.Length(equal=64))


class IntegrityConsistencySchema(Schema):
    consistent = fields.Boolean()
    size = fields.Integer()
    root = fields.String()
    current_size = fields.Integer()
    current_root = fields.String()
    consistency_proof = fields.List(fields.String())


class IntegrityVerifyBody(Schema):
    dossier = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=64))


class IntegrityProblemSchema(Schema):
    kind = fields.String()
    message = fields.String()
    dossier = fields.String(allow_none=True)
    position = fields.Integer(allow_none=True)
    last_position = fields.Integer(allow_none=True)
    day = fields.String(allow_none=True)


class IntegrityProofSchema(Schema):
    day = fields.String()
    leaf_index = fields.Integer()
    tree_size = fields.Integer()
    size = fields.Integer()
    head = fields.String()
    root = fields.String()
    inclusion_proof = fields.List(fields.String())


class IntegrityReportSchema(Schema):
    intact = fields.Boolean()
    dossiers = fields.Integer()
    events = fields.Integer()
    heads = fields.Integer()
    seconds = fields.Float()
    events_per_second = fields.Float()
    problems = fields.List(fields.Nested(IntegrityProblemSchema))
    proof = fields.Nested(IntegrityProofSchema, allow_none=True)


@blp.route("/audit/integrity")
@blp.arguments(IntegrityHeadsQuery, location="query")
@blp.response(200, IntegrityHeadsSchema)
def heads(query: dict[str, Any]) -> dict[str, Any]:
    user = current_user()
    key = operations.public_key(user)
    log = operations.current_log(user)
    return {"key_id": key.key_id, "public_key": key.pem,
            "heads": [h.as_dict() for h in operations.latest_heads(user, query["limit"])],
            "log": {"size": log.size, "root": log.root}}


@blp.route("/audit/integrity/consistency")
@blp.arguments(IntegrityConsistencyQuery, location="query")
@blp.response(200, IntegrityConsistencySchema)
def log_consistency(query: dict[str, Any]) -> dict[str, Any]:
    """Whether today's log of heads extends a printed one (its size and root)."""
    return operations.check_log(current_user(), query["size"], query["root"]).as_dict()


@blp.route("/audit/integrity/verify", methods=["POST"])
@may_answer(404)
@blp.arguments(IntegrityVerifyBody)
@blp.response(200, IntegrityReportSchema)
def verify(body: dict[str, Any]) -> dict[str, Any]:
    report = operations.check(current_user(), body.get("dossier"))
    return {"intact": report.intact, "dossiers": report.dossiers, "events": report.events,
            "heads": report.heads, "seconds": round(report.seconds, 3),
            "events_per_second": round(report.rate, 1),
            "problems": [p.as_dict() for p in report.problems],
            "proof": report.proof.as_dict() if report.proof else None}
