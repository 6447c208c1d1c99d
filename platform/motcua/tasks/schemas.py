"""Task rows, worklist queries and completion bodies as the API takes and shows them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from motcua.api.fields import LocalDateTime, whole
from motcua.processes.meanings import outcome_from


class OutcomeSchema(Schema):
    key = fields.Function(lambda o: o[0])
    label = fields.Function(lambda o: o[1])
    meaning = fields.Method("_meaning")

    def _meaning(self, item: list[str]) -> str:
        return outcome_from(item).meaning.value


class TaskSchema(Schema):
    id = fields.Integer()
    dossier = fields.Function(lambda t: t.dossier.code)
    name = fields.String()
    step = fields.String(attribute="element_id")
    role = fields.String()
    unit = fields.Function(lambda t: t.unit.code)
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    started_at = LocalDateTime()
    due_at = LocalDateTime(allow_none=True)
    overdue = fields.Boolean()
    form = fields.String(attribute="form_key", allow_none=True)
    outcomes = fields.List(fields.Nested(OutcomeSchema))
    document = fields.String(allow_none=True)
    state = fields.String()
    outcome = fields.String(allow_none=True)
    meaning = fields.String(allow_none=True)
    reopened = fields.Boolean()
    completed_at = LocalDateTime(allow_none=True)


# Nobody pages a worklist this deep (at 200 a page, 500 pages); a filter finds a task faster.
MAX_OFFSET = 100_000


class WorklistQuery(Schema):
    procedure = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = whole(0, MAX_OFFSET, load_default=0)


class CompleteBody(Schema):
    outcome = fields.String(allow_none=True, load_default=None)
    # The officer's note; the reason of a refuse, supplement or back outcome when the step
    # declares no reason_field.
    note = fields.String(allow_none=True, load_default=None,
                         validate=validate.Length(max=4000))
    data = fields.Dict(load_default=dict)


class DossierRef(Schema):
    code = fields.String()
    status = fields.String()


class IssuedRef(Schema):
    id = fields.Integer()
    kind = fields.String()


class CompleteAnswer(Schema):
    dossier = fields.Nested(DossierRef)
    next_tasks = fields.List(fields.Nested(TaskSchema))
    documents = fields.List(fields.Nested(IssuedRef))
