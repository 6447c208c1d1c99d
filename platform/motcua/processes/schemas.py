"""Process upload forms, publish bodies and version answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from motcua.api.fields import Day


class UploadForm(Schema):
    procedure = fields.String(required=True)


class UploadFiles(Schema):
    bpmn = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    forms = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}))
    library = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}))


class PublishBody(Schema):
    effective = Day()


class VersionSchema(Schema):
    id = fields.Integer()
    procedure = fields.Function(lambda v: v.procedure.code)
    version = fields.Integer()
    status = fields.String()
    effective = fields.Date(allow_none=True)
    process_id = fields.String(allow_none=True)
    problems = fields.List(fields.Dict())
    steps = fields.Dict()
    forms = fields.Function(lambda v: sorted(f.key for f in v.forms))
