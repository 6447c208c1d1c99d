"""The designer's API: drafts (list, create, generate, read, save, check, publish) and the
versions of a procedure (list, BPMN file, retire). Thin: parse, call an operation, answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError

from motcua.api.bodies import json_body
from motcua.api.errors import may_answer
from motcua.design import generate as generation
from motcua.design import operations
from motcua.design.models import ProcessDraft
from motcua.design.schemas import (
    DraftCreateBody,
    DraftCreatedSchema,
    DraftCreateUpload,
    DraftPublishBody,
    DraftQuery,
    DraftSaveBody,
    DraftSchema,
    DraftSummarySchema,
    GenerateUpload,
    ProblemsSchema,
    PublishedSchema,
    SavedSchema,
    VersionRowSchema,
)
from motcua.errors import Invalid, field_error
from motcua.org.auth import current_user
from motcua.processes import operations as processes
from motcua.processes.models import ProcessVersion
from motcua.uploads import read_upload

blp = Blueprint("design", __name__, description="Thiết kế quy trình (bản nháp, công bố)")


def _json_or_files(json: type[Schema], files: type[Schema]) -> dict[str, Any]:
    """The document's request body of an endpoint that reads JSON or multipart by hand."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": json}, "multipart/form-data": {"schema": files}}}}


def _load(schema: Schema, body: Any) -> dict[str, Any]:
    """A body read by hand (the endpoint also takes multipart), refused as webargs would."""
    try:
        loaded: dict[str, Any] = schema.load(body if body is not None else {})
    except ValidationError as exc:
        abort(422, messages={"json": exc.messages})
    return loaded


@blp.route("/drafts")
@may_answer(404)
@blp.arguments(DraftQuery, location="query")
@blp.response(200, DraftSummarySchema(many=True))
def list_drafts(query: dict[str, Any]) -> list[ProcessDraft]:
    procedure = operations.procedure_for(current_user(), query["procedure"])
    return operations.drafts_of(procedure)


@blp.route("/drafts", methods=["POST"])
@may_answer(404)
@blp.doc(**_json_or_files(DraftCreateBody, DraftCreateUpload))
@blp.response(201, DraftCreatedSchema)
def create_draft() -> ProcessDraft:
    """JSON `{procedure, bpmn?, forms?}` or `{procedure, from_version}`, or multipart as
    `POST /processes` (`procedure`, `bpmn` file, `forms` files)."""
    user = current_user()
    operations.require_designer_role(user)
    if request.mimetype == "multipart/form-data":
        return _create_from_files(user)
    body = _load(DraftCreateBody(), json_body())
    procedure = operations.procedure_for(user, body["procedure"])
    if "from_version" in body:
        return operations.copy_version(procedure, body["from_version"], user)
    return operations.create(procedure, user, bpmn=body.get("bpmn"), forms=body.get("forms"),
                             origin="upload" if body.get("bpmn") else "blank")


def _create_from_files(user: Any) -> ProcessDraft:
    code = request.form.get("procedure", "").strip()
    if not code:
        raise field_error("procedure", "Bắt buộc")
    procedure = operations.procedure_for(user, code)
    if "bpmn" not in request.files:
        raise field_error("bpmn", "Bắt buộc")
    filename, bpmn = read_upload(request.files["bpmn"], "bpmn")
    form_files = [processes.FormFile(*read_upload(f, "forms"))
                  for f in request.files.getlist("forms")]
    forms, problems = processes.forms_from_files(form_files)
    if problems:
        raise Invalid("Không đọc được tệp biểu mẫu", [p.as_dict() for p in problems])
    return operations.create(procedure, user, bpmn=bpmn, forms=forms, filename=filename,
                             origin="upload")


@blp.route("/drafts/generate", methods=["POST"])
@may_answer(404)
@blp.doc(**_json_or_files(DraftQuery, GenerateUpload))
@blp.response(201, DraftCreatedSchema)
def generate_draft() -> ProcessDraft:
    """`{procedure}` from the imported decision's step table, or multipart `procedure` +
    `table` (DOCX, XLSX or CSV)."""
    user = current_user()
    operations.require_designer_role(user)
    if request.mimetype == "multipart/form-data":
        code = request.form.get("procedure", "").strip()
        table = request.files.get("table")
        if table is None and "table" in request.form:
            raise field_error("table", "Phải là tệp tải lên (DOCX, XLSX hoặc CSV)")
    else:
        code = _load(DraftQuery(), json_body())["procedure"]
        table = None
    if not code:
        raise field_error("procedure", "Bắt buộc")
    procedure = operations.procedure_for(user, code)
    upload = read_upload(table, "table") if table is not None else None
    return generation.generate_draft(procedure, user, upload)


@blp.route("/drafts/<int:draft_id>")
@blp.response(200, DraftSchema)
def show_draft(draft_id: int) -> ProcessDraft:
    return operations.get_draft_for(current_user(), draft_id)


@blp.route("/drafts/<int:draft_id>", methods=["PUT"])
@blp.arguments(DraftSaveBody)
@blp.response(200, SavedSchema)
def save_draft(body: dict[str, Any], draft_id: int) -> ProcessDraft:
    user = current_user()
    draft = operations.get_draft_for(user, draft_id)
    return operations.save(draft, body["revision"], user, bpmn=body.get("bpmn"),
                           forms=body.get("forms"))


@blp.route("/drafts/<int:draft_id>/check", methods=["POST"])
@blp.response(200, ProblemsSchema)
def check_draft(draft_id: int) -> dict[str, Any]:
    draft = operations.get_draft_for(current_user(), draft_id)
    return {"problems": [p.as_dict() for p in operations.check(draft)]}


@blp.route("/drafts/<int:draft_id>/publish", methods=["POST"])
@blp.arguments(DraftPublishBody)
@blp.response(201, PublishedSchema)
def publish_draft(body: dict[str, Any], draft_id: int) -> ProcessVersion:
    user = current_user()
    draft = operations.get_draft_for(user, draft_id)
    return operations.publish(draft, body.get("effective"), user)


@blp.route("/processes", methods=["GET"])
@may_answer(404)
@blp.arguments(DraftQuery, location="query")
@blp.response(200, VersionRowSchema(many=True))
def list_versions(query: dict[str, Any]) -> list[operations.VersionRow]:
    procedure = operations.procedure_for(current_user(), query["procedure"])
    return operations.versions(procedure)


@blp.route("/processes/<int:version_id>/bpmn")
@blp.doc(responses={"200": {"description": "Tệp BPMN 2.0 của phiên bản", "content": {
    "application/xml": {"schema": {"type": "string"}}}}})
def version_bpmn(version_id: int) -> Response:
    version = operations.version_for(current_user(), version_id)
    name = version.filename.rsplit("/", 1)[-1] or f"{version.procedure.code}.bpmn"
    # The plain name for old clients, the real one (Vietnamese, percent-encoded) for others.
    return Response(version.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{_ascii(name)}"; '
                               f"filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff"})


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                   for c in name)


@blp.route("/processes/<int:version_id>/retire", methods=["POST"])
@blp.response(200, VersionRowSchema)
def retire_version(version_id: int) -> operations.VersionRow:
    user = current_user()
    version = operations.retire(operations.version_for(user, version_id), user)
    return next(r for r in operations.versions(version.procedure) if r.version.id == version.id)
