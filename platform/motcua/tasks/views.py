"""GET /tasks (worklist), POST /tasks/{id}/claim, POST /tasks/{id}/complete, and
POST /dossiers: receiving a dossier completes the desk's first step in the same request."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from motcua.api.errors import may_answer
from motcua.clock import now
from motcua.dossiers.models import Dossier
from motcua.dossiers.schemas import DossierCreate, DossierSchema
from motcua.org.auth import current_user
from motcua.tasks import operations
from motcua.tasks.models import Task
from motcua.tasks.reception import ReceptionStep, receive
from motcua.tasks.schemas import CompleteAnswer, CompleteBody, TaskSchema, WorklistQuery

blp = Blueprint("tasks", __name__, description="Công việc")


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
    done = operations.complete(current_user(), task_id, body["outcome"], body["data"], now(),
                               body["note"])
    return {"dossier": done.dossier, "next_tasks": done.created, "documents": done.documents}


@blp.route("/dossiers", methods=["POST"])
@may_answer(404)
@blp.arguments(DossierCreate)
@blp.response(201, DossierSchema)
def create_dossier(body: dict[str, Any]) -> Dossier:
    """Receive a dossier (desk: direct or postal; applicant: online). With ``reception`` the
    desk's first step is completed with that outcome at once, as the desk page does."""
    step = body.pop("reception", None)
    reception = receive(current_user(), body, now(), step=ReceptionStep(
        step["outcome"], step["data"], step["note"]) if step else None)
    return reception.dossier
