"""The auditors' access log: every request an auditor makes (a page, an API read, a search,
an export, a refused one too) is written to ``access_log`` with who, when and what, in the
request's own transaction, and never into a dossier's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, g, request
from sqlalchemy import false, func, select

from motcua.audit.models import AccessLog
from motcua.audit.scope import require_auditor
from motcua.calendar.working_time import TZ
from motcua.clock import now
from motcua.db import db
from motcua.documents.book import parse_period
from motcua.org.models import User

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
        # The path comes decoded: a NUL typed as %00 is written back as such (PostgreSQL
        # stores no NUL in text, and the commit of the whole request would fail).
        row = AccessLog(
            at=now(), user_id=user.id, method=request.method[:8],
            path=request.full_path.rstrip("?").replace("\x00", "%00")[:2000],
            endpoint=(request.endpoint or "")[:128],
            dossier_code=str(code).replace("\x00", "%00")[:64] if code is not None else None,
            status=response.status_code)
        if response.status_code >= 400 or g.get("rollback_only"):
            # The request's changes are rolled back; the record that it was asked is not.
            g.setdefault("kept_after_rollback", []).append(row)
        else:
            db.session.add(row)
        return response


@dataclass(frozen=True)
class Read:
    at: datetime
    username: str
    full_name: str
    method: str
    path: str
    dossier_code: str | None
    status: int


def reads(user: User, *, username: str | None = None, dossier: str | None = None,
          start: str | None = None, end: str | None = None, limit: int = 100,
          offset: int = 0) -> tuple[list[Read], int]:
    """The access log, newest first, for auditors and system administrators (who watches
    the auditors: they see each other's reads). ``start``/``end``: local days, inclusive."""
    require_auditor(user)
    period = parse_period(start, end, now().astimezone(TZ).date())
    low, high = period.bounds
    query = (select(AccessLog, User.username, User.full_name)
             .join(User, User.id == AccessLog.user_id)
             .where(AccessLog.at >= low, AccessLog.at < high))
    # PostgreSQL refuses to compare text with a NUL: no username holds one, and a code
    # holding one was written as %00.
    if username:
        query = query.where(User.username == username.strip() if "\x00" not in username
                            else false())
    if dossier:
        query = query.where(AccessLog.dossier_code == dossier.strip().replace("\x00", "%00"))
    total = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db.session.execute(query.order_by(AccessLog.at.desc(), AccessLog.id.desc())
                              .limit(limit).offset(offset)).all()
    return [Read(log.at, name, full, log.method, log.path, log.dossier_code, log.status)
            for log, name, full in rows], total
