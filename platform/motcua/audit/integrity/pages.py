"""The integrity pages (under /audit): the signed daily heads and the public key, the
"Kiểm tra toàn vẹn" button, and each day's printable report of its signed head (HTML or
PDF), which is what an auditor files so that a later rewrite cannot go unnoticed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from motcua.audit.integrity import operations
from motcua.audit.integrity.verify import Report
from motcua.db import db
from motcua.documents.pdf import render_pdf
from motcua.errors import Invalid, NotFound
from motcua.org.session import signed_in, web_user

bp = Blueprint("audit_integrity_pages", __name__, template_folder="../templates")

KIND_LABELS = {
    "edited": "Sự kiện bị sửa", "deleted": "Sự kiện bị xóa", "inserted": "Sự kiện bị chèn",
    "reordered": "Sự kiện bị đảo thứ tự", "rewritten": "Chuỗi bị viết lại",
    "truncated": "Sự kiện cuối bị xóa", "regressed": "Đầu chuỗi lùi lại",
    "forked": "Đầu chuỗi rẽ nhánh", "size": "Số lá sai", "root": "Gốc cây sai",
    "signature": "Chữ ký sai", "key": "Khóa ký khác", "order": "Đầu cây không nối tiếp",
}


def _page(report: Report | None = None, dossier: str = "", error: str | None = None,
          status: int = 200, **extra: Any) -> tuple[str, int]:
    user = web_user()
    return render_template(
        "audit/integrity.html", heads=operations.latest_heads(user),
        key=operations.public_key(user), log=operations.current_log(user), report=report,
        dossier=dossier, error=error, kind_labels=KIND_LABELS,
        local_time=operations.local_time, **extra), status


@bp.route("/audit/integrity")
@signed_in
def integrity() -> tuple[str, int]:
    return _page()


@bp.route("/audit/integrity/verify", methods=["POST"])
@signed_in
def verify() -> tuple[str, int]:
    dossier = request.form.get("dossier", "")[:64].strip()
    try:
        report = operations.check(web_user(), dossier)
    except NotFound as exc:
        db.session.rollback()
        return _page(dossier=dossier, error=exc.message, status=exc.status)
    return _page(report, dossier)


@bp.route("/audit/integrity/log")
@signed_in
def log_check() -> tuple[str, int]:
    """A printed report's log of heads (size, root) against today's."""
    size = request.args.get("size", type=int)
    root = request.args.get("root", "")[:80].strip()
    if size is None or size < 0:
        return _page(log_error="Ghi số đầu cây (một số nguyên) như trên báo cáo đã in",
                     log_size="", log_root=root, status=422)
    try:
        result = operations.check_log(web_user(), size, root)
    except Invalid as exc:
        return _page(log_error=exc.message, log_size=size, log_root=root, status=422)
    return _page(log_result=result, log_size=size, log_root=root)


@bp.route("/audit/integrity/heads/<day>")
@signed_in
def head_report(day: str) -> Response:
    user = web_user()
    signed, before, log = operations.head_of(user, day)
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "pdf"):
        raise NotFound("Chỉ in được dạng HTML hoặc PDF")
    context: dict[str, Any] = {
        "signed": signed, "before": before, "log": log, "key": operations.public_key(user),
        "local_time": operations.local_time, "pdf": fmt == "pdf",
        "pdf_url": url_for("audit_integrity_pages.head_report", day=day, format="pdf"),
    }
    html = render_template("audit/integrity_head.html", **context)
    if fmt == "html":
        return Response(html, mimetype="text/html")
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="dau-cay-{signed.head.day.isoformat()}.pdf"')
    return response
