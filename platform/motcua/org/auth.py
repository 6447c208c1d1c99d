"""Password hashing (Argon2), bearer tokens and who the current user is."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, session
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from motcua.db import db, utcnow
from motcua.errors import Unauthorized
from motcua.org.models import ApiToken, User


def _hasher() -> PasswordHasher:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    hasher = app.extensions.get("motcua_hasher")
    if hasher is None:
        hasher = PasswordHasher(
            time_cost=app.config["ARGON2_TIME_COST"],
            memory_cost=app.config["ARGON2_MEMORY_COST"],
        )
        app.extensions["motcua_hasher"] = hasher
    return hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        _hasher().hash(password)
        raise Unauthorized("Sai tên đăng nhập hoặc mật khẩu")
    if not user.is_active or not verify_password(user, password):
        raise Unauthorized("Sai tên đăng nhập hoặc mật khẩu")
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    db.session.add(
        ApiToken(user_id=user.id, digest=_digest(token), created_at=now, expires_at=now + ttl)
    )
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    # One round trip: the user's memberships come in the same query (every request needs
    # them for scoping).
    row = db.session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .options(joinedload(User.memberships))
        .where(ApiToken.digest == _digest(token))
    ).unique().first()
    if row is None:
        return None
    api_token, user = row
    if api_token.expires_at <= utcnow() or not user.is_active:
        return None
    return user


def login_session(user: User) -> None:
    session.clear()
    session["uid"] = user.id
    session.permanent = False


def user_from_session() -> User | None:
    uid = session.get("uid")
    if uid is None:
        return None
    user = db.session.get(User, uid)
    return user if user is not None and user.is_active else None


def current_user() -> User:
    user = g.get("user")
    if user is None:
        raise Unauthorized("Cần đăng nhập")
    return user
