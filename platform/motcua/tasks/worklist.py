"""The worklist page's query: an officer's open tasks with filters, search, sort and a
bounded total count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import contains_eager

from motcua.calendar.working_time import TZ
from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.org.models import User
from motcua.tasks.models import OPEN_STATES, Task
from motcua.tasks.operations import worklist

PAGE_SIZE = 25
# Counting stops here: a page says "more than 10 000" rather than scanning every row.
COUNT_CAP = 10_000
SORTS: dict[str, tuple[Any, ...]] = {
    "due": (Task.due_at.asc().nulls_last(), Task.id),
    "-due": (Task.due_at.desc().nulls_last(), Task.id.desc()),
    "received": (Dossier.received_at.asc(), Task.id),
    "-received": (Dossier.received_at.desc(), Task.id.desc()),
    "code": (Dossier.code.asc(), Task.id),
}
STATES = ("ready", "claimed", "overdue", "today", "supplement", "returned")


@dataclass
class WorklistFilter:
    procedure: str | None = None
    state: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str | None = None
    sort: str = "due"
    page: int = 1

    @property
    def is_default(self) -> bool:
        return not (self.state or self.received_from or self.received_to or self.q) \
            and self.sort == "due"


@dataclass
class WorklistPage:
    tasks: list[Task]
    total: int
    capped: bool
    page: int
    pages: int


def mine(user: User) -> Any:
    """Open tasks the user may work on: theirs, or unassigned at one of their role+units."""
    pairs = sorted({(m.role, m.agency_id) for m in user.memberships})
    clauses = [Task.assignee_id == user.id]
    if pairs:
        clauses.append(and_(Task.assignee_id.is_(None), tuple_(Task.role, Task.unit_id).in_(pairs)))
    return and_(Task.state.in_(OPEN_STATES), or_(*clauses))


def _sent_back() -> Any:
    """The task's step was completed before in its dossier: it came back to this step."""
    earlier = Task.__table__.alias("earlier")
    return select(earlier.c.id).where(
        earlier.c.dossier_id == Task.dossier_id, earlier.c.element_id == Task.element_id,
        earlier.c.state == "completed").exists()


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), TZ)


def _conditions(user: User, f: WorklistFilter, now: datetime) -> list[Any]:
    conditions = [mine(user)]
    if f.procedure:
        conditions.append(Task.procedure_id == select(Procedure.id).where(
            Procedure.code == f.procedure).scalar_subquery())
    if f.state in ("ready", "claimed"):
        conditions.append(Task.state == f.state)
    elif f.state == "overdue":
        conditions.append(Task.due_at < now)
    elif f.state == "today":
        conditions.append(and_(Task.due_at >= now,
                               Task.due_at < _end_of_day(now.astimezone(TZ).date())))
    elif f.state == "returned":
        conditions.append(_sent_back())
    elif f.state == "supplement":
        conditions.append(Dossier.status == "supplement_requested")
    if f.received_from:
        conditions.append(Dossier.received_at >= datetime.combine(f.received_from, time(0), TZ))
    if f.received_to:
        conditions.append(Dossier.received_at < _end_of_day(f.received_to))
    if f.q:
        text = f.q.strip()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(Dossier.code == text,
                              Dossier.applicant_name.ilike(pattern, escape="\\")))
    return conditions


def worklist_page(user: User, f: WorklistFilter, now: datetime) -> WorklistPage:
    page = max(f.page, 1)
    offset = (page - 1) * PAGE_SIZE
    if f.is_default:
        # Soonest due first over the per-membership partial indexes (tasks.operations).
        tasks = worklist(user, procedure=f.procedure, limit=PAGE_SIZE, offset=offset)
    else:
        stmt = (select(Task).join(Task.dossier).options(contains_eager(Task.dossier))
                .where(*_conditions(user, f, now))
                .order_by(*SORTS.get(f.sort, SORTS["due"])).limit(PAGE_SIZE).offset(offset))
        tasks = list(db.session.scalars(stmt))
    counted = select(Task.id).join(Task.dossier).where(*_conditions(user, f, now)) \
        .limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    pages = max(1, -(-total // PAGE_SIZE))
    return WorklistPage(tasks=tasks, total=total, capped=capped, page=page, pages=pages)


def home_counts(user: User, now: datetime) -> dict[str, int]:
    """The home page's four numbers: to do, due today, overdue, sent back to me."""
    today_end = _end_of_day(now.astimezone(TZ).date())
    row = db.session.execute(select(
        func.count(),
        func.count().filter(and_(Task.due_at >= now, Task.due_at < today_end)),
        func.count().filter(Task.due_at < now),
        func.count().filter(_sent_back()),
    ).where(mine(user))).one()
    return {"todo": row[0], "today": row[1], "overdue": row[2], "returned": row[3]}


def procedures_in_worklist(user: User) -> list[tuple[str, str]]:
    """(code, name) of procedures with an open task for the user: the filter's choices."""
    # One index probe per procedure, never a scan of the user's open tasks.
    has_task = select(Task.id).where(Task.procedure_id == Procedure.id, mine(user)).exists()
    return [(c, n) for c, n in db.session.execute(
        select(Procedure.code, Procedure.name).where(has_task).order_by(Procedure.code))]
