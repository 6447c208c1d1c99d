"""One demo dossier on its way, and its pace: when each of its tasks gets done.

Officers work towards a target moment for the result, set by the plan's pace against the
appointment each time the legal clock (re)starts; the working time left until then is shared
among the steps left by their allotted times, each step a little faster or slower on its
own. So a dossier planned on time is returned on the day of its appointment while some of its
steps run early or late, and one planned late is late by about as much as planned."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from motcua.calendar.working_time import TZ, WorkingCalendar
from motcua.db import db
from motcua.demo.plans import Pace, Plan
from motcua.dossiers.models import Dossier
from motcua.processes.meanings import Meaning
from motcua.processes.operations import compiled
from motcua.tasks.models import Task, TaskState


@dataclass
class Walk:
    """A dossier's plan, and what the walk has done or queued so far."""

    plan: Plan
    rng: random.Random
    dossier_id: int | None = None
    queued: set[int] = field(default_factory=set)
    # Tasks waiting for the applicant (opened by a supplement request), and tasks the desk
    # does while the applicant waits at the counter.
    waiting: set[int] = field(default_factory=set)
    quick: set[int] = field(default_factory=set)
    # The steps met offering each meaning, in the order met (a plan counts them).
    met: dict[Meaning, list[str]] = field(default_factory=dict)
    supplemented: set[int] = field(default_factory=set)
    sent_back: bool = False
    steps: int = 0
    apology_queued: bool = False
    stop_queued: bool = False
    # The legal clock's start and the moment the result is meant to be returned.
    target: tuple[datetime, datetime] | None = None


def when(walk: Walk, dossier: Dossier, task: Task, at: datetime,
         calendar: WorkingCalendar) -> datetime | None:
    """When the officer completes ``task`` (opened by ``at``): a short while for the desk at
    the counter, days for an applicant bringing papers, else on the dossier's pace. None:
    never (the plan's stalled step, the papers an awaiting applicant has not brought)."""
    rng, add = walk.rng, calendar.add
    if task.id in walk.waiting or task.document == "supplement":
        if walk.plan.awaiting:
            return None
        return add(at, rng.randint(1, 8) * 480 - rng.randint(0, 300))
    if task.id in walk.quick:
        return add(at, rng.randint(5, 30))
    allotted = {k: s.allotted_minutes for k, s in compiled(dossier.process_version_id)
                .steps.items()}
    if walk.plan.stall and task.allotted_minutes and \
            task.allotted_minutes == max(allotted.values()):
        return None
    start, due = dossier.clock_started_at, dossier.first_due_at
    if start is None or due is None:
        # The clock has not started (an online dossier at the desk) or has no end.
        minutes = round(task.allotted_minutes * rng.uniform(0.1, 1.3))
        return max(add(task.started_at, max(minutes, 5)), add(at, rng.randint(5, 60)))
    end = target(walk, start, due, calendar)
    done = db.session.execute(select(Task.element_id, Task.completed_at).where(
        Task.dossier_id == dossier.id, Task.state == TaskState.COMPLETED)).all()
    # What is left of the process in this clock run: steps not done since it started (a step
    # done before a complete supplement counts again only when it comes back).
    since = {e for e, t in done if t is not None and t > start}
    before = {e for e, t in done if t is not None and t <= start} - since - {task.element_id}
    left = sum(allotted.values()) - sum(allotted.get(e, 0) for e in before | since)
    own = 0 if task.element_id in since else task.allotted_minutes
    if not own and not left:
        # Only the return is left: the result waits at the desk for the appointment.
        return max(end, add(at, rng.randint(5, 60)))
    if not own:
        # Not timed, or done again after a send-back: a short while.
        return add(at, rng.randint(30, 240) if task.reopened else rng.randint(5, 60))
    # Officers ahead of the appointment keep within each step's time; the long steps vary
    # less than the short ones.
    share = max(calendar.elapsed(at, end) / max(left, own), 0.3)
    if walk.plan.pace in (Pace.EARLY, Pace.ON_TIME):
        share = min(share, 0.9)
    spread = 0.3 * min(1.0, 480 / own)
    return add(at, max(round(own * share * rng.uniform(1 - spread, 1 + spread)), 5))


def target(walk: Walk, start: datetime, due: datetime, calendar: WorkingCalendar) -> datetime:
    """When the result is returned, by the plan's pace, for the clock run that began at
    ``start`` with appointment ``due``."""
    if walk.target is not None and walk.target[0] == start:
        return walk.target[1]
    rng, pace = walk.rng, walk.plan.pace
    if pace is Pace.EARLY:
        end = calendar.add(start, round(calendar.elapsed(start, due) * rng.uniform(0.5, 0.85)))
    elif pace is Pace.ON_TIME:
        day = due.astimezone(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
        low = max(start, calendar.next_working_minute(day))
        end = calendar.next_working_minute(low + (due - low) * rng.uniform(0.2, 0.8))
    elif pace is Pace.LATE:
        end = calendar.add(due, rng.randint(60, 3 * 480))
    else:
        end = calendar.add(due, rng.randint(4 * 480, 10 * 480))
    walk.target = (start, end)
    return end
