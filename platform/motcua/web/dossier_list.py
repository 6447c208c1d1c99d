"""The dossier list (/dossiers): the search form of ``GET /api/v1/dossiers`` as a page that
works without JavaScript (a GET form), its results a page at a time, and the current
filter's rows (up to 10,000) as CSV or Excel. Everyone signed in finds exactly the dossiers
their dossier pages would show them: the search applies that rule itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from motcua.catalog.models import Procedure
from motcua.clock import now
from motcua.db import db
from motcua.dossiers.access import PROVINCE_WIDE, subtree
from motcua.dossiers.schemas import DossierSearchQuery
from motcua.dossiers.search import (
    COUNT_CAP,
    MAX_OFFSET,
    DossierQuery,
    DossierSummary,
    SearchPage,
    export_rows,
    search,
)
from motcua.errors import Invalid
from motcua.exports import FORMATS, table_download
from motcua.org.models import Agency, User
from motcua.org.session import signed_in, web_user
from motcua.web import CHANNEL_LABELS, STATUS_LABELS, bp

PAGE_SIZE = 20
LAST_PAGE = MAX_OFFSET // PAGE_SIZE + 1
FILTERS = ("q", "status", "procedure", "agency", "from", "to", "late")
EXPORT_HEADERS = ("Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Cơ quan giải quyết", "Người nộp",
                  "Hình thức nộp", "Tình trạng", "Tiếp nhận", "Hẹn trả kết quả",
                  "Hẹn trả trên phiếu tiếp nhận", "Hoàn thành", "Bước hiện tại", "Quá hạn")


@dataclass(frozen=True)
class AgencyChoice:
    code: str
    name: str
    depth: int  # how far below the top of the choices, for the indent


def agency_choices(user: User) -> list[AgencyChoice]:
    """The agencies whose dossiers ``user`` may list by agency, as a tree: every agency for
    auditors, a leader's or admin's agency and those below it; none for anyone else (their
    dossiers are the ones they worked on, whatever the agency)."""
    if user.has_role(*PROVINCE_WIDE):
        allowed = None
    else:
        allowed = subtree(user.agencies_with("leader", "admin"))
        if not allowed:
            return []
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.code)))
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    shown = allowed if allowed is not None else {a.id for a in agencies}
    choices: list[AgencyChoice] = []

    def visit(agency: Agency, depth: int) -> None:
        if agency.id in shown:
            choices.append(AgencyChoice(agency.code, agency.name, depth))
            depth += 1
        for child in children.get(agency.id, []):
            visit(child, depth)

    for root in children.get(None, []):
        visit(root, 0)
    return choices


def _procedures() -> list[tuple[str, str]]:
    return [(c, n) for c, n in db.session.execute(
        select(Procedure.code, Procedure.name).order_by(Procedure.code))]


def _page_number(args: MultiDict[str, str]) -> int:
    try:
        return max(1, min(int(args.get("page", "1")), LAST_PAGE))
    except ValueError:
        return 1


def _query(args: MultiDict[str, str], page: int) -> DossierQuery:
    """The form's values through the API's own schema; an empty box is no filter."""
    values: dict[str, Any] = {k: v.strip() for k, v in args.items()
                              if k in FILTERS and k != "status" and v.strip()}
    statuses = [s for s in args.getlist("status") if s.strip()]
    if statuses:
        values["status"] = statuses
    values.update(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    try:
        query: DossierQuery = DossierSearchQuery().load(values)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        raise Invalid("Điều kiện tìm kiếm không hợp lệ", [
            {"field": str(field), "message": "; ".join(map(str, m)) if isinstance(m, list)
             else str(m)} for field, m in messages.items()]) from None
    return query


def _export(fmt: str, rows: list[DossierSummary]) -> Response:
    return table_download(fmt, "ho-so", "Hồ sơ", EXPORT_HEADERS, (
        (r.code, r.procedure, r.procedure_name, r.agency_name, r.applicant_name,
         CHANNEL_LABELS.get(r.channel, r.channel), STATUS_LABELS.get(r.status, r.status),
         r.received_at, r.due_at, r.first_due_at, r.finished_at, r.current_step,
         "Có" if r.late else "Không") for r in rows))


def _link(args: MultiDict[str, str], **changes: Any) -> str:
    """This list's URL with the same filters and ``changes`` (a page, a format)."""
    params: dict[str, Any] = {k: [v for v in args.getlist(k) if v] for k in FILTERS}
    params = {k: v for k, v in params.items() if v}
    params.update(changes)
    return url_for("web.dossier_list", **params)


@bp.route("/dossiers")
@signed_in
def dossier_list() -> Any:
    user = web_user()
    args = request.args
    page = _page_number(args)
    fmt = args.get("format")
    at = now()
    errors: dict[str, str] = {}
    result: SearchPage | None = None
    try:
        if fmt is not None and fmt not in FORMATS:
            raise Invalid("Định dạng tải về không hợp lệ",
                          [{"field": "format", "message": "Chỉ tải được CSV hoặc Excel"}])
        query = _query(args, page)
        if fmt is not None:
            return _export(fmt, export_rows(user, query, at))
        result = search(user, query, at)
    except Invalid as exc:
        errors = {d["field"]: d["message"] for d in exc.details} or {"_": exc.message}
    pages = max(1, -(-result.total // PAGE_SIZE)) if result else 1
    return render_template(
        "web/dossiers.html", result=result, errors=errors, page=page,
        pages=min(pages, LAST_PAGE), form={k: args.get(k, "") for k in FILTERS},
        procedures=_procedures(), agencies=agency_choices(user), now=at, cap=COUNT_CAP,
        link=lambda **changes: _link(args, **changes),
        filtering=any(args.get(k) for k in FILTERS),
    ), 422 if errors else 200

