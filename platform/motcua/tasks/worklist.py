"""The worklist page's query: an officer's open tasks with filters, search, sort and a
bounded total count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import contains_eager

from motcua.calendar.working_time import TZ
from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.org.models import User
from motcua.tasks.models import OPEN_STATES, Task

PAGE_SIZE = 25
# Counting stops here: a page says "more than 10 000" rather than scanning every row.
COUNT_CAP = 10_000
# sort key → (task column the branches order by, descending?). Dossiers are numbered as
# they are received, so the dossier id orders by reception without joining the dossier.
SORTS = {"due": ("due_at", False), "-due": ("due_at", True), "received": ("dossier_id", False),
         "-received": ("dossier_id", True)}
_SORT_COLUMNS = {"due_at": Task.due_at, "dossier_id": Task.dossier_id}
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


@dataclass
class WorklistPage:
    tasks: list[Task]
    # None when the filters search the dossiers (name, period, status): counting every
    # match would read them all, so such a page only knows whether another one follows.
    total: int | None
    capped: bool
    page: int
    pages: int
    has_next: bool


def _memberships(user: User) -> list[Any]:
    """One condition per way a task is the user's: held by them, or unassigned at one of
    their role+units. They never overlap, and each has its own partial index."""
    pairs = sorted({(m.role, m.agency_id) for m in user.memberships})
    return [Task.assignee_id == user.id] + [
        and_(Task.assignee_id.is_(None), Task.role == role, Task.unit_id == unit_id)
        for role, unit_id in pairs]


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), TZ)


def _conditions(f: WorklistFilter, now: datetime) -> tuple[list[Any], bool]:
    """The filters as conditions on a task (joined with its dossier when the second value
    says so)."""
    conditions: list[Any] = []
    on_dossier = False
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
        conditions.append(Task.reopened)
    elif f.state == "supplement":
        conditions.append(Dossier.status == "supplement_requested")
        on_dossier = True
    if f.received_from:
        conditions.append(Dossier.received_at >= datetime.combine(f.received_from, time(0), TZ))
        on_dossier = True
    if f.received_to:
        conditions.append(Dossier.received_at < _end_of_day(f.received_to))
        on_dossier = True
    if f.q:
        # No code or name holds a NUL, and PostgreSQL refuses to compare with one.
        text = f.q.replace("\x00", "").strip()
        # A whole dossier code is found by its unique index; anything else searches names.
        by_code = db.session.scalar(select(Dossier.id).where(Dossier.code == text))
        if by_code is not None:
            conditions.append(Task.dossier_id == by_code)
        else:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%") \
                .replace("_", "\\_") + "%"
            conditions.append(Dossier.applicant_name.ilike(pattern, escape="\\"))
            on_dossier = True
    return conditions, on_dossier


def _branch(membership: Any, conditions: list[Any], joined: bool, *columns: Any) -> Any:
    stmt = select(*columns).where(Task.state.in_(OPEN_STATES), membership, *conditions)
    return stmt.join(Task.dossier) if joined else stmt


def _order(sort_key: Any, task_id: Any, descending: bool) -> tuple[Any, Any]:
    """A task without a due time sorts as if due last of all, on both databases: the order
    of a forward or backward scan of the partial indexes on PostgreSQL."""
    if descending:
        return sort_key.desc().nulls_first(), task_id.desc()
    return sort_key.asc().nulls_last(), task_id.asc()


def open_tasks(user: User, f: WorklistFilter, now: datetime, *, limit: int,
               offset: int) -> list[Task]:
    """A page of the user's open tasks, with their dossiers.

    Each membership is its own branch, read in the sort order from its partial index with
    the filters applied and cut at the page end; the branches are then merged. The cost
    follows the page, not how many tasks the user's units hold."""
    conditions, on_dossier = _conditions(f, now)
    return _open_tasks(user, conditions, on_dossier, f.sort, limit=limit, offset=offset)


def _open_tasks(user: User, conditions: list[Any], on_dossier: bool, sort: str, *,
                limit: int, offset: int) -> list[Task]:
    key, descending = SORTS.get(sort, SORTS["due"])
    column = _SORT_COLUMNS[key]
    branches = [
        _branch(m, conditions, on_dossier, Task.id.label("id"), column.label("sort_key"))
        .order_by(*_order(column, Task.id, descending)).limit(offset + limit)
        .subquery().select()
        for m in _memberships(user)]
    merged = union_all(*branches).subquery()
    page = select(merged.c.id).order_by(*_order(merged.c.sort_key, merged.c.id, descending)) \
        .limit(limit).offset(offset)
    return list(db.session.scalars(
        select(Task).join(Task.dossier).options(contains_eager(Task.dossier))
        .where(Task.id.in_(page)).order_by(*_order(column, Task.id, descending))))


def worklist_page(user: User, f: WorklistFilter, now: datetime) -> WorklistPage:
    """One page of the worklist and how many tasks match (counted up to COUNT_CAP, from
    the task indexes alone; not counted when the filters need the dossiers)."""
    page = max(f.page, 1)
    # The filters once: a searched code is looked up here, not again for the count.
    conditions, on_dossier = _conditions(f, now)
    tasks = _open_tasks(user, conditions, on_dossier, f.sort, limit=PAGE_SIZE + 1,
                        offset=(page - 1) * PAGE_SIZE)
    has_next = len(tasks) > PAGE_SIZE
    tasks = tasks[:PAGE_SIZE]
    if on_dossier:
        return WorklistPage(tasks=tasks, total=None, capped=False, page=page,
                            pages=page + has_next, has_next=has_next)
    counted = union_all(*(_branch(m, conditions, False, Task.id).limit(COUNT_CAP + 1)
                          .subquery().select() for m in _memberships(user))).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted)) or 0
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    return WorklistPage(tasks=tasks, total=total, capped=capped, page=page,
                        pages=max(1, -(-total // PAGE_SIZE)), has_next=has_next)


def home_counts(user: User, now: datetime) -> dict[str, int]:
    """The home page's four numbers: to do, due today, overdue, sent back to me. Summed
    over the user's memberships, each counted from its own partial index (the first three
    read only the due times in the index; the last the small index of reopened tasks)."""
    today_end = _end_of_day(now.astimezone(TZ).date())
    open_ = Task.state.in_(OPEN_STATES)
    per_membership = union_all(*(select(
        func.count().label("todo"),
        func.count().filter(and_(Task.due_at >= now, Task.due_at < today_end)).label("today"),
        func.count().filter(Task.due_at < now).label("overdue"),
        select(func.count()).where(open_, Task.reopened, m).scalar_subquery()
        .label("returned"),
    ).where(open_, m) for m in _memberships(user))).subquery()
    row = db.session.execute(select(*(func.coalesce(func.sum(c), 0) for c in (
        per_membership.c.todo, per_membership.c.today, per_membership.c.overdue,
        per_membership.c.returned)))).one()
    return {"todo": int(row[0]), "today": int(row[1]), "overdue": int(row[2]),
            "returned": int(row[3])}


def procedures_in_worklist(user: User) -> list[tuple[str, str]]:
    """(code, name) of procedures with an open task for the user: the filter's choices.
    One index probe per procedure and membership, never a scan of the user's tasks."""
    has_task = or_(*(select(Task.id).where(Task.state.in_(OPEN_STATES), m,
                                           Task.procedure_id == Procedure.id).exists()
                     for m in _memberships(user)))
    return [(c, n) for c, n in db.session.execute(
        select(Procedure.code, Procedure.name).where(has_task).order_by(Procedure.code))]
