"""Login (throttled), logout, password change and the home page with the user's counts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from motcua.clock import now
from motcua.errors import Invalid, TooManyRequests, Unauthorized
from motcua.org.auth import change_password, sign_in
from motcua.org.session import (
    login_session,
    logout_session,
    signed_in,
    user_from_session,
    web_user,
)
from motcua.tasks.worklist import home_counts
from motcua.web import bp


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error, status = None, 200
    if request.method == "POST":
        username = request.form.get("username", "")
        try:
            user = sign_in(username, request.form.get("password", ""))
        except (Unauthorized, TooManyRequests) as exc:
            error, status = exc.message, exc.status
        else:
            login_session(user)
            return redirect(_safe_next(request.args.get("next")))
    if request.method == "GET" and user_from_session() is not None:
        return redirect(url_for("web.home"))
    return render_template("web/login.html", error=error,
                           username=request.form.get("username", "")), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_session()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("web.login"))


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def password() -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        try:
            change_password(web_user(), form.get("current", ""), form.get("new", ""),
                            form.get("repeat", ""))
        except Invalid as exc:
            errors = {d["field"]: d["message"] for d in exc.details}
        except TooManyRequests as exc:
            return render_template("web/password.html",
                                   errors={"current": exc.message}), exc.status
        else:
            # Every session ended with the old password; this browser stays signed in.
            login_session(web_user())
            flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.", "success")
            return redirect(url_for("web.home"))
    return render_template("web/password.html", errors=errors), 422 if errors else 200


@bp.route("/")
@signed_in
def home() -> Any:
    user = web_user()
    return render_template("web/home.html", user=user, counts=home_counts(user, now()))
