"""Dossier bodies and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from motcua.api.fields import LocalDateTime
from motcua.dossiers.models import CHANNELS
from motcua.tasks.schemas import TaskSchema


class ApplicantSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    id_number = fields.String(allow_none=True, validate=validate.Length(max=32))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    email = fields.String(allow_none=True, validate=validate.Length(max=255))
    address = fields.String(allow_none=True, validate=validate.Length(max=1000))


class ReceivedDocumentSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    original = fields.Integer(load_default=0, validate=validate.Range(min=0, max=99))
    copy = fields.Integer(load_default=0, validate=validate.Range(min=0, max=99))


class ReceptionBody(Schema):
    """The desk's decision at reception, completing its first step in the same request."""

    outcome = fields.String(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    data = fields.Dict(load_default=dict)


class DossierCreate(Schema):
    procedure = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    desk = fields.String(allow_none=True)
    applicant = fields.Nested(ApplicantSchema, load_default=dict)
    data = fields.Dict(load_default=dict)
    # The documents handed in (printed on the receipt); defaults to none listed.
    documents = fields.List(fields.Nested(ReceivedDocumentSchema), load_default=None,
                            validate=validate.Length(max=100))
    sets = fields.Integer(allow_none=True, load_default=None,
                          validate=validate.Range(min=1, max=99))
    reception = fields.Nested(ReceptionBody, load_default=None, allow_none=True)


class StopBody(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class ApologyBody(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    new_due = LocalDateTime(required=True)


class DossierSchema(Schema):
    code = fields.String()
    procedure = fields.Function(lambda d: d.procedure.code)
    procedure_name = fields.Function(lambda d: d.procedure.name)
    process_version = fields.Function(lambda d: d.process_version.version)
    agency = fields.Function(lambda d: d.agency.code)
    desk = fields.Function(lambda d: d.desk.code)
    channel = fields.String()
    status = fields.String()
    received_at = LocalDateTime()
    due_at = LocalDateTime()
    first_due_at = LocalDateTime()
    finished_at = LocalDateTime()
    current_step = fields.String(allow_none=True)
    applicant = fields.Dict()
    data = fields.Dict()
    tasks = fields.List(fields.Nested(TaskSchema))


class LookupSchema(Schema):
    code = fields.String()
    # The procedure's code, as everywhere else in the API.
    procedure = fields.Function(lambda d: d.procedure.code)
    status = fields.String()
    received_at = LocalDateTime()
    due_at = LocalDateTime()
    current_step = fields.String()
