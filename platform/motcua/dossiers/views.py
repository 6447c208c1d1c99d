"""POST /dossiers, GET /dossiers/{code}, its history, and the public lookup."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from motcua.clock import now
from motcua.db import db
from motcua.dossiers import operations
from motcua.dossiers.models import Dossier, HistoryEvent
from motcua.dossiers.schemas import (
    ApologyBody,
    DossierCreate,
    DossierSchema,
    HistorySchema,
    LookupSchema,
)
from motcua.org.auth import current_user
from motcua.tasks.models import Task

blp = Blueprint("dossiers", __name__, description="Hồ sơ")
lookup_blp = Blueprint("lookup", __name__, description="Tra cứu công khai")


def _with_tasks(dossier: Dossier) -> Dossier:
    dossier.tasks = list(db.session.scalars(
        select(Task).where(Task.dossier_id == dossier.id).order_by(Task.id)
        .options(joinedload(Task.unit), joinedload(Task.assignee))))
    return dossier


@blp.route("/dossiers", methods=["POST"])
@blp.arguments(DossierCreate)
@blp.response(201, DossierSchema)
def create(body: dict[str, Any]) -> Dossier:
    dossier = operations.create_dossier(current_user(), body, now())
    return _with_tasks(dossier)


@blp.route("/dossiers/<code>")
@blp.response(200, DossierSchema)
def show(code: str) -> Dossier:
    return _with_tasks(operations.get_dossier(current_user(), code))


@blp.route("/dossiers/<code>/history")
@blp.response(200, HistorySchema(many=True))
def history(code: str) -> list[HistoryEvent]:
    return operations.history(operations.get_dossier(current_user(), code))


class StopBody(Schema):
    reason = fields.String(required=True)


@blp.route("/dossiers/<code>/stop", methods=["POST"])
@blp.arguments(StopBody)
@blp.response(200, DossierSchema)
def stop(body: dict[str, Any], code: str) -> Dossier:
    return _with_tasks(operations.stop_dossier(current_user(), code, body["reason"], now()))


@blp.route("/dossiers/<code>/apology", methods=["POST"])
@blp.arguments(ApologyBody)
@blp.response(200, DossierSchema)
def apology(body: dict[str, Any], code: str) -> Dossier:
    """Apology and new appointment (Mẫu 04): a later due time with the reason for the delay."""
    return _with_tasks(operations.extend_due(current_user(), code, body["reason"],
                                             body["new_due"], now()))


@lookup_blp.route("/lookup/<code>")
@lookup_blp.response(200, LookupSchema)
def lookup(code: str) -> Dossier:
    return operations.lookup(code)
