"""Who may see a dossier. Everything not visible is reported as absent (404), so the
answer never confirms that another agency's dossier exists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, or_, select, tuple_

from motcua.dossiers.models import Dossier
from motcua.org.models import User
from motcua.tasks.models import OPEN_STATES, Task


def visible_dossiers(user: User) -> Any:
    """A WHERE clause on Dossier for what ``user`` may read."""
    roles = {m.role for m in user.memberships}
    if "auditor" in roles or "sysadmin" in roles:
        return Dossier.id.is_not(None)
    if user.kind == "applicant":
        return Dossier.applicant_user_id == user.id
    clauses: list[Any] = [
        Dossier.created_by_id == user.id,
        # Worked or works on it.
        Dossier.id.in_(select(Task.dossier_id).where(
            or_(Task.assignee_id == user.id, Task.completed_by_id == user.id))),
    ]
    pairs = [(m.role, m.agency_id) for m in user.memberships]
    if pairs:
        # May pick up one of its open tasks.
        clauses.append(Dossier.id.in_(select(Task.dossier_id).where(and_(
            Task.state.in_(OPEN_STATES), Task.assignee_id.is_(None),
            tuple_(Task.role, Task.unit_id).in_(pairs)))))
    desks = user.agencies_with("receiver")
    if desks:
        clauses.append(Dossier.desk_id.in_(desks))
    heads = user.agencies_with("leader", "admin")
    if heads:
        clauses.append(Dossier.agency_id.in_(heads))
    return or_(*clauses) if clauses else false()
