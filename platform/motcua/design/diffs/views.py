"""The diff API (contract: api.md, *Designing processes*): a version against another version
of the same procedure, a draft against a version or against the decision."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from motcua.design.diffs import operations
from motcua.org.auth import current_user

diff_blp = Blueprint("design_diffs", __name__,
                     description="So sánh phiên bản quy trình, bản nháp và quyết định")



class DiffSchema(Schema):
    procedure = fields.String()
    from_ = fields.Dict(data_key="from", attribute="from")
    to = fields.Dict()
    changes = fields.List(fields.Dict())


def _against() -> str | None:
    # Read by hand: a missing or malformed value is a 422 naming "against", like every other
    # field error of the designer's API, not webargs' nested shape.
    return request.args.get("against")


@diff_blp.route("/processes/<int:version_id>/diff")
@diff_blp.doc(parameters=[{"in": "query", "name": "against", "required": True,
                           "schema": {"type": "string"}}])
@diff_blp.response(200, DiffSchema)
def version_diff(version_id: int) -> dict[str, Any]:
    return operations.version_diff(current_user(), version_id, _against()).as_dict()


@diff_blp.route("/drafts/<int:draft_id>/diff")
@diff_blp.doc(parameters=[{"in": "query", "name": "against", "required": True,
                           "schema": {"type": "string"}}])
@diff_blp.response(200, DiffSchema)
def draft_diff(draft_id: int) -> dict[str, Any]:
    return operations.draft_diff(current_user(), draft_id, _against()).as_dict()
