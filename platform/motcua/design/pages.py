"""The designer's process library: the procedures one designs, each with its versions and
drafts, and the buttons that start a draft (blank, generated from the decision or from an
uploaded table, copied from a version, imported from a .bpmn file) or retire a version."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from motcua.db import db
from motcua.design import operations
from motcua.design.generate import generate_draft
from motcua.errors import AppError, Invalid
from motcua.org.session import signed_in, web_user
from motcua.uploads import read_upload

bp = Blueprint("design_pages", __name__, template_folder="templates")

PAGE_SIZE = 50
MAX_PAGE = 10_000
ORIGIN_LABELS = {"blank": "Bản trống", "generated": "Tạo từ quyết định", "copy": "Sao chép",
                 "upload": "Tải lên"}


def modeler_url(draft_id: int) -> str:
    return url_for("modeler.modeler_page", draft_id=draft_id)


@bp.route("/design")
@signed_in
def library() -> str:
    user = web_user()
    query = request.args.get("q", "")[:100].replace("\x00", "")
    # Past the last page is an empty page, never an offset no database can take.
    page = min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)
    procedures, total = operations.library(user, query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    in_force = {p.id: operations.version_in_force(p) for p in procedures}
    open_drafts = operations.open_draft_counts([p.id for p in procedures])
    return render_template("design/library.html", procedures=procedures, total=total, q=query,
                           page=page, pages=max(1, -(-total // PAGE_SIZE)), in_force=in_force,
                           open_drafts=open_drafts)


@bp.route("/design/procedures/<code>")
@signed_in
def procedure_page(code: str, errors: list[dict[str, Any]] | None = None,
                   status: int = 200, confirm_retire: int | None = None) -> tuple[str, int]:
    user = web_user()
    procedure = operations.procedure_for(user, code)
    rows = operations.versions(procedure)
    kept = {r.version.id: operations.retire_refusal(r.version) for r in rows}
    return render_template(
        "design/procedure.html", procedure=procedure, versions=rows,
        in_force=operations.version_in_force(procedure), drafts=operations.drafts_of(procedure),
        modeler_url=modeler_url, errors=errors or [], confirm_retire=confirm_retire,
        retire_refusals={k: v for k, v in kept.items() if v},
        version_status_labels=operations.VERSION_STATUS_WORDS, origin_labels=ORIGIN_LABELS,
    ), status


@bp.route("/design/procedures/<code>/drafts", methods=["POST"])
@signed_in
def new_draft(code: str) -> Response | tuple[str, int]:
    user = web_user()
    procedure = operations.procedure_for(user, code)
    how = request.form.get("from", "")
    try:
        if how == "blank":
            draft = operations.create(procedure, user)
        elif how == "decision":
            draft = generate_draft(procedure, user)
        elif how == "table":
            upload = request.files.get("table")
            if upload is None or not upload.filename:
                raise Invalid("Chưa chọn tệp", [{"field": "table",
                                                 "message": "Chọn tệp DOCX, XLSX hoặc CSV"}])
            draft = generate_draft(procedure, user, read_upload(upload, "table"))
        elif how == "bpmn":
            upload = request.files.get("bpmn")
            if upload is None or not upload.filename:
                raise Invalid("Chưa chọn tệp", [{"field": "bpmn", "message": "Chọn tệp .bpmn"}])
            name, content = read_upload(upload, "bpmn")
            draft = operations.create(procedure, user, bpmn=content, filename=name,
                                      origin="upload")
        elif how == "version":
            number = request.form.get("version", type=int)
            if number is None:
                raise Invalid("Chưa chọn phiên bản", [{"field": "version", "message": "Bắt buộc"}])
            draft = operations.copy_version(procedure, number, user)
        else:
            abort(400)
    except Invalid as exc:
        db.session.rollback()
        return procedure_page(code, errors=[{"message": exc.message}, *exc.details], status=422)
    flash(f"Đã tạo bản nháp số {draft.id}.", "success")
    return redirect(modeler_url(draft.id))


@bp.route("/design/versions/<int:version_id>/retire", methods=["POST"])
@signed_in
def retire(version_id: int) -> Response | tuple[str, int]:
    user = web_user()
    version = operations.version_for(user, version_id)
    code = version.procedure.code
    if request.form.get("confirmed") != "retire":
        # Without JavaScript the page asks again, with the consequences spelled out.
        return procedure_page(code, confirm_retire=version.id)
    try:
        operations.retire(version, user)
    except AppError as exc:
        db.session.rollback()
        return procedure_page(code, errors=[{"message": exc.message}], status=exc.status)
    flash(f"Phiên bản {version.version} đã ngừng áp dụng: hồ sơ mới không chạy theo phiên bản "
          "này nữa; hồ sơ đang giải quyết vẫn chạy tiếp đến khi xong.", "success")
    return redirect(url_for("design_pages.procedure_page", code=code))
