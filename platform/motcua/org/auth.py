"""Password hashing (Argon2), signing in, bearer tokens and who the current user is."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g
from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import joinedload

from motcua.db import db, utcnow
from motcua.errors import TooManyRequests, Unauthorized
from motcua.org.models import ApiToken, User
from motcua.org.passwords import new_password_problem
from motcua.org.session import end_sessions


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


def sign_in(username: str, password: str) -> User:
    """``authenticate`` behind the failed-login throttle (login form and token endpoint, the
    same counts), for the current request's client; success renews its device cookie."""
    from motcua.org.throttle import attempt_from_request, login_throttle, remember_device

    throttle, attempt = login_throttle(), attempt_from_request(username)
    # One try of an account at a time: else tries sent together all pass the check before
    # any of their failures is counted (as many guesses as the server has threads).
    with throttle.one_at_a_time(attempt):
        wait = throttle.wait_seconds(attempt)
        if wait:
            raise TooManyRequests(
                f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait} giây.")
        try:
            user = authenticate(username, password)
        except Unauthorized:
            throttle.failed(attempt)
            raise
    remember_device(username)
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


def current_user() -> User:
    user = g.get("user")
    if user is None:
        raise Unauthorized("Cần đăng nhập")
    return user


def revoke_tokens(user: User) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def change_password(user: User, current: str, new: str, repeat: str) -> None:
    """Replace the user's password after checking the current one; every problem names its
    field. Every session of the user ends and every token issued before is revoked: the
    caller signs this browser in again if it should stay signed in. The current password is
    checked behind the login throttle, under the same counts as a login: else whoever holds
    a session (a desk left signed in) could guess it here without limit."""
    from motcua.errors import Invalid
    from motcua.org.throttle import attempt_from_request, login_throttle

    throttle, attempt = login_throttle(), attempt_from_request(user.username)
    problems = []
    with throttle.one_at_a_time(attempt):
        wait = throttle.wait_seconds(attempt)
        if wait:
            raise TooManyRequests("Nhập sai mật khẩu quá nhiều lần. "
                                  f"Vui lòng thử lại sau {wait} giây.")
        if not verify_password(user, current):
            throttle.failed(attempt)
            problems.append({"field": "current", "message": "Mật khẩu hiện tại không đúng"})
    problem = new_password_problem(user.username, new)
    if problem is None and new == current:
        problem = "Mật khẩu mới phải khác mật khẩu hiện tại"
    if problem:
        problems.append({"field": "new", "message": problem})
    if new != repeat:
        problems.append({"field": "repeat", "message": "Nhập lại mật khẩu mới không khớp"})
    if problems:
        raise Invalid("Chưa đổi được mật khẩu", problems)
    user.password_hash = hash_password(new)
    end_sessions(user)
    revoke_tokens(user)
    db.session.flush()
