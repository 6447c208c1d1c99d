"""The dossier page (status, due, timeline, tasks, attachments, documents) and what can be
done from it: attach scans, apologise with a new appointment, stop processing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import TZ
from motcua.clock import now
from motcua.db import db
from motcua.dossiers.attachments import (
    Upload,
    attachment_path,
    detected_type,
    download_name,
    save_attachments,
)
from motcua.dossiers.models import FINISHED, Attachment, AttachmentKind, Dossier, IssuedDocument
from motcua.dossiers.operations import (
    extend_due,
    get_dossier,
    history,
    may_extend,
    stop_dossier,
)
from motcua.errors import Forbidden, Invalid, NotFound
from motcua.history.models import EventAction, HistoryEvent
from motcua.org.models import User
from motcua.org.session import signed_in, web_user
from motcua.processes.operations import CompiledVersion, compiled
from motcua.tasks.models import Task
from motcua.web import bp


def attachments_of(dossier: Dossier) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier.id)
                                   .order_by(Attachment.id)))


def dossier_documents(dossier: Dossier) -> list[IssuedDocument]:
    return list(db.session.scalars(select(IssuedDocument).where(
        IssuedDocument.dossier_id == dossier.id).order_by(IssuedDocument.id)))


@dataclass(frozen=True)
class TimelineEntry:
    """One history event, with the step's entries when it completed a step: what the
    officer submitted, shown under the form's own titles."""

    event: HistoryEvent
    task: Task | None
    schema: dict[str, Any] | None
    # The task's data as shown: the officer a step assigned named as people read names.
    data: dict[str, Any] | None = None


def timeline(dossier: Dossier, version: CompiledVersion) -> list[TimelineEntry]:
    tasks = {t.id: t for t in dossier.tasks}
    completed = [(event, tasks.get(event.task_id) if event.action == EventAction.COMPLETED
                  and event.task_id is not None else None) for event in history(dossier)]
    assigned = {task.id: field for _, task in completed if task is not None
                for field in [_assignee_field(version, task)] if field}
    names = _full_names({str(value) for i, f in assigned.items()
                         if (value := (tasks[i].data or {}).get(f))})
    entries = []
    for event, task in completed:
        data = task.data if task else None
        field = assigned.get(task.id) if task else None
        if data and field and str(data.get(field)) in names:
            username = str(data[field])
            data = {**data, field: f"{names[username]} ({username})"}
        entries.append(TimelineEntry(event, task,
                                     version.form_schema(task.form_key) if task else None,
                                     data))
    return entries


def _assignee_field(version: CompiledVersion, task: Task) -> str | None:
    step = version.step(task.element_id)
    return step.assignee_field if step else None


