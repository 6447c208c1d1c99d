"""The form designer's pages: a draft's forms (which steps use each, add, rename, delete) and
one form's editor (rows on the left, the officers' renderer's preview on the right).

Without JavaScript the editor shows the rows and the preview, and checks sample data typed
into the preview on the server; with it (``web/src/formdesigner.js``) the rows are edited and
the preview follows them live. Data reaches the script as JSON islands, under the modeler's
``script-src 'self'`` policy."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from motcua.db import db
from motcua.design.formdesign import operations
from motcua.design.formdesign.patterns import READY_PATTERNS
from motcua.design.formdesign.readback import readback
from motcua.design.formdesign.rows import TYPES, form_json
from motcua.design.models import ProcessDraft
from motcua.design.operations import MAX_ID, get_draft_for
from motcua.errors import AppError
from motcua.forms.fields import ACTION
from motcua.org.models import OFFICER_ROLES
from motcua.org.session import signed_in, web_user
from motcua.processes.checks.words import ROLE_WORDS

formdesign_pages = Blueprint("formdesign_pages", __name__, template_folder="../templates")


def _page(html: str, status: int = 200) -> Response:
    response = Response(html, status=status, mimetype="text/html")
    # The page carries the draft's revision: a cached copy would save over newer work.
    response.headers["Cache-Control"] = "no-store"
    return response


def _revision() -> int:
    # A revision no column holds is no revision of this draft: a stale page (409), never a
    # number the database refuses (past 32 bits on PostgreSQL, 64 on SQLite).
    revision = request.form.get("revision", type=int) or 0
    return revision if 0 < revision <= MAX_ID else 0


@formdesign_pages.route("/design/drafts/<int:draft_id>/forms")
@signed_in
def forms_page(draft_id: int, errors: list[dict[str, Any]] | None = None,
               status: int = 200, title: str = "") -> Response:
    draft = get_draft_for(web_user(), draft_id)
    return _page(render_template(
        "design/formdesigner_list.html", draft=draft, procedure=draft.procedure,
        forms=operations.overview(draft), errors=errors or [], title=title), status)


def _refused(draft_id: int, exc: AppError, title: str = "") -> Response:
    """The forms page again with what was refused; ``title``: a new form's, kept in its
    input (a refused rename's title is not a new form's)."""
    db.session.rollback()
    return forms_page(draft_id, errors=[{"message": exc.message}, *exc.details],
                      status=exc.status, title=title)


@formdesign_pages.route("/design/drafts/<int:draft_id>/forms", methods=["POST"])
@signed_in
def add_form(draft_id: int) -> Response:
    user = web_user()
    draft = get_draft_for(user, draft_id)
    try:
        draft, key = operations.create_form(draft, _revision(), user,
                                            request.form.get("title", ""))
    except AppError as exc:
        return _refused(draft_id, exc, request.form.get("title", ""))
    flash(f'Đã thêm biểu mẫu "{operations.title_of(draft.forms[key], key)}": thêm các '
          "trường của biểu mẫu ở đây.", "success")
    return redirect(url_for("formdesign_pages.editor_page", draft_id=draft_id, key=key))


@formdesign_pages.route("/design/drafts/<int:draft_id>/forms/<key>/rename", methods=["POST"])
@signed_in
def rename_form(draft_id: int, key: str) -> Response:
    user = web_user()
    try:
        operations.rename_form(get_draft_for(user, draft_id), _revision(), user, key,
                               request.form.get("title", ""))
    except AppError as exc:
        return _refused(draft_id, exc)
    flash("Đã đổi tên biểu mẫu (khóa của biểu mẫu giữ nguyên).", "success")
    return redirect(url_for("formdesign_pages.forms_page", draft_id=draft_id))


@formdesign_pages.route("/design/drafts/<int:draft_id>/forms/<key>/delete", methods=["POST"])
@signed_in
def delete_form(draft_id: int, key: str) -> Response:
    user = web_user()
    try:
        operations.delete_form(get_draft_for(user, draft_id), _revision(), user, key)
    except AppError as exc:
        return _refused(draft_id, exc)
    flash(f'Đã xóa biểu mẫu "{key}".', "success")
    return redirect(url_for("formdesign_pages.forms_page", draft_id=draft_id))


def editor_config(draft: ProcessDraft, key: str) -> dict[str, Any]:
    """What the editor's script reads from the page: addresses, pick lists, the revision."""
    api = f"/api/v1/drafts/{draft.id}"
    return {
        "key": key, "draft": draft.id, "revision": draft.revision,
        "published": draft.is_published, "csrf": generate_csrf(),
        "api": {"compile": f"{api}/forms/compile", "preview": f"{api}/forms/preview",
                "readback": "/api/v1/forms/readback", "form": f"{api}/forms/{key}"},
        "types": [{"value": k, "label": v} for k, v in TYPES.items()],
        "patterns": [{"value": p.key, "label": p.label, "hint": p.hint}
                     for p in READY_PATTERNS.values()],
        "roles": [{"value": r, "label": ROLE_WORDS.get(r, r)} for r in OFFICER_ROLES],
        "forms_url": url_for("formdesign_pages.forms_page", draft_id=draft.id),
    }


@formdesign_pages.route("/design/drafts/<int:draft_id>/forms/<key>")
@signed_in
def editor_page(draft_id: int, key: str) -> Response:
    return _editor(get_draft_for(web_user(), draft_id), key)


@formdesign_pages.route("/design/drafts/<int:draft_id>/forms/<key>/preview", methods=["POST"])
@signed_in
def check_sample(draft_id: int, key: str) -> Response:
    """Without JavaScript: the sample data typed into the preview, checked on the server."""
    return _editor(get_draft_for(web_user(), draft_id), key, posted=True)


def _editor(draft: ProcessDraft, key: str, *, posted: bool = False) -> Response:
    form = operations.form_of(draft, key)
    rows = form_json(readback(form["schema"], form["ui"]))
    problems = operations.check_form(key, form["schema"], form["ui"])
    # A schema with errors checks no data; "Thêm dòng" / "Xóa dòng" without JavaScript only
    # draws the form again: no verdict either.
    checkable = not any(p.get("severity") == "error" for p in problems)
    checked = posted and checkable and ACTION not in request.form
    shown = operations.preview(draft, form["schema"], form["ui"],
                               posted=request.form if posted else None, check=checked)
    steps = operations.steps_using(draft).get(key, [])
    html = render_template(
        "design/formdesigner.html", draft=draft, procedure=draft.procedure, key=key,
        title=operations.title_of(form, key), rows=rows, types=TYPES, steps=steps,
        patterns=READY_PATTERNS, roles=ROLE_WORDS, preview_html=shown.html,
        checked=checked, sample_errors=shown.errors, unchecked=posted and not checkable,
        problems=problems,
        config=editor_config(draft, key),
        island={"schema": form["schema"], "ui": form["ui"], "form": rows})
    return _page(html, 422 if checked and shown.errors else 200)
