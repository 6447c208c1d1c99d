"""The printable standard documents: each page is a standalone A4 sheet (HTML with print
CSS) and, with ``?format=pdf``, the same page rendered by WeasyPrint."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import select

from motcua.calendar.working_time import TZ
from motcua.clock import now
from motcua.db import INTEGER_MAX, db
from motcua.documents.book import book_page, may_read_book, parse_period
from motcua.documents.formatting import FORMATTERS
from motcua.documents.pdf import render_pdf
from motcua.documents.render import DOSSIER_KINDS, FORMS, document_context
from motcua.dossiers.operations import get_dossier
from motcua.errors import Forbidden, Invalid, NotFound
from motcua.org.models import Agency, Province, User
from motcua.org.session import signed_in, web_user

bp = Blueprint("documents", __name__, template_folder="templates")

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@bp.context_processor
def _formatters() -> dict[str, Any]:
    return {**FORMATTERS, "place": _place(), "now": now()}


@bp.route("/dossiers/<code>/documents/<kind>")
@signed_in
def document(code: str, kind: str) -> Response:
    dossier = get_dossier(web_user(), code)
    if kind not in DOSSIER_KINDS:
        raise NotFound("Không có mẫu văn bản này")
    issued_id = _issued_id()
    context = document_context(dossier, kind, issued_id)
    return _respond(f"documents/{kind}.html", context, f"{dossier.code}-{kind}")


@bp.route("/tracking-book")
@signed_in
def tracking_book() -> Response:
    user = web_user()
    values = {key: request.args.get(key, "") for key in ("desk", "from", "to")}
    page_context: dict[str, Any] = {"form": FORMS["tracking_book"], "code": "",
                                    "form_values": values, "my_desks": _my_desks(user),
                                    "desk": None, "issuer": None, "book": None,
                                    "period": None}
    try:
        desk = _desk(user, values["desk"])
        page_context.update(desk=desk, issuer=desk)
        period = parse_period(values["from"], values["to"], now().astimezone(TZ).date())
    except Invalid as exc:
        page_context["error"] = exc
        return _respond("documents/tracking_book.html", page_context, "", status=422)
    values.update({"desk": desk.code, "from": period.start.isoformat(),
                   "to": period.end.isoformat()})
    book = book_page(desk, period, request.args.get("page", 1, type=int) or 1)
    page_context.update(period=period, book=book, page_url=_page_url)
    # The PDF link names the period it shows, so it prints the same book next month too.
    return _respond("documents/tracking_book.html", page_context,
                    f"so-theo-doi-{desk.code}-{period.start}-{period.end}",
                    link_args={**values, "page": book.page})


def _issued_id() -> int | None:
    raw = request.args.get("id")
    if raw is None or raw == "":
        return None
    # ASCII digits within an INTEGER column: isdigit() also takes "²", which int() refuses.
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > INTEGER_MAX:
        raise NotFound("Không có văn bản này")
    return int(raw)


def _desk(user: User, code: str) -> Agency:
    """The desk asked for, or the user's only desk. An agency code is public (it is the
    agency's electronic ID and prefixes every dossier code), so a desk the user may not
    read answers 403, not 404: that confirms nothing that was not already known."""
    if not code:
        desks = user.agencies_with("receiver")
        if len(desks) != 1:
            raise Invalid("Chọn Bộ phận Một cửa (mã cơ quan) cần xem sổ",
                          [{"field": "desk", "message": "Chưa chọn Bộ phận Một cửa"}])
        return db.session.get_one(Agency, next(iter(desks)))
    desk = db.session.scalar(select(Agency).where(Agency.code == code.strip()))
    if desk is None:
        raise NotFound(f"Không có cơ quan, đơn vị mã {code[:40]}")
    if not may_read_book(user, desk):
        raise Forbidden(f"Bạn không được xem Sổ theo dõi hồ sơ của {desk.name}")
    return desk


def _my_desks(user: User) -> list[Agency]:
    ids = user.agencies_with("receiver")
    if not ids:
        return []
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(ids))
                                   .order_by(Agency.code)))


def _query_args() -> dict[str, str]:
    """The query, to build a link to the same page: not its path parts, and no key
    ``url_for`` reads as its own (``_method=x`` was a BuildError, a 500, and
    ``_scheme=javascript&_external=1`` a link to ``javascript://``)."""
    view_args = request.view_args or {}
    return {k: v for k, v in request.args.items()
            if not k.startswith("_") and k not in view_args}


def _page_url(page: int) -> str:
    args: dict[str, Any] = {**_query_args(), "page": page}
    return url_for("documents.tracking_book", **args)


def _place() -> str:
    """The place name before the date line ("Cao Bằng, ngày ..."): the province's name
    without its "Tỉnh"/"Thành phố" prefix."""
    name = db.session.scalar(select(Province.name).limit(1)) or ""
    for prefix in ("Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "):
        name = name.removeprefix(prefix)
    return name


def _respond(template: str, context: dict[str, Any], filename: str, status: int = 200,
             link_args: dict[str, Any] | None = None) -> Response:
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "pdf"):
        raise NotFound("Chỉ in được dạng HTML hoặc PDF")
    args = {**(request.view_args or {}), **_query_args(), **(link_args or {}),
            "format": "pdf"}
    pdf_url = url_for(request.endpoint or "", **args)
    html = render_template(template, pdf_url=pdf_url, **context)
    if fmt == "pdf" and status == 200:
        response = Response(render_pdf(html), mimetype="application/pdf")
        name = _UNSAFE_FILENAME.sub("_", filename) or "van-ban"
        response.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    else:
        response = Response(html, status=status, mimetype="text/html")
    # Personal data: never kept by a shared cache or the browser's back-forward cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
