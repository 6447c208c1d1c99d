"""The form designer's API (beside the contract's drafts): compile rows, draw a preview,
read a schema back into rows, and the draft's forms (list, add, save, rename, delete).

Rows are read by hand (``rows.parse_form_rows``), so a wrong shape deep in a group is a 422
naming its field (``rows[1].rows[0].max_length``); every change names the draft's revision."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from motcua.api.bodies import json_body
from motcua.design import operations as drafts
from motcua.design.formdesign import operations
from motcua.design.formdesign.compile import compile_form
from motcua.design.formdesign.patterns import READY_PATTERNS
from motcua.design.formdesign.problems import assign_keys, row_problems
from motcua.design.formdesign.readback import readback
from motcua.design.formdesign.rows import TYPES, form_json, parse_form_rows
from motcua.errors import field_error
from motcua.org.auth import current_user

formdesign_blp = Blueprint("formdesign", __name__,
                           description="Thiết kế biểu mẫu điện tử của bản nháp")

MAX_POSTED = 5000
# The largest form of the library holds some 200 values; 500 rows with every setting 7,500.
MAX_VALUES = 20000
REVISION = fields.Integer(required=True, strict=True,
                          validate=validate.Range(min=1, max=2**31 - 1))


class FormTitleBody(Schema):
    """A new form's title, or a form's new title (its key never changes)."""

    revision = REVISION
    title = fields.String(required=True, validate=validate.Length(max=200))


class FormSaveBody(Schema):
    revision = REVISION
    schema = fields.Dict(required=True)
    ui = fields.Dict(load_default=None, allow_none=True)


class RevisionBody(Schema):
    revision = REVISION


# Bodies read by hand (rows.parse_form_rows names every wrong field), described here for the
# API document only.
class RowDoc(Schema):
    key = fields.String(metadata={"description": "để trống: tạo từ tiêu đề (trường chưa lưu)"})
    title = fields.String()
    type = fields.String(validate=validate.OneOf(list(TYPES)))
    required = fields.Boolean()
    help = fields.String()
    placeholder = fields.String()
    min_length = fields.Integer(allow_none=True)
    max_length = fields.Integer(allow_none=True)
    minimum = fields.Float(allow_none=True)
    maximum = fields.Float(allow_none=True)
    min_rows = fields.Integer(allow_none=True)
    max_rows = fields.Integer(allow_none=True)
    options = fields.List(fields.Dict(), metadata={"description": "[{label, value}]"})
    pattern = fields.String(validate=validate.OneOf(["", *READY_PATTERNS]))
    role = fields.String()
    rows = fields.List(fields.Dict(), metadata={"description": "các trường của nhóm"})
    locked = fields.Boolean(metadata={"description": "đã lưu: khóa không đổi"})
    help_in_ui = fields.Boolean()
    default = fields.Raw(allow_none=True, metadata={"description": "chuỗi, số hoặc true/false"})
    advanced = fields.Dict(metadata={"description": "{schema, ui} giữ nguyên khi lưu"})


class CompileDoc(Schema):
    key = fields.String()
    title = fields.String()
    description = fields.String()
    rows = fields.List(fields.Nested(RowDoc), required=True)
    advanced = fields.Dict()
    verbatim = fields.Boolean()


class PreviewDoc(Schema):
    key = fields.String()
    schema = fields.Dict(required=True)
    ui = fields.Dict()
    data = fields.Raw()
    form = fields.List(fields.List(fields.String()),
                       metadata={"description": "[[tên ô, giá trị], ...] như trình duyệt gửi"})
    check = fields.Boolean()


class ReadbackDoc(Schema):
    key = fields.String()
    schema = fields.Dict(required=True)
    ui = fields.Dict()


# The answers, for the document only (each view builds its own dict).
_PROBLEMS = fields.List(fields.Dict(), metadata={
    "description": "[{severity, message, field?, element_id?, ...}]"})


class FormRowsDoc(Schema):
    title = fields.String()
    description = fields.String()
    rows = fields.List(fields.Dict())
    advanced = fields.Dict(metadata={"description": "{schema, ui}"})
    verbatim = fields.Boolean()


class ReadbackAnswerDoc(FormRowsDoc):
    problems = _PROBLEMS


class CompiledDoc(Schema):
    schema = fields.Dict()
    ui = fields.Dict()
    rows = fields.List(fields.Dict())
    text = fields.String()
    problems = _PROBLEMS


class PreviewAnswerDoc(Schema):
    html = fields.String()
    data = fields.Raw(allow_none=True)
    errors = fields.List(fields.Dict(), metadata={"description": "[{field, message}]"})
    checked = fields.Boolean()
    problems = _PROBLEMS


class StepRefDoc(Schema):
    element_id = fields.String()
    name = fields.String(allow_none=True)


class FormSummaryDoc(Schema):
    key = fields.String()
    title = fields.String()
    fields_ = fields.Integer(data_key="fields")
    steps = fields.List(fields.Nested(StepRefDoc))


class DraftFormsDoc(Schema):
    revision = fields.Integer()
    published = fields.Boolean()
    forms = fields.List(fields.Nested(FormSummaryDoc))


class DraftFormDoc(Schema):
    key = fields.String()
    revision = fields.Integer()
    schema = fields.Dict()
    ui = fields.Dict()
    form = fields.Nested(FormRowsDoc)


class FormSavedDoc(Schema):
    revision = fields.Integer()
    problems = _PROBLEMS


class FormCreatedDoc(FormSavedDoc):
    key = fields.String()


def _values(value: Any) -> Iterator[Any]:
    """Every value inside ``value``, walked without recursion: a body may be as deep as the
    parser follows."""
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@formdesign_blp.before_request
def _refuse_bodies_too_large() -> None:
    """A body too large to draw in a moment is a 422 (20,000 fields took seconds); the API's
    own guard has already refused one nested too deep or holding what no database stores."""
    if not request.is_json:
        return
    for count, _ in enumerate(_values(json_body()), start=1):
        if count > MAX_VALUES:
            raise field_error("_body", f"Nội dung quá lớn: tối đa {MAX_VALUES} giá trị JSON")


def _body_doc(schema: type[Schema]) -> dict[str, Any]:
    return {"requestBody": {"required": True,
                            "content": {"application/json": {"schema": schema}}}}


def _draft(draft_id: int) -> Any:
    return drafts.get_draft_for(current_user(), draft_id)


def _object(body: Mapping[str, Any], name: str, *, required: bool) -> dict[str, Any]:
    value = body.get(name)
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise field_error(name, "Phải là một đối tượng JSON" if value is not None
                          else "Bắt buộc")
    return dict(value)


def _body() -> Mapping[str, Any]:
    body = json_body()
    if not isinstance(body, Mapping):
        raise field_error("_body", "Nội dung phải là một đối tượng JSON")
    return body


def _key(body: Mapping[str, Any]) -> str:
    key = body.get("key", "form")
    return key if isinstance(key, str) and key else "form"


@formdesign_blp.route("/drafts/<int:draft_id>/forms/compile", methods=["POST"])
@formdesign_blp.doc(**_body_doc(CompileDoc))
@formdesign_blp.alt_response(200, schema=CompiledDoc, success=True)
def compile_rows(draft_id: int) -> dict[str, Any]:
    """`{title, description, rows, advanced?, key?}` → `{schema, ui, rows, text, problems}`:
    rows never saved get their keys; `text` is the pair as JSON in the rows' order; problems
    are the rows' and those of the draft's check."""
    _draft(draft_id)
    body = _body()
    form = parse_form_rows(body)
    assign_keys(form.rows)
    schema, ui = compile_form(form)
    problems = row_problems(form.rows) + operations.check_form(_key(body), schema, ui)
    # The pair as the JSON view shows it, fields in the rows' order (the answer's own JSON
    # has its keys sorted).
    text = json.dumps({"schema": schema, "ui": ui}, ensure_ascii=False, indent=2)
    return {"schema": schema, "ui": ui, "rows": form_json(form)["rows"], "text": text,
            "problems": problems}


def _posted(value: Any) -> MultiDict[str, str]:
    """The preview's inputs as ``[[name, value], ...]``, as a browser posts them."""
    if not isinstance(value, list) or len(value) > MAX_POSTED or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
            for p in value):
        raise field_error("form", "Phải là danh sách các cặp [tên, giá trị] (chuỗi)")
    return MultiDict([(name, text) for name, text in value])


