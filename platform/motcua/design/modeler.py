"""The modeler page: bpmn-js with the platform's panel, on one draft.

The page carries everything the modeler needs as JSON data islands (the draft, the pick
lists of roles, unit selectors and agencies, the decision's steps), so it opens without a
second request and runs under a ``script-src 'self'`` policy: no inline script, no CDN."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from werkzeug.wrappers import Response

from motcua.calendar.working_time import TZ
from motcua.catalog.decisions import UNIT_SELECTORS
from motcua.catalog.models import Procedure
from motcua.clock import now
from motcua.db import db
from motcua.design.models import ProcessDraft
from motcua.design.operations import get_draft_for, version_in_force
from motcua.org.models import OFFICER_ROLES, Agency
from motcua.org.session import signed_in, web_user
from motcua.processes.checks.words import DOCUMENT_WORDS, ROLE_WORDS, SELECTOR_WORDS
from motcua.processes.meanings import Meaning

modeler_blp = Blueprint("modeler", __name__, template_folder="templates")

# The panel's pick lists say what the checks' messages say (ROLE_WORDS, SELECTOR_WORDS,
# DOCUMENT_WORDS); an outcome's meaning, with what it sets off.
MEANING_LABELS = {
    Meaning.ACCEPT: "Tiếp nhận hồ sơ (cấp Mẫu 01, bắt đầu tính giờ)",
    Meaning.SUPPLEMENT: "Yêu cầu bổ sung (Mẫu 02, dừng tính giờ)",
    Meaning.REFUSE: "Từ chối (Mẫu 03 khi kết thúc)",
    Meaning.BACK: "Trả lại bước trước",
    Meaning.FORWARD: "Chuyển tiếp",
}


def agency_tree() -> list[dict[str, Any]]:
    """Every agency, parents before their children, each with its depth in the tree."""
    rows = db.session.execute(
        select(Agency.id, Agency.code, Agency.name, Agency.parent_id).order_by(Agency.code)).all()
    children: dict[int | None, list[Any]] = {}
    ids = {row.id for row in rows}
    for row in rows:
        # An agency whose parent is not listed is shown as a root rather than dropped.
        children.setdefault(row.parent_id if row.parent_id in ids else None, []).append(row)
    out: list[dict[str, Any]] = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        out.append({"code": row.code, "name": row.name, "depth": depth})
        stack.extend((child, depth + 1) for child in reversed(children.get(row.id, [])))
    return out


def _selector_label(selector: str, procedure: Procedure) -> str:
    label = SELECTOR_WORDS.get(selector, selector)
    unit = {"@handling": procedure.handling_unit, "@agency": procedure.agency}.get(selector)
    return f"{label} ({unit.name})" if unit is not None else label


def modeler_config(draft: ProcessDraft) -> dict[str, Any]:
    """The pick lists and addresses the modeler's JavaScript reads from the page."""
    procedure = draft.procedure
    api = f"/api/v1/drafts/{draft.id}"
    return {
        "procedure": {"code": procedure.code, "name": procedure.name,
                      "time_limit": procedure.time_limit},
        "steps": [{"no": str(s.get("no", "")), "work": s.get("work", ""),
                   "responsible": s.get("responsible", ""), "time": s.get("time", "")}
                  for s in procedure.steps or []],
        "roles": [{"value": r, "label": ROLE_WORDS.get(r, r)} for r in OFFICER_ROLES],
        "selectors": [{"value": s, "label": _selector_label(s, procedure)}
                      for s in UNIT_SELECTORS],
        "agencies": agency_tree(),
        "documents": [{"value": k, "label": v} for k, v in DOCUMENT_WORDS.items()],
        "meanings": [{"value": m.value, "label": MEANING_LABELS[m]} for m in Meaning],
        "api": {"draft": api, "check": f"{api}/check", "publish": f"{api}/publish"},
        "csrf": generate_csrf(),
        "library_url": url_for("design_pages.procedure_page", code=procedure.code),
        "file_base": procedure.code,
    }


@modeler_blp.route("/design/drafts/<int:draft_id>")
@signed_in
def modeler_page(draft_id: int) -> Response:
    draft = get_draft_for(web_user(), draft_id)
    island = {"id": draft.id, "revision": draft.revision, "bpmn": draft.bpmn_xml,
              "forms": draft.forms or {}, "problems": draft.problems or [],
              "published": draft.is_published}
    html = render_template("design/modeler.html", draft=draft, procedure=draft.procedure,
                           config=modeler_config(draft), island=island,
                           in_force=version_in_force(draft.procedure),
                           today=now().astimezone(TZ).date().isoformat())
    response = Response(html, mimetype="text/html")
    # The page embeds the draft as it was when served: never show a cached, older one.
    response.headers["Cache-Control"] = "no-store"
    return response
