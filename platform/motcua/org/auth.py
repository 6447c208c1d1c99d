"""Password hashing (Argon2), bearer tokens and who the current user is."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, session
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from motcua.db import db, utcnow
from motcua.errors import TooManyRequests, Unauthorized
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


def sign_in(username: str, password: str, address: str) -> User:
    """``authenticate`` behind the failed-login throttle (login form and token endpoint)."""
    from motcua.org.throttle import login_throttle

    throttle = login_throttle()
    wait = throttle.wait_seconds(address, username)
    if wait:
        raise TooManyRequests(f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait} giây.")
    try:
        return authenticate(username, password)
    except Unauthorized:
        throttle.failed(address, username)
        raise


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


@cache
def _token_lookup() -> Select[ApiToken, User]:
    # One round trip: the user's memberships (and their agencies) come in the same query,
    # as every request needs them for scoping. Built once: it runs on every API request.
    return (select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .options(joinedload(User.memberships))
            .where(ApiToken.digest == bindparam("digest")))


def user_for_token(token: str) -> User | None:
    row = db.session.execute(_token_lookup(), {"digest": _digest(token)}).unique().first()
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


MIN_PASSWORD_LENGTH = 10


def change_password(user: User, current: str, new: str, repeat: str) -> None:
    """Replace the user's password after checking the current one; every problem names its
    field. Tokens issued before stay valid until they expire."""
    from motcua.errors import Invalid

    problems = []
    if not verify_password(user, current):
        problems.append({"field": "current", "message": "Mật khẩu hiện tại không đúng"})
    if len(new) < MIN_PASSWORD_LENGTH:
        problems.append({"field": "new",
                         "message": f"Mật khẩu mới cần ít nhất {MIN_PASSWORD_LENGTH} ký tự"})
    elif new == current:
        problems.append({"field": "new", "message": "Mật khẩu mới phải khác mật khẩu hiện tại"})
    elif user.username.lower() in new.lower():
        problems.append({"field": "new", "message": "Mật khẩu không được chứa tên đăng nhập"})
    if new != repeat:
        problems.append({"field": "repeat", "message": "Nhập lại mật khẩu mới không khớp"})
    if problems:
        raise Invalid("Chưa đổi được mật khẩu", problems)
    user.password_hash = hash_password(new)
    db.session.flush()