@formdesign_blp.route("/drafts/<int:draft_id>/forms/preview", methods=["POST"])
@formdesign_blp.doc(**_body_doc(PreviewDoc))
@formdesign_blp.alt_response(200, schema=PreviewAnswerDoc, success=True)
def preview(draft_id: int) -> dict[str, Any]:
    """`{schema, ui?, data? | form?, check?}` → `{html, data, errors, checked, problems}`:
    the form drawn by the officers' renderer with the sample data; with `check`, the data
    validated (`errors`: `{field, message}` by input name) unless the schema has errors
    (`checked` false)."""
    draft = _draft(draft_id)
    body = _body()
    schema = _object(body, "schema", required=True)
    ui = _object(body, "ui", required=False)
    check = body.get("check", False)
    if not isinstance(check, bool):
        raise field_error("check", "Phải là true hoặc false")
    problems = operations.check_form(_key(body), schema, ui)
    valid = not any(p.get("severity") == "error" for p in problems)
    posted = _posted(body["form"]) if body.get("form") is not None else None
    # Each value of the sample data is drawn: 20,000 rows took a worker for seconds.
    if sum(1 for _ in islice(_values(body.get("data")), MAX_POSTED + 1)) > MAX_POSTED:
        raise field_error("data", f"Dữ liệu mẫu tối đa {MAX_POSTED} giá trị")
    shown = operations.preview(draft, schema, ui, data=body.get("data"), posted=posted,
                               check=check and valid)
    return {"html": str(shown.html), "data": shown.data, "errors": shown.errors,
            "checked": check and valid, "problems": problems}


