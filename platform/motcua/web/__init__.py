"""Server-rendered pages: session login and logout, home, error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from motcua.errors import AppError, Unauthorized
from motcua.org.auth import authenticate, login_session, user_from_session

bp = Blueprint("web", __name__, template_folder="templates")

ROLE_LABELS = {
    "receiver": "Bộ phận Một cửa", "specialist": "Chuyên viên", "unit_head": "Lãnh đạo phòng",
    "leader": "Lãnh đạo cơ quan", "clerk": "Văn thư", "designer": "Cấu hình quy trình",
    "auditor": "Kiểm soát TTHC", "admin": "Quản trị", "sysadmin": "Quản trị hệ thống",
}


def register_web(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["role_label"] = lambda r: ROLE_LABELS.get(r, r)


def render_error(exc: AppError) -> Any:
    return render_template("web/error.html", error=exc), exc.status


@bp.route("/")
def home() -> Any:
    user = user_from_session()
    if user is None:
        return redirect(url_for("web.login"))
    return render_template("web/home.html", user=user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        try:
            user = authenticate(request.form.get("username", ""), request.form.get("password", ""))
        except Unauthorized as exc:
            error = exc.message
        else:
            login_session(user)
            return redirect(url_for("web.home"))
    return render_template("web/login.html", error=error), 401 if error else 200


@bp.route("/logout", methods=["POST", "GET"])
def logout() -> Response:
    from flask import session

    session.clear()
    return redirect(url_for("web.login"))
