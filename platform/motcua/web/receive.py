"""Receive a dossier at the desk: pick the procedure from the catalogue, enter the applicant,
the application e-form and the documents handed in, attach scans, then accept (receipt),
request a supplement or refuse: one operation (``tasks.reception.receive``), so a problem
anywhere keeps nothing."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from motcua.catalog.models import Procedure, ProcedureRevision
from motcua.catalog.operations import get_procedure, require_open, search_procedures
from motcua.clock import now
from motcua.db import db
from motcua.dossiers.applicant import checked_applicant
from motcua.dossiers.attachments import check_uploads
from motcua.errors import AppError, Forbidden, Invalid
from motcua.forms import errors_by_field, parse_form, render_form
from motcua.org.models import Agency, User
from motcua.org.operations import officers
from motcua.org.session import signed_in, web_user
from motcua.processes.checks import StepConfig
from motcua.processes.meanings import Meaning, find
from motcua.processes.operations import CompiledVersion, compiled, version_in_effect
from motcua.schema_errors import validate
from motcua.tasks.operations import check_completion
from motcua.tasks.reception import ReceptionStep
from motcua.tasks.reception import receive as receive_dossier
from motcua.web import bp
from motcua.web.dossier_pages import uploads_from_request
from motcua.web.task_pages import note_holds_reason

APPLICANT_FORM = {
    "type": "object", "required": ["name"],
    "properties": {
        "name": {"type": "string", "title": "Tổ chức, cá nhân nộp hồ sơ", "minLength": 1,
                 "maxLength": 255},
        "id_number": {"type": "string", "title": "Số định danh cá nhân / mã số doanh nghiệp",
                      "maxLength": 32},
        "phone": {"type": "string", "title": "Số điện thoại", "maxLength": 32},
        "email": {"type": "string", "format": "email", "title": "Thư điện tử", "maxLength": 255},
        "address": {"type": "string", "title": "Địa chỉ", "maxLength": 1000},
    },
}
# The papers handed in, as the platform records them and the receipt (Mẫu 01) prints them.
DOCUMENTS_FORM = {
    "type": "object",
    "properties": {
        "documents": {
            "type": "array", "title": "Giấy tờ đã nhận", "maxItems": 100,
            "items": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "title": "Tên giấy tờ", "maxLength": 300},
                "original": {"type": "integer", "title": "Bản chính", "minimum": 0,
                             "maximum": 99, "default": 1},
                "copy": {"type": "integer", "title": "Bản sao", "minimum": 0, "maximum": 99,
                         "default": 0}}}},
        "sets": {"type": "integer", "title": "Số bộ hồ sơ", "minimum": 1, "maximum": 99,
                 "default": 1},
    },
}
# The desk confirms a refusal before the applicant's papers are refused.
CONFIRM_MEANINGS = frozenset({Meaning.REFUSE})


def reception_step(version: CompiledVersion) -> StepConfig | None:
    """The desk's step done on this page: the one that issues the receipt, else the first
    step of the one-stop desk."""
    desk_steps = [s for s in version.steps.values() if s.role == "receiver" and s.unit == "@desk"]
    return next((s for s in desk_steps if s.document == "receipt"),
                desk_steps[0] if desk_steps else None)


def _desks(user: User) -> list[Agency]:
    ids = user.agencies_with("receiver")
    return list(db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.code)))


class ReceiveForm:
    """The page's parts, parsed from the post or started from the catalogue."""

    def __init__(self, procedure: Procedure, in_force: ProcedureRevision,
                 version: CompiledVersion) -> None:
        self.procedure = procedure
        # What the decision in force says of it today: name, time limit, fee, papers.
        self.in_force = in_force
        self.version = version
        papers = list(in_force.documents or [])
        self.step = reception_step(version)
        self.applicant: dict[str, Any] = {}
        self.documents: dict[str, Any] = {"documents": [
            {"name": d.get("name", ""), "original": int(d.get("original", 0) or 0),
             "copy": int(d.get("copy", 0) or 0)} for d in papers if isinstance(d, dict)],
            "sets": 1}
        self.data: dict[str, Any] | None = None
        self.step_data: dict[str, Any] | None = None
        self.note = ""
        self.raw: dict[str, str] = {}
        self.errors: dict[str, list[str]] = {}
        self.desk = ""
        self.channel = "direct"
        self.action = False

    @property
    def step_form(self) -> str | None:
        return self.step.form if self.step else None

    def parse(self, form: MultiDict[str, str]) -> None:
        self.desk = form.get("desk", "")
        self.channel = form.get("channel", "direct")
        self.note = form.get("note", "")
        parts = [("applicant", APPLICANT_FORM, None),
                 ("received", DOCUMENTS_FORM, None),
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
            # Every part is checked now, so one round shows every problem on the page (the
            # reception step's own checks are the operation's: see ``check``).
            found = validate(parsed.data or {}, schema, root=prefix) if prefix != "step" else []
            self._add_errors(parsed.merge(found))
            setattr(self, {"applicant": "applicant", "received": "documents", "data": "data",
                           "step": "step_data"}[prefix], parsed.data or {})
        # The applicant's own checks (blank names, e-mail, phone), as reception makes them.
        self._add_errors([p for p in checked_applicant(self.applicant)[1]
                          if p["field"] not in self.errors])

    def check(self, outcome: str | None) -> None:
        """The reception step's checks, as the operation will make them."""
        if self.step is None:
            return
        try:
            check_completion(self.version, self.step, outcome, self.step_data or {}, self.note)
        except Invalid as exc:
            self.fail(exc, rename="step")

    def _add_errors(self, problems: list[dict[str, str]], rename: str | None = None) -> None:
        for field, messages in errors_by_field(problems).items():
            field = field.removeprefix("reception.")
            if rename and field.startswith("data"):
                field = rename + field[len("data"):]
            self.errors.setdefault(field, []).extend(
                m for m in messages if m not in self.errors.get(field, []))

    def fail(self, exc: AppError, rename: str | None = None) -> None:
        if isinstance(exc, Invalid) and exc.details:
            self._add_errors(exc.details, rename)
        else:
            self.errors.setdefault("_form", []).append(exc.message)

    def body(self) -> dict[str, Any]:
        return {"procedure": self.procedure.code, "channel": self.channel,
                "desk": self.desk or None, "applicant": self.applicant,
                "data": self.data or {},
                "documents": list(self.documents.get("documents") or []),
                "sets": self.documents.get("sets")}


def _render(receive: ReceiveForm, user: User, status: int = 200,
            confirm: str | None = None) -> Any:
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

    outcomes = receive.step.outcomes if receive.step else []
    return render_template(
        "web/receive.html", procedure=receive.in_force, desks=desks, receive=receive,
        applicant_html=form_part("applicant", APPLICANT_FORM, None, receive.applicant),
        documents_html=form_part("received", DOCUMENTS_FORM, None, receive.documents),
        data_html=form_part("data", version.form_schema(version.start_form),
                            version.form_ui(version.start_form), receive.data),
        step_html=form_part("step", version.form_schema(receive.step_form),
                            version.form_ui(receive.step_form), receive.step_data),
        outcomes=outcomes, confirm=find(outcomes, confirm), danger=CONFIRM_MEANINGS,
        note_holds_reason=note_holds_reason(receive.step),
        errors=receive.errors,
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
    in_force = require_open(procedure, now())
    receive_form = ReceiveForm(procedure, in_force, compiled(version_in_effect(procedure).id))
    if request.method == "GET":
        return _render(receive_form, user)
    form: MultiDict[str, str] = request.form
    receive_form.parse(form)
    uploads = uploads_from_request()
    if receive_form.action or form.get("cancel_confirm"):
        return _render(receive_form, user)
    outcome = form.get("outcome") or None
    receive_form.check(outcome)
    try:
        check_uploads(uploads)
    except Invalid as exc:
        receive_form.fail(exc)
    if receive_form.errors:
        return _render(receive_form, user, 422)
    chosen = find(receive_form.step.outcomes, outcome) if receive_form.step else None
    if chosen is not None and chosen.meaning in CONFIRM_MEANINGS \
            and form.get("confirmed") != outcome:
        return _render(receive_form, user, confirm=outcome)
    try:
        done = receive_dossier(
            user, receive_form.body(), now(), uploads=uploads,
            step=ReceptionStep(outcome, receive_form.step_data or {}, receive_form.note)
            if receive_form.step else None)
    except AppError as exc:
        db.session.rollback()
        receive_form.fail(exc, rename="step")
        return _render(receive_form, user, exc.status if exc.status != 409 else 422)
    printable = [d for d in done.documents if d.kind != "result"]
    if printable:
        return redirect(url_for("documents.document", code=done.dossier.code,
                                kind=printable[-1].kind, id=printable[-1].id))
    return redirect(url_for("web.dossier_page", code=done.dossier.code))
