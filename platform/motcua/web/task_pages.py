"""The worklist and the task page: claim, fill the step's e-form, choose an outcome."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from motcua.calendar.working_time import FIRST_YEAR, LAST_YEAR
from motcua.clock import now
from motcua.db import db
from motcua.dossiers.flow import Advance, config_of
from motcua.errors import Conflict, Invalid, NotFound
from motcua.forms import errors_by_field, parse_form, render_form
from motcua.org.operations import officers
from motcua.org.session import signed_in, web_user
from motcua.processes.checks import StepConfig
from motcua.processes.meanings import NEEDS_REASON, Meaning, Outcome, find
from motcua.processes.operations import compiled
from motcua.tasks.models import Task, TaskState
from motcua.tasks.operations import (
    check_completion,
    claim,
    complete,
    get_task,
    may_read_dossier,
)
from motcua.tasks.worklist import (
    SORTS,
    STATES,
    WorklistFilter,
    procedures_in_worklist,
    worklist_page,
)
from motcua.web import STATUS_LABELS, bp
from motcua.web.dossier_pages import dossier_panels

# Outcomes that end or reverse work: the officer confirms them first.
CONFIRM_MEANINGS = frozenset({Meaning.REFUSE, Meaning.BACK})
PRINTABLE = ("receipt", "supplement", "refusal", "apology", "stop")


def _date_arg(name: str) -> date | None:
    """The day, or None for no filter when it is no day, or one outside the calendar's
    years (0001-01-01 overflows on its way to a local midnight)."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


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


def _needs_confirmation(task: Task, outcome: str | None) -> Outcome | None:
    chosen = find(task.outcome_list, outcome)
    return chosen if chosen is not None and chosen.meaning in CONFIRM_MEANINGS else None


def _task_view(task: Task, *, values: Any = None, errors: dict[str, list[str]] | None = None,
               raw: dict[str, str] | None = None, note: str | None = None,
               confirm: Outcome | None = None, status: int = 200) -> Any:
    user = web_user()
    dossier = task.dossier
    readable = may_read_dossier(user, task)
    version = compiled(dossier.process_version_id)
    schema = version.form_schema(task.form_key)
    ui = version.form_ui(task.form_key)
    can_act = readable and task.is_open and (task.assignee_id in (None, user.id))
    earlier = earlier_entry(task) if can_act else None
    if values is None:
        values = task.data if task.data is not None else (earlier.data if earlier else None)
    units = [task.unit_id, dossier.handling_unit_id, dossier.agency_id]
    form_html = render_form(schema, ui, values, errors or {},
                            officers=lambda role: officers(role, units),
                            raw=raw) if schema and can_act else None
    return render_template(
        "web/task.html", task=task, dossier=dossier, form_html=form_html, can_act=can_act,
        task_schema=schema,
        readable=readable, errors=errors or {}, confirm=confirm, now=now(),
        note=note or "",
        sent_back=task.returned_from if task.reopened else None, earlier=earlier,
        note_holds_reason=note_holds_reason(version.step(task.element_id)),
        danger=CONFIRM_MEANINGS, **(dossier_panels(dossier, version) if readable else {}),
    ), status


def note_holds_reason(config: StepConfig | None) -> bool:
    """The note is where a refuse, supplement or back outcome's reason goes: the step has such
    an outcome and names no reason field of its own."""
    return config is not None and config.reason_field is None and any(
        o.meaning in NEEDS_REASON for o in config.outcomes)


def earlier_entry(task: Task) -> Task | None:
    """The last completion of the same step in this dossier: what was entered before the
    dossier came back to it."""
    done = [t for t in task.dossier.tasks if t.element_id == task.element_id
            and t.state == TaskState.COMPLETED and t.id != task.id]
    return done[-1] if done else None


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
    if not may_read_dossier(user, task):
        raise NotFound(f"Không có công việc {task_id}")
    version = compiled(task.dossier.process_version_id)
    schema = version.form_schema(task.form_key)
    form: MultiDict[str, str] = request.form
    parsed = parse_form(schema, version.form_ui(task.form_key), form) if schema else None
    data = (parsed.data or {}) if parsed else {}
    raw = parsed.raw if parsed else None
    note = form.get("note", "")
    outcome = form.get("outcome") or None
    def again(**more: Any) -> Any:
        return _task_view(task, values=data, raw=raw, note=note, **more)

    if (parsed and parsed.action) or form.get("cancel_confirm"):
        return again()
    confirm = _needs_confirmation(task, outcome)
    try:
        if parsed and parsed.problems:
            raise Invalid("Biểu mẫu chưa hợp lệ", [])
        if confirm is not None and form.get("confirmed") != outcome:
            # Every check first, so the officer never confirms what would be refused.
            check_completion(version, config_of(version, task), outcome, data, note)
            return again(confirm=confirm)
        done = complete(user, task_id, outcome, data, now(), note)
    except (Invalid, Conflict) as exc:
        db.session.rollback()
        task = get_task(user, task_id)
        details = exc.details if isinstance(exc, Invalid) else []
        problems = parsed.merge(details) if parsed else list(details)
        if isinstance(exc, Conflict) or not problems:
            flash(exc.message, "error")
        return again(errors=errors_by_field(problems), status=exc.status)
    flash(_done_message(done), "success")
    issued = [d for d in done.documents if d.kind in PRINTABLE]
    if issued:
        return redirect(url_for("documents.document", code=done.dossier.code,
                                kind=issued[-1].kind, id=issued[-1].id))
    return redirect(url_for("web.worklist"))


def _done_message(done: Advance) -> str:
    task, dossier = done.completed, done.dossier
    assert task is not None
    moved = ", ".join(t.name for t in done.created) or STATUS_LABELS.get(dossier.status, "")
    if done.meaning is Meaning.BACK:
        return f"Đã trả lại hồ sơ {dossier.code} về bước \u201c{moved}\u201d."
    if done.meaning is Meaning.SUPPLEMENT:
        return (f"Đã yêu cầu bổ sung hồ sơ {dossier.code}: thời hạn giải quyết tạm dừng; "
                "đã phát hành Phiếu yêu cầu bổ sung.")
    return f"Đã hoàn thành \u201c{task.name}\u201d của hồ sơ {dossier.code} → {moved}."
