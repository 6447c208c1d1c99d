"""The diff page: the changes as a list in Vietnamese, grouped by kind (readable without
JavaScript), and the diagrams with markers (``web/src/diff.js``, a bpmn-js viewer). The page
runs under ``script-src 'self'``: its data is a JSON island, never an inline script."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from motcua.db import db
from motcua.design.diffs import operations
from motcua.design.diffs.operations import Diff
from motcua.errors import Invalid
from motcua.org.models import User
from motcua.org.session import signed_in, web_user

diff_pages = Blueprint("design_diff_pages", __name__,
                       template_folder=str(Path(__file__).parent.parent / "templates"))

KINDS = (("added", "Thêm mới"), ("changed", "Thay đổi"), ("removed", "Bỏ đi"))
ELEMENT_KINDS = {"process": "Quy trình", "step": "Bước", "lane": "Làn", "flow": "Luồng",
                 "node": "Phần tử", "form": "Biểu mẫu", "row": "Quyết định"}


def _page(find: Callable[[User, int, str | None], Diff], ident: int) -> Response:
    against = request.args.get("against")
    try:
        diff = find(web_user(), ident, against)
    except Invalid as exc:
        # The page is the designer's: say what was wrong with the link, not a bare 422.
        db.session.rollback()
        html = render_template("design/diff_error.html", error=exc, details=exc.details)
        return _response(html, 422)
    groups = [(kind, title, [c for c in diff.changes if c.kind == kind]) for kind, title in KINDS]
    island: dict[str, Any] = {
        "new": {"title": diff.new.title, "bpmn": diff.new.bpmn},
        "old": ({"title": diff.old.title, "bpmn": diff.old.bpmn} if diff.old.bpmn else None),
        "changes": [c.as_dict() for c in diff.changes],
    }
    html = render_template("design/diff.html", diff=diff, groups=groups, island=island,
                           element_kinds=ELEMENT_KINDS)
    return _response(html, 200)


def _response(html: str, status: int) -> Response:
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@diff_pages.route("/design/versions/<int:version_id>/diff")
@signed_in
def version_diff_page(version_id: int) -> Response:
    return _page(operations.version_diff, version_id)


@diff_pages.route("/design/drafts/<int:draft_id>/diff")
@signed_in
def draft_diff_page(draft_id: int) -> Response:
    return _page(operations.draft_diff, draft_id)
