"""Bodies and answers of the designer's API (contract: api.md, "Designing processes")."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from motcua.api.fields import Day, LocalDateTime
from motcua.design.models import ProcessDraft


def _problems(draft: ProcessDraft) -> list[dict[str, Any]]:
    return draft.problems or []


class DraftQuery(Schema):
    procedure = fields.String(required=True)


class DraftCreateBody(Schema):
    procedure = fields.String(required=True)
    bpmn = fields.String()
    forms = fields.Dict(keys=fields.String(), values=fields.Raw())
    from_version = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class DraftCreateFiles(Schema):
    bpmn = fields.Raw(metadata={"type": "string", "format": "binary"})
    forms = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}))


class GenerateForm(Schema):
    procedure = fields.String(required=True)


class GenerateFiles(Schema):
    table = fields.Raw(metadata={"type": "string", "format": "binary"})


class DraftCreateUpload(DraftCreateFiles):
    """``POST /drafts`` as multipart/form-data (described for the API document)."""

    procedure = fields.String(required=True)


class GenerateUpload(GenerateFiles):
    """``POST /drafts/generate`` as multipart/form-data (described for the API document)."""

    procedure = fields.String(required=True)


class DraftSaveBody(Schema):
    revision = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=2**31 - 1))
    bpmn = fields.String()
    forms = fields.Dict(keys=fields.String(), values=fields.Raw())


class DraftPublishBody(Schema):
    effective = Day()


class DraftSummarySchema(Schema):
    id = fields.Integer()
    procedure = fields.Function(lambda d: d.procedure.code)
    revision = fields.Integer()
    updated_at = LocalDateTime()
    updated_by = fields.Function(lambda d: d.updated_by.username if d.updated_by else None)
    published_version = fields.Function(
        lambda d: d.published_version.version if d.published_version else None)


class DraftCreatedSchema(Schema):
    id = fields.Integer()
    procedure = fields.Function(lambda d: d.procedure.code)
    revision = fields.Integer()
    problems = fields.Function(_problems)


class DraftSchema(DraftCreatedSchema):
    bpmn = fields.String(attribute="bpmn_xml")
    forms = fields.Dict()


class SavedSchema(Schema):
    revision = fields.Integer()
    problems = fields.Function(_problems)


class ProblemsSchema(Schema):
    problems = fields.List(fields.Dict())


class PublishedSchema(Schema):
    version_id = fields.Integer(attribute="id")
    version = fields.Integer()
    status = fields.String()
    effective = fields.Date(allow_none=True)


class VersionRowSchema(Schema):
    id = fields.Function(lambda r: r.version.id)
    version = fields.Function(lambda r: r.version.version)
    status = fields.Function(lambda r: str(r.version.status))
    effective = fields.Function(
        lambda r: r.version.effective.isoformat() if r.version.effective else None)
    published_by = fields.Function(
        lambda r: r.version.published_by.username if r.version.published_by else None)
    published_at = LocalDateTime(attribute="version.published_at", allow_none=True)
    dossiers = fields.Integer()
