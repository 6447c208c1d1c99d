"""Receive a dossier at the desk: pick the procedure from the catalogue, enter the applicant,
the application e-form and the documents handed in, attach scans, then accept (receipt),
request a supplement or refuse: one transaction, so a problem anywhere keeps nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from motcua.catalog.models import Procedure
from motcua.catalog.operations import get_procedure, require_open, search_procedures
from motcua.clock import now
from motcua.db import db
from motcua.documents.fields import (
    COPY_KEYS,
    COUNT_KEYS,
    KIND_KEYS,
    NAME_KEYS,
    ORIGINAL_KEYS,
    RECEIVED_LISTS,
    lines_of,
)
from motcua.dossiers.attachments import Upload, check_uploads, discard, save_attachments
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.dossiers.operations import create_dossier
from motcua.errors import AppError, Forbidden, Invalid
from motcua.forms import errors_by_field, parse_form, render_form
from motcua.org.models import Agency, User
from motcua.org.operations import officers
from motcua.processes.operations import CompiledVersion, compiled, version_in_effect
from motcua.schema_errors import validate
from motcua.tasks.models import OPEN_STATES, Task
from motcua.tasks.operations import claim, complete
from motcua.web import bp
from motcua.web.dossier_pages import uploads_from_request
from motcua.web.session import signed_in, web_user

APPLICANT_FORM = {
    "type": "object", "required": ["name"],
    "properties": {
        "name": {"type": "string", "title": "Tổ chức, cá nhân nộp hồ sơ", "maxLength": 255},
        "id_number": {"type": "string", "title": "Số định danh cá nhân / mã số doanh nghiệp",
                      "maxLength": 32},
        "phone": {"type": "string", "title": "Số điện thoại", "maxLength": 32},
        "email": {"type": "string", "format": "email", "title": "Thư điện tử", "maxLength": 255},
        "address": {"type": "string", "title": "Địa chỉ", "maxLength": 1000},
    },
}
DOCUMENTS_FORM = {
    "type": "object",
    "properties": {"documents": {
        "type": "array", "title": "Giấy tờ đã nhận", "maxItems": 100,
        "items": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "title": "Tên giấy tờ", "maxLength": 300},
            "original": {"type": "integer", "title": "Bản chính", "minimum": 0, "maximum": 99,
                         "default": 1},
            "copy": {"type": "integer", "title": "Bản sao", "minimum": 0, "maximum": 99,
                     "default": 0}}}}},
}
CONFIRM_OUTCOMES = frozenset({"refuse", "reject"})


def _reception_step(version: CompiledVersion) -> dict[str, Any] | None:
    """The desk step that issues the receipt, done on this page."""
    for step in version.steps.values():
        if step.get("document") == "receipt" and step.get("role") == "receiver":
            return dict(step)
    return None


def _first(keys: tuple[str, ...], present: dict[str, Any]) -> str | None:
    return next((k for k in keys if k in present), None)


def _papers_field(schema: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """The reception form's own list of papers handed in (``thanh_phan`` of {ten, ...}), if
    it has one: the page then asks for the papers once, in that list."""
    for key in RECEIVED_LISTS:
        spec = ((schema or {}).get("properties") or {}).get(key) or {}
        items = spec.get("items") or {}
        props = items.get("properties") or {}
        if spec.get("type") == "array" and _first(NAME_KEYS, props):
            return key, props
    return None


def _paper_row(props: dict[str, Any], paper: dict[str, Any]) -> dict[str, Any]:
    """A catalogue paper {name, original, copy} in the reception form's own row shape."""
    original, copy = int(paper.get("original") or 0), int(paper.get("copy") or 0)
    row: dict[str, Any] = {str(_first(NAME_KEYS, props)): paper.get("name", "")}
    if key := _first(ORIGINAL_KEYS, props):
        row[key] = original
    if key := _first(COPY_KEYS, props):
        row[key] = copy
    kind_key, count_key = _first(KIND_KEYS, props), _first(COUNT_KEYS, props)
    if kind_key and count_key:
        wanted = "Bản chính" if original else "Bản sao"
        kind = next((e for e in props[kind_key].get("enum", []) if str(e).startswith(wanted)),
                    None)
        if kind is not None:
            row[kind_key], row[count_key] = kind, original or copy or 1
    return row


