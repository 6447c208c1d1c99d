"""GET /procedures: the catalogue as in force on a day, with each procedure's process
version in effect."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from motcua.catalog.operations import ProcedureState, catalogue
from motcua.catalog.schemas import CatalogueQuery, ProcedureSchema
from motcua.clock import now
from motcua.org.auth import current_user

blp = Blueprint("catalog", __name__, description="Danh mục thủ tục")


@blp.route("/procedures")
@blp.arguments(CatalogueQuery, location="query")
@blp.response(200, ProcedureSchema(many=True))
def procedures(args: dict[str, Any]) -> list[ProcedureState]:
    current_user()
    return catalogue(args["on"] or now())
