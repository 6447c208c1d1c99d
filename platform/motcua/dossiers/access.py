"""Who may see a dossier. Everything not visible is reported as absent (404), so the
answer never confirms that another agency's dossier exists."""

from __future__ import annotations

from sqlalchemy import and_, or_, select, tuple_

from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.org.models import User
from motcua.tasks.models import OPEN_STATES, Task


def can_see(user: User, dossier: Dossier) -> bool:
    """Whoever works or worked on it, may pick up one of its open tasks, received it at their
    desk, leads or administers its agency, audits, or applied for it. Its own tasks are
    looked up by index, never by scanning every task."""
    roles = {m.role for m in user.memberships}
    if roles & {"auditor", "sysadmin"}:
        return True
    if user.kind == "applicant":
        return dossier.applicant_user_id == user.id
    if dossier.created_by_id == user.id or dossier.desk_id in user.agencies_with("receiver"):
        return True
    if dossier.agency_id in user.agencies_with("leader", "admin"):
        return True
    pairs = [(m.role, m.agency_id) for m in user.memberships]
    mine = or_(Task.assignee_id == user.id, Task.completed_by_id == user.id)
    if pairs:
        mine = or_(mine, and_(Task.state.in_(OPEN_STATES), Task.assignee_id.is_(None),
                              tuple_(Task.role, Task.unit_id).in_(pairs)))
    return db.session.scalar(
        select(Task.id).where(Task.dossier_id == dossier.id, mine).limit(1)) is not None