def _desks(user: User) -> list[Agency]:
    ids = user.agencies_with("receiver")
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.code)))


class ReceiveForm:
    """The page's parts, parsed from the post or started from the catalogue."""

    def __init__(self, procedure: Procedure, version: CompiledVersion) -> None:
        self.procedure = procedure
        self.version = version
        self.step = _reception_step(version)
        self.applicant: dict[str, Any] = {}
        papers = [d for d in procedure.documents or [] if isinstance(d, dict)]
        self.documents: dict[str, Any] = {"documents": [
            {"name": d.get("name", ""), "original": int(d.get("original", 0) or 0),
             "copy": int(d.get("copy", 0) or 0)} for d in papers]}
        self.data: dict[str, Any] | None = None
        self.step_data: dict[str, Any] | None = None
        self.papers_field = _papers_field(version.form_schema(self.step_form))
        if self.papers_field:
            key, props = self.papers_field
            self.step_data = {key: [_paper_row(props, d) for d in papers]}
        self.raw: dict[str, str] = {}
        self.errors: dict[str, list[str]] = {}
        self.desk = ""
        self.channel = "direct"
        self.action = False

    @property
    def step_form(self) -> str | None:
        return self.step.get("form") if self.step else None

    def parse(self, form: MultiDict[str, str]) -> None:
        self.desk = form.get("desk", "")
        self.channel = form.get("channel", "direct")
        parts = [("applicant", APPLICANT_FORM, None),
                 ("received", None if self.papers_field else DOCUMENTS_FORM, None),
                 ("data", self.version.form_schema(self.version.start_form),
                  self.version.form_ui(self.version.start_form)),
                 ("step", self.version.form_schema(self.step_form),
                  self.version.form_ui(self.step_form))]
        for prefix, schema, ui in parts:
            if schema is None:
                continue
            parsed = parse_form(schema, ui, form, prefix=prefix)
            self.raw.update(parsed.raw)
            self.action = self.action or parsed.action is not None
            # Every part is checked now, so one round shows every problem on the page.
            self._add_errors(parsed.merge(validate(parsed.data or {}, schema, root=prefix)))
            setattr(self, {"applicant": "applicant", "received": "documents", "data": "data",
                           "step": "step_data"}[prefix], parsed.data or {})

    def _add_errors(self, problems: list[dict[str, str]], rename: str | None = None) -> None:
        for field, messages in errors_by_field(problems).items():
            if rename and field.startswith("data"):
                field = rename + field[len("data"):]
            self.errors.setdefault(field, []).extend(messages)

    def fail(self, exc: AppError, rename: str | None = None) -> None:
        if isinstance(exc, Invalid) and exc.details:
            self._add_errors(exc.details, rename)
        else:
            self.errors.setdefault("_form", []).append(exc.message)

    def received_documents(self) -> list[dict[str, Any]]:
        if self.papers_field is None:
            return list(self.documents.get("documents", []))
        rows = (self.step_data or {}).get(self.papers_field[0]) or []
        return [{"name": line.name, "original": line.original or 0, "copy": line.copy or 0}
                for line in lines_of(rows)]

    def body(self) -> dict[str, Any]:
        return {"procedure": self.procedure.code, "channel": self.channel,
                "desk": self.desk or None, "applicant": self.applicant,
                "data": self.data or {}, "documents": self.received_documents()}


