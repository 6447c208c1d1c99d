"""GET /tasks (worklist), POST /tasks/{id}/claim, POST /tasks/{id}/complete."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from motcua.clock import now
from motcua.org.auth import current_user
from motcua.tasks import operations
from motcua.tasks.models import Task
from motcua.tasks.schemas import TaskSchema

blp = Blueprint("tasks", __name__, description="Công việc")


class WorklistQuery(Schema):
    procedure = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class CompleteBody(Schema):
    outcome = fields.String(allow_none=True, load_default=None)
    data = fields.Dict(load_default=dict)


class DossierRef(Schema):
    code = fields.String()
    status = fields.String()


class CompleteAnswer(Schema):
    dossier = fields.Nested(DossierRef)
    next_tasks = fields.List(fields.Nested(TaskSchema))


@blp.route("/tasks")
@blp.arguments(WorklistQuery, location="query")
@blp.response(200, TaskSchema(many=True))
def worklist(args: dict[str, Any]) -> list[Task]:
    return operations.worklist(current_user(), **args)


@blp.route("/tasks/<int:task_id>")
@blp.response(200, TaskSchema)
def show(task_id: int) -> Task:
    return operations.get_task(current_user(), task_id)


@blp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@blp.response(200, TaskSchema)
def claim(task_id: int) -> Task:
    return operations.claim(current_user(), task_id, now())


@blp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteBody)
@blp.response(200, CompleteAnswer)
def complete(body: dict[str, Any], task_id: int) -> dict[str, Any]:
    dossier, created = operations.complete(current_user(), task_id, body["outcome"],
                                           body["data"], now())
    return {"dossier": dossier, "next_tasks": created}
