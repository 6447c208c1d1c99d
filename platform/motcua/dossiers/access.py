"""Who may see a dossier: one rule, written once as SQL, that the dossier page and the search
both apply, so a search finds exactly the dossiers their pages would show. Everything not
visible is reported as absent (404), so the answer never confirms that another agency's
dossier exists."""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    false,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)

from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency, User
from motcua.tasks.models import OPEN_STATES, Task

# Read across the whole province (the installation serves one).
PROVINCE_WIDE = ("auditor", "sysadmin")


def subtree(agency_ids: set[int]) -> set[int]:
    """The agencies and every agency below them."""
    if not agency_ids:
        return set()
    tree = select(Agency.id).where(Agency.id.in_(agency_ids)).cte("tree", recursive=True)
    tree = tree.union(select(Agency.id).where(Agency.parent_id == tree.c.id))
    return set(db.session.scalars(select(tree.c.id)))


def visible(user: User) -> ColumnElement[bool]:
    """The dossiers ``user`` may see: whoever works or worked on one of its tasks (holds or
    held it, completed it, or may pick it up), created it or received it at their desk; leaders
    and admins of its agency or of an agency above it; auditors and system administrators of
    the province; its applicant."""
    roles = {m.role for m in user.memberships}
    if roles & set(PROVINCE_WIDE):
        return true()
    if user.kind == "applicant":
        return Dossier.applicant_user_id == user.id
    clauses: list[ColumnElement[bool]] = [Dossier.created_by_id == user.id]
    desks = user.agencies_with("receiver")
    if desks:
        clauses.append(Dossier.desk_id.in_(desks))
    heads = subtree(user.agencies_with("leader", "admin"))
    if heads:
        clauses.append(Dossier.agency_id.in_(heads))
    open_state = Task.state.in_(OPEN_STATES)
    # Held, even if later cancelled (a stopped dossier), or completed.
    mine: list[ColumnElement[bool]] = [Task.assignee_id == user.id,
                                       Task.completed_by_id == user.id]
    pairs = [(m.role, m.agency_id) for m in user.memberships]
    if pairs:
        mine.append(and_(open_state, Task.assignee_id.is_(None),
                         tuple_(Task.role, Task.unit_id).in_(pairs)))
    # A probe of the candidate dossier's own few tasks (ix_task_dossier) per kind of link,
    # not IN over every task the user ever held: a leader who signed half a million
    # dossiers made PostgreSQL scan that list once per candidate (10 s and more per name
    # search at a million dossiers, where these probes take milliseconds).
    for clause in mine:
        clauses.append(exists().where(Task.dossier_id == Dossier.id, clause))
    return or_(false(), *clauses)


def can_see(user: User, dossier: Dossier) -> bool:
    return db.session.scalar(select(literal_column("1")).select_from(Dossier).where(
        Dossier.id == dossier.id, visible(user))) is not None