def _render(receive: ReceiveForm, user: User, status: int = 200, confirm: str | None = None
            ) -> Any:
    version = receive.version
    desks = _desks(user)

    def officer_choices(role: str) -> list[tuple[str, str]]:
        return officers(role, [d.id for d in desks])

    def form_part(prefix: str, schema: Any, ui: Any, values: Any) -> Any:
        if schema is None:
            return None
        errors = {k: v for k, v in receive.errors.items() if k.startswith(prefix)}
        return render_form(schema, ui, values, errors, prefix=prefix, officers=officer_choices,
                           raw=receive.raw)

    outcomes = receive.step.get("outcomes", []) if receive.step else []
    return render_template(
        "web/receive.html", procedure=receive.procedure, desks=desks, receive=receive,
        applicant_html=form_part("applicant", APPLICANT_FORM, None, receive.applicant),
        documents_html=None if receive.papers_field else form_part(
            "received", DOCUMENTS_FORM, None, receive.documents),
        data_html=form_part("data", version.form_schema(version.start_form),
                            version.form_ui(version.start_form), receive.data),
        step_html=form_part("step", version.form_schema(receive.step_form),
                            version.form_ui(receive.step_form), receive.step_data),
        outcomes=outcomes, confirm=confirm,
        confirm_label=dict((k, v) for k, v in outcomes).get(confirm or "", ""),
        form_errors=receive.errors.get("_form", []) + [
            f"{k}: {'; '.join(v)}" for k, v in receive.errors.items()
            if k in ("desk", "procedure", "channel", "attachments", "outcome")
            or k.startswith("attachments[")],
    ), status


@bp.route("/dossiers/new", methods=["GET", "POST"])
@signed_in
def receive() -> Any:
    user = web_user()
    if not user.has_role("receiver"):
        raise Forbidden("Chỉ cán bộ Bộ phận Một cửa được tiếp nhận hồ sơ")
    code = request.values.get("procedure", "").strip()
    if not code:
        query = request.args.get("q", "")
        return render_template("web/receive_pick.html", q=query,
                               procedures=search_procedures(query))
    procedure = get_procedure(code)
    require_open(procedure)
    receive_form = ReceiveForm(procedure, compiled(version_in_effect(procedure).id))
    if request.method == "GET":
        return _render(receive_form, user)
    form: MultiDict[str, str] = request.form
    receive_form.parse(form)
    uploads = uploads_from_request()
    if receive_form.action or form.get("cancel_confirm"):
        return _render(receive_form, user)
    try:
        check_uploads(uploads)
    except Invalid as exc:
        receive_form.fail(exc)
    if receive_form.errors:
        return _render(receive_form, user, 422)
    outcome = form.get("outcome") or None
    if outcome in CONFIRM_OUTCOMES and form.get("confirmed") != outcome:
        return _render(receive_form, user, confirm=outcome)
    return _create(receive_form, user, uploads, outcome)


def _create(receive: ReceiveForm, user: User, uploads: list[Upload], outcome: str | None) -> Any:
    at = now()
    written: list[Path] = []
    stage = None
    try:
        dossier = create_dossier(user, receive.body(), at)
        _rows, written = save_attachments(dossier, uploads, user, at)
        stage = "step"
        task = _reception_task(dossier, receive, user)
        if task is not None:
            claim(user, task.id, at)
            complete(user, task.id, outcome, receive.step_data or {}, at)
    except AppError as exc:
        db.session.rollback()
        discard(written)
        receive.fail(exc, rename=stage)
        return _render(receive, user, exc.status if exc.status != 409 else 422)
    issued = db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.dossier_id == dossier.id)
        .order_by(IssuedDocument.id.desc()).limit(1))
    if issued is not None:
        return redirect(url_for("documents.document", code=dossier.code, kind=issued.kind))
    return redirect(url_for("web.dossier_page", code=dossier.code))


def _reception_task(dossier: Dossier, receive: ReceiveForm, user: User) -> Task | None:
    if receive.step is None:
        return None
    return db.session.scalar(select(Task).where(
        Task.dossier_id == dossier.id, Task.element_id == receive.step["element_id"],
        Task.state.in_(OPEN_STATES), Task.unit_id.in_(user.agencies_with("receiver"))))