@formdesign_blp.route("/forms/readback", methods=["POST"])
@formdesign_blp.doc(**_body_doc(ReadbackDoc))
@formdesign_blp.alt_response(200, schema=ReadbackAnswerDoc, success=True)
def read_back() -> dict[str, Any]:
    """`{schema, ui?}` → `{title, description, rows, advanced, verbatim, problems}`."""
    drafts.require_designer_role(current_user())
    body = _body()
    schema = _object(body, "schema", required=True)
    ui = _object(body, "ui", required=False)
    answer = form_json(readback(schema, ui))
    answer["problems"] = operations.check_form(_key(body), schema, ui)
    return answer


@formdesign_blp.route("/drafts/<int:draft_id>/forms", methods=["GET"])
@formdesign_blp.alt_response(200, schema=DraftFormsDoc, success=True)
def list_forms(draft_id: int) -> dict[str, Any]:
    """`{revision, forms: [{key, title, fields, steps: [{element_id, name}]}]}`."""
    draft = _draft(draft_id)
    return {"revision": draft.revision, "published": draft.is_published, "forms": [
        {"key": f.key, "title": f.title, "fields": f.fields,
         "steps": [{"element_id": s.element_id, "name": s.name} for s in f.steps]}
        for f in operations.overview(draft)]}


def _saved(draft: Any, **extra: Any) -> dict[str, Any]:
    return {"revision": draft.revision, "problems": draft.problems or [], **extra}


@formdesign_blp.route("/drafts/<int:draft_id>/forms", methods=["POST"])
@formdesign_blp.arguments(FormTitleBody)
@formdesign_blp.response(201)
@formdesign_blp.alt_response(201, schema=FormCreatedDoc, success=True)
def create_form(body: dict[str, Any], draft_id: int) -> dict[str, Any]:
    """`{revision, title}` → 201 `{key, revision, problems}`."""
    user = current_user()
    draft, key = operations.create_form(_draft(draft_id), body["revision"], user,
                                        body["title"])
    return _saved(draft, key=key)


@formdesign_blp.route("/drafts/<int:draft_id>/forms/<key>", methods=["GET"])
@formdesign_blp.alt_response(200, schema=DraftFormDoc, success=True)
def show_form(draft_id: int, key: str) -> dict[str, Any]:
    """`{key, revision, schema, ui, form: rows as readback gives them}`."""
    draft = _draft(draft_id)
    form = operations.form_of(draft, key)
    return {"key": key, "revision": draft.revision, **form,
            "form": form_json(readback(form["schema"], form["ui"]))}


@formdesign_blp.route("/drafts/<int:draft_id>/forms/<key>", methods=["PUT"])
@formdesign_blp.alt_response(200, schema=FormSavedDoc, success=True)
@formdesign_blp.arguments(FormSaveBody)
def save_form(body: dict[str, Any], draft_id: int, key: str) -> dict[str, Any]:
    """`{revision, schema, ui?}` → `{revision, problems}`; 409 if the draft was saved since."""
    draft = operations.save_form(_draft(draft_id), body["revision"], current_user(), key,
                                 body["schema"], body.get("ui"))
    return _saved(draft)


@formdesign_blp.route("/drafts/<int:draft_id>/forms/<key>", methods=["PATCH"])
@formdesign_blp.alt_response(200, schema=FormSavedDoc, success=True)
@formdesign_blp.arguments(FormTitleBody)
def rename_form(body: dict[str, Any], draft_id: int, key: str) -> dict[str, Any]:
    """`{revision, title}` → `{revision, problems}`: the title changes, never the key."""
    draft = operations.rename_form(_draft(draft_id), body["revision"], current_user(), key,
                                   body["title"])
    return _saved(draft)


@formdesign_blp.route("/drafts/<int:draft_id>/forms/<key>", methods=["DELETE"])
@formdesign_blp.alt_response(200, schema=FormSavedDoc, success=True)
@formdesign_blp.arguments(RevisionBody)
def delete_form(body: dict[str, Any], draft_id: int, key: str) -> dict[str, Any]:
    """`{revision}` → `{revision, problems}`; 422 naming the steps that still use it."""
    draft = operations.delete_form(_draft(draft_id), body["revision"], current_user(), key)
    return _saved(draft)

