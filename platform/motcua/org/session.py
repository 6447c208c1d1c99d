"""Who is signed in to the browser UI. Sessions are kept on the server (``UserSession``): the
Flask cookie carries only a random session id, so a session ends for good when its officer
logs out, changes the password, is deactivated, stays idle ``SESSION_IDLE_MINUTES`` or has
lasted ``SESSION_MAX_HOURS``; a copy of the cookie ends with it. Also the view decorator that
loads the session user into ``g.user`` or sends the browser to the login page. It sits with
the users, below every domain, so any capability's pages (documents, design, audit) use it
without importing the officers' desk in ``web/``."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache, wraps
from typing import Any, TypeVar

from flask import current_app, g, redirect, request, session, url_for
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import joinedload

from motcua.clock import wall_now
from motcua.db import db
from motcua.org.models import User, UserSession

View = TypeVar("View", bound=Callable[..., Any])

SESSION_KEY = "sid"
# last_seen_at is written at most this often: not a write on every request.
SEEN_EVERY = timedelta(minutes=1)


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def login_session(user: User) -> None:
    """A new server-side session for ``user`` in a renewed cookie (no fixation). The session
    this browser held before (another officer who left the desk signed in) ends: a copy of
    its cookie must not outlive it."""
    logout_session()
    sid = secrets.token_urlsafe(32)
    at = wall_now()
    db.session.add(UserSession(user_id=user.id, digest=_digest(sid), created_at=at,
                               last_seen_at=at))
    db.session.flush()
    session.clear()
    session[SESSION_KEY] = sid
    session.permanent = False


@cache
def _session_lookup() -> Select[UserSession, User]:
    # The memberships come along: every request scopes by them.
    return (select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .options(joinedload(User.memberships))
            .where(UserSession.digest == bindparam("digest")))


def _alive(row: UserSession, at: datetime) -> bool:
    config = current_app.config
    return (row.ended_at is None
            and at - row.last_seen_at < timedelta(minutes=config["SESSION_IDLE_MINUTES"])
            and at - row.created_at < timedelta(hours=config["SESSION_MAX_HOURS"]))


def user_from_session() -> User | None:
    sid = session.get(SESSION_KEY)
    if not isinstance(sid, str):
        return None
    found = db.session.execute(_session_lookup(), {"digest": _digest(sid)}).unique().first()
    if found is None:
        return None
    row, user = found
    at = wall_now()
    if not user.is_active or not _alive(row, at):
        return None
    if at - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = at
    return user


def logout_session() -> None:
    """End this browser's session on the server, and empty its cookie."""
    sid = session.get(SESSION_KEY)
    if isinstance(sid, str):
        db.session.execute(update(UserSession)
                           .where(UserSession.digest == _digest(sid),
                                  UserSession.ended_at.is_(None))
                           .values(ended_at=wall_now()))
    session.clear()


def end_sessions(user: User) -> int:
    """End every session of ``user`` (password changed or set anew); how many were open."""
    result = db.session.execute(update(UserSession)
                                .where(UserSession.user_id == user.id,
                                       UserSession.ended_at.is_(None))
                                .values(ended_at=wall_now()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def signed_in(view: View) -> View:
    """Run ``view`` with ``g.user`` set; an anonymous browser goes to /login?next=<here>."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = user_from_session()
        if user is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        g.user = user
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def web_user() -> User:
    """The signed-in user of a view decorated with ``signed_in``."""
    user: User = g.user
    return user
