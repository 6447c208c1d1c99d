"""GET /procedures: the catalogue with each procedure's process version in effect."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.errors import AppError
from motcua.org.auth import current_user
from motcua.processes.operations import version_in_effect

blp = Blueprint("catalog", __name__, description="Danh mục thủ tục")


class ProcedureSchema(Schema):
    code = fields.String()
    name = fields.String()
    field = fields.String()
    agency = fields.Function(lambda p: p.agency.code)
    handling_unit = fields.Function(lambda p: p.handling_unit.code if p.handling_unit else None)
    time_limit = fields.String()
    online_level = fields.String()
    status = fields.String()
    fee = fields.String()
    process_version = fields.Method("_version")

    def _version(self, procedure: Procedure) -> int | None:
        if procedure.status != "active":
            return None
        try:
            return version_in_effect(procedure).version
        except AppError:
            return None


@blp.route("/procedures")
@blp.response(200, ProcedureSchema(many=True))
def procedures() -> Any:
    current_user()
    return db.session.scalars(select(Procedure).order_by(Procedure.code)).all()
