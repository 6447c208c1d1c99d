"""The execution API's answers (contract: api.md, *Finding dossiers, audit and indicators*)."""

from __future__ import annotations

from marshmallow import Schema, fields


class ExecutionFindingSchema(Schema):
    rule = fields.String(required=True)
    severity = fields.String(required=True, metadata={"enum": ["error", "warning", "info"]})
    element_id = fields.String()
    step_no = fields.String()
    event = fields.Integer(metadata={"description": "the event's position in the history"})
    message = fields.String(required=True)
    minutes = fields.Integer(metadata={"description": "working minutes"})
    calendar_minutes = fields.Integer()


class DossierExecutionSchema(Schema):
    code = fields.String(required=True)
    findings = fields.List(fields.Nested(ExecutionFindingSchema), required=True)
    chain = fields.String(required=True, metadata={"enum": ["intact", "broken"]})


class ExecutionRowSchema(Schema):
    key = fields.String()
    name = fields.String()
    dossiers = fields.Integer()
    with_findings = fields.Integer()
    late_steps = fields.Integer()
    late_minutes = fields.Integer(metadata={"description": "working minutes of late steps"})
    outside_model = fields.Integer()
    outside_lane = fields.Integer()
    late_without_apology = fields.Integer()
    clock_stops = fields.Integer()
    multi_supplement = fields.Integer()


class ExecutionSchema(Schema):
    group = fields.String()
    rows = fields.List(fields.Nested(ExecutionRowSchema))


class ExecutionDossierSchema(Schema):
    code = fields.String()
    findings = fields.List(fields.Nested(ExecutionFindingSchema))


class ExecutionDossiersSchema(Schema):
    items = fields.List(fields.Nested(ExecutionDossierSchema))
    total = fields.Integer()
