"""History events as the API shows them (the control slip of the contract)."""

from __future__ import annotations

from marshmallow import Schema, fields

from motcua.api.fields import LocalDateTime


class HistorySchema(Schema):
    at = LocalDateTime()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    actor_name = fields.Function(lambda e: e.actor.full_name if e.actor else None)
    actor_role = fields.String(allow_none=True)
    actor_unit = fields.Function(lambda e: e.actor_unit.code if e.actor_unit else None)
    action = fields.String()
    step = fields.String(allow_none=True)
    step_name = fields.String(allow_none=True)
    unit = fields.Function(lambda e: e.unit.code if e.unit else None)
    unit_name = fields.Function(lambda e: e.unit.name if e.unit else None)
    from_ = fields.String(attribute="from_step", data_key="from", allow_none=True)
    to = fields.String(attribute="to_step", allow_none=True)
    to_steps = fields.List(fields.String(), allow_none=True)
    outcome = fields.String(allow_none=True)
    meaning = fields.String(allow_none=True)
    document = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    timing = fields.String(allow_none=True)
    started_at = LocalDateTime(allow_none=True)
    due_at = LocalDateTime(allow_none=True)
