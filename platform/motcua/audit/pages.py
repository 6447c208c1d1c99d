"""The auditor's home (/audit): what can be checked, with links to each report."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from motcua.audit import access
from motcua.audit.scope import readable_agencies, require_auditor
from motcua.errors import Invalid
from motcua.exports import FORMATS, table_download
from motcua.org.session import signed_in, web_user

bp = Blueprint("audit_pages", __name__, template_folder="templates")


@bp.route("/audit")
@signed_in
def index() -> str:
    user = web_user()
    # Auditors see everything; leaders the statistics of their agency (403 for others).
    province_wide = readable_agencies(user) is None
    return render_template("audit/index.html", province_wide=province_wide)


ACCESS_PAGE_SIZE = 100


@bp.route("/audit/access-log")
@signed_in
def access_log() -> Any:
    user = web_user()
    args = {key: request.args.get(key, "")[:64].replace("\x00", "").strip()
            for key in ("user", "dossier", "from", "to")}
    page = min(max(1, request.args.get("page", 1, type=int) or 1), 1000)
    try:
        items, total = access.reads(
            user, username=args["user"] or None, dossier=args["dossier"] or None,
            start=args["from"] or None, end=args["to"] or None,
            limit=ACCESS_PAGE_SIZE, offset=(page - 1) * ACCESS_PAGE_SIZE)
        errors: list[dict[str, str]] = []
    except Invalid as exc:
        require_auditor(user)
        items, total, errors = [], 0, exc.details
    fmt = request.args.get("format")
    if fmt in FORMATS and not errors:
        return table_download(
            fmt, "nhat-ky-truy-cap", "Nhật ký truy cập",
            ["Thời điểm", "Tài khoản", "Họ tên", "Yêu cầu", "Hồ sơ", "Kết quả"],
            [[r.at, r.username, r.full_name, f"{r.method} {r.path}", r.dossier_code, r.status]
             for r in items])
    return render_template("audit/access_log.html", items=items, total=total, args=args,
                           page=page, pages=max(1, -(-total // ACCESS_PAGE_SIZE)),
                           errors=errors), 422 if errors else 200
