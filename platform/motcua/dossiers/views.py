"""GET /dossiers (finding dossiers), GET /dossiers/{code}, its history, stop, apology, and
the public lookup (POST /dossiers, which completes the desk's step too, is in
tasks/views.py)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from motcua.api.errors import may_answer
from motcua.clock import now
from motcua.dossiers import operations
from motcua.dossiers.lookup import lookup as lookup_code
from motcua.dossiers.lookup_throttle import refuse_if_throttled
from motcua.dossiers.models import Dossier
from motcua.dossiers.schemas import (
    ApologyBody,
    DossierListSchema,
    DossierSchema,
    DossierSearchQuery,
    LookupSchema,
    StopBody,
)
from motcua.dossiers.search import DossierQuery, search
from motcua.history.models import HistoryEvent
from motcua.history.schemas import HistorySchema
from motcua.org.auth import current_user

blp = Blueprint("dossiers", __name__, description="Hồ sơ")
lookup_blp = Blueprint("lookup", __name__, description="Tra cứu công khai")


@blp.route("/dossiers")
@blp.arguments(DossierSearchQuery, location="query")
@blp.response(200, DossierListSchema)
def find(query: DossierQuery) -> dict[str, Any]:
    """The dossiers the caller may open (exactly those `GET /dossiers/{code}` shows them),
    newest received first; `total` is counted up to 10,000, with `total_capped` above."""
    page = search(current_user(), query, now())
    answer: dict[str, Any] = {"items": page.items, "total": page.total}
    if page.total_capped:
        answer["total_capped"] = True
    return answer


@blp.route("/dossiers/<code>")
@blp.response(200, DossierSchema)
def show(code: str) -> Dossier:
    return operations.get_dossier(current_user(), code)


@blp.route("/dossiers/<code>/history")
@blp.response(200, HistorySchema(many=True))
def history(code: str) -> list[HistoryEvent]:
    return operations.history(operations.get_dossier(current_user(), code))


@blp.route("/dossiers/<code>/stop", methods=["POST"])
@blp.arguments(StopBody)
@blp.response(200, DossierSchema)
def stop(body: dict[str, Any], code: str) -> Dossier:
    return operations.stop_dossier(current_user(), code, body["reason"], now())


@blp.route("/dossiers/<code>/apology", methods=["POST"])
@blp.arguments(ApologyBody)
@blp.response(200, DossierSchema)
def apology(body: dict[str, Any], code: str) -> Dossier:
    """Apology and new appointment (Mẫu 04): a later due time with the reason for the delay."""
    return operations.extend_due(current_user(), code, body["reason"], body["new_due"], now())


@lookup_blp.route("/lookup/<code>")
@may_answer(429)
@lookup_blp.response(200, LookupSchema)
def lookup(code: str) -> Dossier | Response:
    """Status and dates of a dossier, public: the code in any case, spaces around it
    ignored; each address may look up ``LOOKUP_LIMITS_PER_ADDRESS`` times (then 429 with
    ``Retry-After``)."""
    refusal = refuse_if_throttled()
    if refusal is not None:
        return refusal
    return lookup_code(code)
