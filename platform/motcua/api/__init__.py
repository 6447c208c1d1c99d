"""The HTTP API (/api/v1): one flask-smorest Api; each domain brings its blueprint."""

from __future__ import annotations

from flask import Flask, g, request
from flask_smorest import Blueprint

from motcua.api.bodies import refuse_unreadable_body
from motcua.api.errors import MotcuaApi
from motcua.errors import Unauthorized
from motcua.extensions import csrf
from motcua.org.auth import user_for_token
from motcua.org.session import user_from_session

PREFIX = "/api/v1"
# Everything else under /api/v1 needs a user, checked before the body is even parsed.
PUBLIC_ENDPOINTS = frozenset({"org.token", "lookup.lookup", "api-docs.openapi_json"})


def register_api(app: Flask, extra: tuple[Blueprint, ...] = ()) -> None:
    """Mount every domain's API blueprint; ``extra`` brings the top floor's (design, audit),
    which no domain imports."""
    from motcua.calendar.views import blp as calendar_blp
    from motcua.catalog.views import blp as catalog_blp
    from motcua.dossiers.views import blp as dossiers_blp
    from motcua.dossiers.views import lookup_blp
    from motcua.org.views import blp as org_blp
    from motcua.processes.views import blp as processes_blp
    from motcua.tasks.views import blp as tasks_blp

    api = MotcuaApi(app, spec_kwargs={"info": {"description": "motcua — API lõi ổn định"}})
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer"}
    )
    for blp in (org_blp, calendar_blp, catalog_blp, processes_blp, dossiers_blp, lookup_blp,
                tasks_blp, *extra):
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix=PREFIX)
    app.before_request(_load_api_user)
    app.before_request(_refuse_unreadable_body)


def _refuse_unreadable_body() -> None:
    # After the user is known: an anonymous caller learns nothing about its body first.
    if request.path.startswith(PREFIX + "/"):
        refuse_unreadable_body()


def _load_api_user() -> None:
    """Bearer token first; else the browser session, which must carry the CSRF token for
    anything that changes state."""
    if not request.path.startswith(PREFIX + "/"):
        return
    # An app context may outlive one request (tests, CLI); the user is per request.
    g.pop("user", None)
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Tiêu đề Authorization phải có dạng: Bearer <token>")
        user = user_for_token(token.strip())
        if user is None:
            raise Unauthorized("Token không hợp lệ hoặc đã hết hạn")
        g.user = user
        return
    user = user_from_session()
    if user is not None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()
        g.user = user
    elif request.endpoint not in PUBLIC_ENDPOINTS and request.endpoint is not None:
        raise Unauthorized("Cần đăng nhập (Authorization: Bearer <token>)")
