"""Task rows as the API shows them."""

from __future__ import annotations

from marshmallow import Schema, fields

from motcua.api.fields import LocalDateTime


class OutcomeSchema(Schema):
    key = fields.Function(lambda o: o[0])
    label = fields.Function(lambda o: o[1])


class TaskSchema(Schema):
    id = fields.Integer()
    dossier = fields.Function(lambda t: t.dossier.code)
    name = fields.String()
    step = fields.String(attribute="element_id")
    role = fields.String()
    unit = fields.Function(lambda t: t.unit.code)
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    started_at = LocalDateTime()
    due_at = LocalDateTime()
    overdue = fields.Boolean()
    form = fields.String(attribute="form_key")
    outcomes = fields.List(fields.Nested(OutcomeSchema))
    document = fields.String()
    state = fields.String()
    outcome = fields.String()
    completed_at = LocalDateTime()