def _full_names(usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    return dict(db.session.execute(
        select(User.username, User.full_name).where(User.username.in_(usernames))).all())


def dossier_panels(dossier: Dossier, version: CompiledVersion) -> dict[str, Any]:
    """What the dossier and task pages show beside the work: the application, attachments,
    documents and the timeline with every step's entries."""
    return {"start_schema": version.form_schema(version.start_form),
            "attachments": attachments_of(dossier), "documents": dossier_documents(dossier),
            "entries": timeline(dossier, version)}


def _may_attach(user: User, dossier: Dossier) -> bool:
    return dossier.desk_id in user.agencies_with("receiver") or may_extend(user, dossier)


def _may_stop(user: User, dossier: Dossier) -> bool:
    return (dossier.agency_id in user.agencies_with("leader", "admin")
            or dossier.desk_id in user.agencies_with("receiver"))


def _dossier_view(dossier: Dossier, errors: dict[str, str] | None = None,
                  form: dict[str, str] | None = None, status: int = 200) -> Any:
    user = web_user()
    version = compiled(dossier.process_version_id)
    open_ = dossier.status not in FINISHED
    return render_template(
        "web/dossier.html", dossier=dossier, tasks=dossier.tasks, now=now(),
        **dossier_panels(dossier, version),
        can_attach=open_ and _may_attach(user, dossier),
        can_extend=open_ and dossier.status != "done" and dossier.due_at is not None
        and may_extend(user, dossier),
        can_stop=open_ and _may_stop(user, dossier), errors=errors or {}, form=form or {},
        timing_of=_timing,
    ), status


def _timing(task: Task) -> str | None:
    """Early / on time / late for a completed step, as the control slip judges it."""
    if task.completed_at is None:
        return None
    return load_calendar().timing(task.due_at, task.completed_at)


@bp.route("/dossiers/<code>/attachments/<int:attachment_id>")
@signed_in
def attachment(code: str, attachment_id: int) -> Any:
    dossier = get_dossier(web_user(), code)
    row = db.session.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                     Attachment.dossier_id == dossier.id))
    if row is None:
        raise NotFound("Không có tệp đính kèm này")
    path = attachment_path(row)
    if not path.is_file():
        raise NotFound("Tệp đính kèm không còn trong kho lưu trữ")
    # The name's extension and the type sent are those of the stored bytes, never the
    # uploaded name's: a desktop opens the file with what its extension says.
    mime = detected_type(path)
    response = send_file(path, mimetype=mime or "application/octet-stream", as_attachment=True,
                         download_name=download_name(row.filename, mime), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def uploads_from_request(field: str = "attachments") -> list[Upload]:
    return [Upload(f.filename or "", f.read()) for f in request.files.getlist(field)
            if f and f.filename]


@bp.route("/dossiers/<code>/attachments", methods=["POST"])
@signed_in
def attach(code: str) -> Any:
    user = web_user()
    dossier = get_dossier(user, code)
    if dossier.status in FINISHED or not _may_attach(user, dossier):
        raise Forbidden("Bạn không được đính kèm tệp vào hồ sơ này")
    uploads = uploads_from_request()
    kind = request.form.get("kind", AttachmentKind.DOSSIER.value)
    if kind not in {k.value for k in AttachmentKind}:
        return _dossier_view(dossier, {"kind": "Chọn loại tệp: thành phần hồ sơ hoặc kết quả"},
                             status=422)
    try:
        if not uploads:
            raise Invalid("Chọn tệp", [{"field": "attachments", "message": "Chọn ít nhất một tệp"}])
        rows, _written = save_attachments(dossier, uploads, user, now(), AttachmentKind(kind))
    except Invalid as exc:
        return _dossier_view(dossier, {"attachments": "; ".join(
            d["message"] for d in exc.details) or exc.message}, {"kind": kind}, status=422)
    flash(f"Đã đính kèm {len(rows)} tệp.", "success")
    return redirect(url_for("web.dossier_page", code=dossier.code) + "#attachments")


def _local_datetime(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=TZ)


@bp.route("/dossiers/<code>/apology", methods=["POST"])
@signed_in
def apology(code: str) -> Any:
    user = web_user()
    form = {"reason": request.form.get("reason", ""), "new_due": request.form.get("new_due", "")}
    try:
        dossier = extend_due(user, code, form["reason"], _local_datetime(form["new_due"]), now())
    except Invalid as exc:
        db.session.rollback()
        errors = {d["field"]: d["message"] for d in exc.details}
        return _dossier_view(get_dossier(user, code), errors, form, status=422)
    flash("Đã ghi nhận lý do chậm trễ và ngày hẹn trả mới; đã phát hành văn bản xin lỗi.",
          "success")
    return redirect(url_for("documents.document", code=dossier.code, kind="apology"))


@bp.route("/dossiers/<code>/stop", methods=["POST"])
@signed_in
def stop(code: str) -> Any:
    user = web_user()
    reason = request.form.get("stop_reason", "")
    try:
        dossier = stop_dossier(user, code, reason, now())
    except Invalid as exc:
        db.session.rollback()
        return _dossier_view(get_dossier(user, code), {"stop_reason": exc.message},
                             {"stop_reason": reason}, status=422)
    flash("Đã dừng giải quyết hồ sơ và phát hành thông báo.", "success")
    return redirect(url_for("documents.document", code=dossier.code, kind="stop"))


@bp.route("/dossiers/<code>")
@signed_in
def dossier_page(code: str) -> Any:
    return _dossier_view(get_dossier(web_user(), code))
