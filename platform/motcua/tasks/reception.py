"""Receiving a dossier: create it, keep its scans, and (at the desk) complete the desk's
reception step with the officer's outcome in the same transaction. One operation for the
desk page and ``POST /dossiers``: a problem anywhere keeps nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.dossiers.attachments import Upload, save_attachments
from motcua.dossiers.flow import Advance
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.dossiers.operations import create_dossier
from motcua.errors import Invalid
from motcua.forms.conform import size_problems
from motcua.org.models import User
from motcua.tasks.models import Task
from motcua.tasks.operations import claim, complete


@dataclass(frozen=True)
class ReceptionStep:
    """What the desk officer decided at reception: the outcome, its note, the step's form."""

    outcome: str | None
    data: dict[str, Any]
    note: str | None = None


@dataclass
class Reception:
    created: Advance
    step: Advance | None

    @property
    def dossier(self) -> Dossier:
        return self.created.dossier

    @property
    def documents(self) -> list[IssuedDocument]:
        return self.step.documents if self.step else []

    @property
    def tasks(self) -> list[Task]:
        return self.step.created if self.step else self.created.created


def receive(user: User, body: dict[str, Any], now: datetime, *,
            uploads: Sequence[Upload] = (), step: ReceptionStep | None = None) -> Reception:
    if step is not None:
        # Refused before the dossier is created, as the application's own data would be.
        too_large = size_problems(step.data, root="reception.data")
        if too_large:
            raise Invalid("Dữ liệu của bước tiếp nhận quá lớn", too_large)
    created = create_dossier(user, body, now)
    dossier = created.dossier
    if uploads:
        save_attachments(dossier, list(uploads), user, now)
    if step is None:
        return Reception(created, None)
    task = desk_task(user, created.created)
    if task is None:
        raise Invalid("Quy trình không có bước tiếp nhận tại Bộ phận Một cửa của bạn",
                      [{"field": "reception", "message": "Không có bước tiếp nhận để hoàn thành"}])
    claim(user, task.id, now)
    try:
        done = complete(user, task.id, step.outcome, step.data, now, step.note)
    except Invalid as exc:
        # The reception step's own fields, named as the body names them.
        raise Invalid(exc.message, [_renamed(d) for d in exc.details]) from exc
    return Reception(created, done)


def desk_task(user: User, tasks: Sequence[Task]) -> Task | None:
    """The first open task the receiving officer may do themselves (the desk's step)."""
    pairs = user.roles_at()
    return next((t for t in tasks if t.is_open and (t.role, t.unit_id) in pairs), None)


def _renamed(detail: dict[str, Any]) -> dict[str, Any]:
    field = detail.get("field")
    return {**detail, "field": f"reception.{field}"} if field else detail
