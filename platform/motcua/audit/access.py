"""The auditors' access log: every request an auditor makes (a page, an API read, a search,
an export, a refused one too) is written to ``access_log`` with who, when and what, in the
request's own transaction, and never into a dossier's history."""

from __future__ import annotations

from flask import Flask, Response, g, request

from motcua.audit.models import AccessLog
from motcua.clock import now
from motcua.db import db

AUDITOR = "auditor"
# Requests that read nothing of a dossier or a report: the assets a page loads.
_UNLOGGED_ENDPOINTS = frozenset({"static", "web.static"})


def is_auditor(user: object) -> bool:
    memberships = getattr(user, "memberships", None) or ()
    return any(m.role == AUDITOR for m in memberships)


def register_access_log(app: Flask) -> None:
    """Called after the per-request transaction is set up, so that this hook runs before
    the commit (Flask runs ``after_request`` hooks in reverse order of registration)."""

    @app.after_request
    def log_auditor_read(response: Response) -> Response:
        user = g.get("user")
        if user is None or not is_auditor(user) or request.endpoint in _UNLOGGED_ENDPOINTS:
            return response
        if request.path.startswith("/static/"):
            return response
        view_args = request.view_args or {}
        code = view_args.get("code")
        row = AccessLog(
            at=now(), user_id=user.id, method=request.method[:8],
            path=request.full_path.rstrip("?")[:2000], endpoint=(request.endpoint or "")[:128],
            dossier_code=str(code)[:64] if code is not None else None,
            status=response.status_code)
        if response.status_code >= 400 or g.get("rollback_only"):
            # The request's changes are rolled back; the record that it was asked is not.
            g.setdefault("kept_after_rollback", []).append(row)
        else:
            db.session.add(row)
        return response
