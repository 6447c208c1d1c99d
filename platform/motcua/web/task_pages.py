"""The worklist and the task page: claim, fill the step's e-form, choose an outcome."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from motcua.clock import now
from motcua.db import db
from motcua.dossiers.models import IssuedDocument
from motcua.dossiers.operations import history
from motcua.errors import Conflict, Invalid
from motcua.forms import errors_by_field, parse_form, render_form
from motcua.org.operations import officers
from motcua.processes.operations import compiled
from motcua.schema_errors import validate
from motcua.tasks.models import Task
from motcua.tasks.operations import claim, complete, get_task
from motcua.tasks.worklist import (
    SORTS,
    STATES,
    WorklistFilter,
    procedures_in_worklist,
    worklist_page,
)
from motcua.web import STATUS_LABELS, bp
from motcua.web.dossier_pages import attachments_of, dossier_documents
from motcua.web.session import signed_in, web_user

# Outcomes that end or reverse work: the officer confirms them first.
CONFIRM_KEYS = frozenset({"refuse", "reject", "back", "send_back", "return_back"})
PRINTABLE = ("receipt", "supplement", "refusal", "apology", "stop")


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


@bp.route("/tasks")
@signed_in
def worklist() -> Any:
    user = web_user()
    args = request.args
    state = args.get("state") if args.get("state") in STATES else None
    sort = args.get("sort", "due") if args.get("sort") in SORTS else "due"
    filters = WorklistFilter(procedure=args.get("procedure") or None, state=state,
                             received_from=_date_arg("from"), received_to=_date_arg("to"),
                             q=(args.get("q") or "").strip()[:100] or None, sort=sort,
                             page=_page_arg())
    at = now()
    page = worklist_page(user, filters, at)
    return render_template("web/worklist.html", page=page, filters=filters, now=at,
                           procedures=procedures_in_worklist(user), states=STATES)


def _back_to_list() -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/tasks") else url_for("web.worklist")


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@signed_in
def claim_task(task_id: int) -> Any:
    try:
        task = claim(web_user(), task_id, now())
    except Conflict as exc:
        # A colleague was quicker: say so on the list, which shows who holds it now.
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_back_to_list()), 303
    flash(f"Đã nhận xử lý hồ sơ {task.dossier.code}: {task.name}.", "success")
    return redirect(_back_to_list())


def _needs_confirmation(task: Task, outcome: str | None) -> bool:
    if outcome is None:
        return False
    label = dict((k, v) for k, v in task.outcomes).get(outcome, "")
    return outcome in CONFIRM_KEYS or label.lower().startswith(("trả lại", "từ chối"))


def _task_view(task: Task, *, values: Any = None, errors: dict[str, list[str]] | None = None,
               raw: dict[str, str] | None = None, confirm: str | None = None,
               status: int = 200) -> Any:
    user = web_user()
    dossier = task.dossier
    version = compiled(dossier.process_version_id)
    schema = version.form_schema(task.form_key)
    ui = version.form_ui(task.form_key)
    can_act = task.is_open and (task.assignee_id in (None, user.id))
    units = [task.unit_id, dossier.handling_unit_id, dossier.agency_id]
    form_html = render_form(schema, ui, values if values is not None else task.data,
                            errors or {}, officers=lambda role: officers(role, units),
                            raw=raw) if schema and can_act else None
    start_schema = version.form_schema(version.start_form)
    return render_template(
        "web/task.html", task=task, dossier=dossier, form_html=form_html, can_act=can_act,
        errors=errors or {}, confirm=confirm, history=history(dossier),
        start_schema=start_schema, attachments=attachments_of(dossier),
        documents=dossier_documents(dossier), now=now(),
        confirm_label=dict((k, v) for k, v in task.outcomes).get(confirm or "", ""),
    ), status


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@signed_in
def task_page(task_id: int) -> Any:
    user = web_user()
    task = get_task(user, task_id)
    if request.method == "GET":
        return _task_view(task)
    if not task.is_open:
        raise Conflict("Công việc đã được hoàn thành hoặc hủy")
    if task.assignee is not None and task.assignee_id != user.id:
        raise Conflict(f"Công việc đang do {task.assignee.full_name} xử lý")
    version = compiled(task.dossier.process_version_id)
    schema = version.form_schema(task.form_key)
    form: MultiDict[str, str] = request.form
    parsed = parse_form(schema, version.form_ui(task.form_key), form) if schema else None
    data = (parsed.data or {}) if parsed else {}
    raw = parsed.raw if parsed else None
    outcome = form.get("outcome") or None
    if (parsed and parsed.action) or form.get("cancel_confirm"):
        return _task_view(task, values=data, raw=raw)
    problems = parsed.merge(validate(data, schema, root="data")) if parsed and schema else []
    if problems:
        return _task_view(task, values=data, raw=raw, errors=errors_by_field(problems),
                          status=422)
    if _needs_confirmation(task, outcome) and form.get("confirmed") != outcome:
        return _task_view(task, values=data, raw=raw, confirm=outcome)
    at = now()
    issued_before = db.session.scalar(db.select(db.func.max(IssuedDocument.id))) or 0
    try:
        dossier, created = complete(user, task_id, outcome, data, at)
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        task = get_task(user, task_id)
        flash(exc.message, "error")
        fields = errors_by_field(exc.details) if isinstance(exc, Invalid) else {}
        return _task_view(task, values=data, raw=raw, errors=fields, status=exc.status)
    issued = db.session.scalar(
        db.select(IssuedDocument).where(IssuedDocument.dossier_id == dossier.id,
                                        IssuedDocument.id > issued_before,
                                        IssuedDocument.kind.in_(PRINTABLE))
        .order_by(IssuedDocument.id.desc()).limit(1))
    moved = ", ".join(t.name for t in created) or STATUS_LABELS.get(dossier.status, "")
    flash(f"Đã hoàn thành \u201c{task.name}\u201d của hồ sơ {dossier.code} → {moved}.", "success")
    if issued is not None:
        return redirect(url_for("documents.document", code=dossier.code, kind=issued.kind,
                                id=issued.id))
    return redirect(url_for("web.worklist"))

