"""The demo's dossiers, all their steps in the order they happened, up to "now".

Each step is a platform operation run with the platform clock set to its moment:
``tasks.reception.receive``, ``tasks.operations.complete``, ``dossiers.operations.extend_due``
and ``stop_dossier``, and before each, what the worker (``fire_due_timers``, ``mark_overdue``)
would have done by then. What a step offers (outcomes and their meanings, its form, role and
unit) is read from the published process; the plan only says which meaning to choose."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from motcua.calendar.working_time import TZ, WorkingCalendar
from motcua.catalog.operations import get_procedure, require_open
from motcua.clock import set_clock
from motcua.db import db
from motcua.demo.fill import Context, fill, papers
from motcua.demo.people import (
    APOLOGIES,
    PROJECTS,
    REFUSALS,
    SEND_BACKS,
    STOPS,
    SUPPLEMENT,
    scan_pdf,
)
from motcua.demo.plans import Offer, Plan
from motcua.demo.walk import Walk
from motcua.demo.walk import when as next_at
from motcua.dossiers.attachments import Upload
from motcua.dossiers.models import FINISHED, Channel, Dossier, DossierStatus
from motcua.dossiers.operations import extend_due, nearest_desk, stop_dossier
from motcua.dossiers.worker import fire_due_timers, mark_overdue
from motcua.forms.ui import normalise_ui
from motcua.org.models import User
from motcua.org.operations import officers
from motcua.processes.checks import StepConfig
from motcua.processes.meanings import NEEDS_REASON, Meaning, Outcome
from motcua.processes.operations import CompiledVersion, compiled, version_in_effect
from motcua.tasks.models import OPEN_STATES, Task
from motcua.tasks.operations import complete
from motcua.tasks.reception import receive

WORKER_EVERY = timedelta(minutes=10)


@contextmanager
def clock_at(app: Flask, at: datetime) -> Iterator[None]:
    """The platform clock reads ``at`` while a step runs; whatever clock was set comes back."""
    previous = app.extensions.get("motcua_clock")
    set_clock(app, lambda: at)
    try:
        yield
    finally:
        set_clock(app, previous)


class Run:
    """All dossiers' steps, in time order, up to ``now``."""

    def __init__(self, app: Flask, now: datetime, calendar: WorkingCalendar,
                 offers: dict[str, Offer]) -> None:
        self.app, self.now, self.calendar, self.offers = app, now, calendar, offers
        self.queue: list[tuple[datetime, int, int, str, int]] = []
        self.order = itertools.count()
        self.walks: list[Walk] = []
        self.users: dict[str, User] = {}
        self.scan: bytes | None = None
        self.worked_at: datetime | None = None

    def go(self, plans: list[Plan]) -> list[int]:
        self.walks = [Walk(p, random.Random(p.seed)) for p in plans]  # noqa: S311
        for index, walk in enumerate(self.walks):
            self._push(walk.plan.received_at, index, "receive")
        while self.queue:
            at, _, index, kind, task_id = heapq.heappop(self.queue)
            walk = self.walks[index]
            with clock_at(self.app, at):
                self._worker(at)
                if kind == "receive":
                    self._receive(walk, at)
                elif kind == "task":
                    self._complete(walk, task_id, at)
                elif kind == "apology":
                    self._apologise(walk, at)
                else:
                    self._stop(walk, at)
                self._schedule(index, at)
        with clock_at(self.app, self.now):
            self._worker(self.now)
        return [w.dossier_id for w in self.walks if w.dossier_id is not None]

    def _push(self, at: datetime, index: int, kind: str, task_id: int = 0) -> None:
        if at <= self.now:
            heapq.heappush(self.queue, (at, next(self.order), index, kind, task_id))

    def _worker(self, at: datetime) -> None:
        """What ``motcua worker`` would have done by then, were it run every few minutes: a
        timer that fired opens a task (a reminder), which gets its turn like any other."""
        if self.worked_at is not None and at - self.worked_at < WORKER_EVERY and at < self.now:
            return
        self.worked_at = at
        if fire_due_timers(at):
            for index in range(len(self.walks)):
                self._schedule(index, at)
        mark_overdue(at)

    # ------------------------------------------------------------------ the steps

    def _receive(self, walk: Walk, at: datetime) -> None:
        plan = walk.plan
        procedure = get_procedure(plan.procedure)
        if plan.account:
            user = self._user(plan.account)
        else:
            desk = nearest_desk(require_open(procedure, at).agency)
            user = self._user(walk.rng.choice(officers("receiver", [desk.id]))[0])
        version = compiled(version_in_effect(procedure, at.astimezone(TZ).date()).id)
        body = {"procedure": plan.procedure, "channel": plan.channel.value,
                "applicant": plan.applicant.as_body(), "sets": 1,
                "documents": [{"name": n, "original": 1, "copy": 0}
                              for n in self.offers[plan.procedure].papers],
                "data": fill(version.form_schema(version.start_form), self._context(walk, at))}
        if plan.scanned and self.scan is None:
            self.scan = scan_pdf()
        uploads = [Upload("ho-so-so-hoa.pdf", self.scan)] if plan.scanned and self.scan else []
        reception = receive(user, body, at, uploads=uploads)
        walk.dossier_id = reception.dossier.id
        if plan.channel is not Channel.ONLINE:
            walk.quick.update(t.id for t in reception.tasks)

    def _complete(self, walk: Walk, task_id: int, at: datetime) -> None:
        task = db.session.get(Task, task_id)
        if task is None or task.state not in OPEN_STATES:
            return
        dossier = db.session.get_one(Dossier, task.dossier_id)
        version = compiled(dossier.process_version_id)
        config = version.step(task.element_id)
        user = self._officer(walk, task)
        if config is None or user is None:
            return
        outcome = self._choose(walk, config)
        schema = version.form_schema(task.form_key)
        ctx = self._context(walk, at, dossier)
        overrides: dict[str, Any] = {}
        # What the applicant must add: one or two of the procedure's papers, listed once.
        missing = walk.rng.sample(list(ctx.papers), k=min(len(ctx.papers),
                                                          walk.rng.randint(1, 2)))
        reason = _reason(walk.rng, outcome, missing)
        if reason and config.reason_field:
            overrides[config.reason_field] = reason
        if outcome and outcome.meaning is Meaning.SUPPLEMENT and config.missing_field and schema:
            spec = (schema.get("properties") or {}).get(config.missing_field) or {}
            overrides[config.missing_field] = papers(
                spec.get("items") or {"type": "string"}, ctx, missing)
        if config.assignee_field:
            overrides[config.assignee_field] = self._assignee(walk, version, task, dossier,
                                                              config.assignee_field)
        step = complete(user, task.id, outcome.key if outcome else None,
                        fill(schema, ctx, overrides), at,
                        reason if reason and not config.reason_field else None)
        walk.steps += 1
        if outcome and outcome.meaning is Meaning.SUPPLEMENT:
            walk.waiting.update(t.id for t in step.created)
        elif task.id in walk.waiting and walk.plan.channel is not Channel.ONLINE:
            walk.quick.update(t.id for t in step.created)

    def _apologise(self, walk: Walk, at: datetime) -> None:
        dossier = self._dossier(walk)
        if dossier.status in (*FINISHED, DossierStatus.DONE) or dossier.due_at is None:
            return
        leaders = officers("leader", [dossier.agency_id])
        if not leaders or walk.target is None:
            return
        new_due = self.calendar.add(max(dossier.due_at, walk.target[1], at),
                                    walk.rng.randint(240, 960))
        extend_due(self._user(leaders[0][0]), dossier.code, walk.rng.choice(APOLOGIES),
                   new_due, at)

    def _stop(self, walk: Walk, at: datetime) -> None:
        dossier = self._dossier(walk)
        if dossier.status in FINISHED:
            return
        if walk.plan.account:
            user = self._user(walk.plan.account)
        else:
            user = self._user(walk.rng.choice(officers("receiver", [dossier.desk_id]))[0])
        stop_dossier(user, dossier.code, walk.rng.choice(STOPS), at)

    # ------------------------------------------------------------------ choices

    def _choose(self, walk: Walk, config: StepConfig) -> Outcome | None:
        """The outcome the plan asks for when this step offers it, else the way forward."""
        if not config.outcomes:
            return None
        ordinal = {}
        for meaning in config.meanings:
            met = walk.met.setdefault(meaning, [])
            if config.element_id not in met:
                met.append(config.element_id)
            ordinal[meaning] = met.index(config.element_id)
        plan = walk.plan
        wanted = None
        supplement = ordinal.get(Meaning.SUPPLEMENT)
        if supplement in plan.supplement_at and supplement not in walk.supplemented:
            walk.supplemented.add(supplement)
            wanted = Meaning.SUPPLEMENT
        elif plan.refuse_at is not None and ordinal.get(Meaning.REFUSE) == plan.refuse_at:
            wanted = Meaning.REFUSE
        elif plan.back and Meaning.BACK in ordinal and not walk.sent_back:
            walk.sent_back = True
            wanted = Meaning.BACK
        if wanted is not None:
            return next(o for o in config.outcomes if o.meaning is wanted)
        ahead = ([o for o in config.outcomes if o.meaning is Meaning.ACCEPT]
                 or [o for o in config.outcomes if o.meaning is Meaning.FORWARD]
                 or list(config.outcomes))
        return ahead[0] if len(ahead) == 1 or walk.rng.random() < 0.8 else walk.rng.choice(ahead)

    def _officer(self, walk: Walk, task: Task) -> User | None:
        if task.assignee_id is not None:
            return db.session.get(User, task.assignee_id)
        names = officers(task.role, [task.unit_id])
        return self._user(walk.rng.choice(names)[0]) if names else None

    def _assignee(self, walk: Walk, version: CompiledVersion, task: Task, dossier: Dossier,
                  name: str) -> str:
        """An officer for the next step, chosen as the task page offers them: the role the
        form's officer widget names, in the task's unit, the handling unit or the agency."""
        schema = version.form_schema(task.form_key) or {}
        role = normalise_ui(schema, version.form_ui(task.form_key)).child(name).role
        units = [task.unit_id, dossier.handling_unit_id, dossier.agency_id]
        choices = officers(role or "specialist", units)
        return walk.rng.choice(choices)[0] if choices else ""

    def _context(self, walk: Walk, at: datetime, dossier: Dossier | None = None) -> Context:
        offer = self.offers[walk.plan.procedure]
        leaders = officers("leader", [dossier.agency_id]) if dossier else []
        return Context(rng=walk.rng, at=at, applicant=walk.plan.applicant,
                       papers=offer.papers, project=_project(walk.plan.seed),
                       signer=leaders[0][1] if leaders else walk.plan.applicant.person)

    # ------------------------------------------------------------------ timing

    def _schedule(self, index: int, at: datetime) -> None:
        """Give every open task of the dossier its moment (once), and queue the apology or
        the stop the plan has in store."""
        walk = self.walks[index]
        if walk.dossier_id is None or walk.stop_queued:
            return
        dossier = self._dossier(walk)
        if dossier.status in FINISHED:
            return
        plan, rng = walk.plan, walk.rng
        if plan.stop_after is not None and walk.steps >= plan.stop_after:
            walk.stop_queued = True
            self._push(self.calendar.add(at, rng.randint(30, 900)), index, "stop")
            return
        tasks = db.session.scalars(select(Task).where(
            Task.dossier_id == dossier.id, Task.state.in_(OPEN_STATES)).order_by(Task.id))
        for task in tasks:
            if task.id in walk.queued:
                continue
            walk.queued.add(task.id)
            when = next_at(walk, dossier, task, at, self.calendar)
            if when is None:
                continue
            self._push(when, index, "task", task.id)
            due = dossier.due_at
            if plan.apology and not walk.apology_queued and due is not None and when > due:
                walk.apology_queued = True
                before = min(due, when)
                moment = at + (before - at) / 2 if before > at else at
                self._push(min(self.calendar.next_working_minute(moment), when), index,
                           "apology")

    # ------------------------------------------------------------------ lookups

    def _dossier(self, walk: Walk) -> Dossier:
        return db.session.get_one(Dossier, walk.dossier_id)

    def _user(self, username: str) -> User:
        if username not in self.users:
            self.users[username] = db.session.scalars(
                select(User).where(User.username == username)).one()
        return self.users[username]


def _reason(rng: random.Random, outcome: Outcome | None, missing: list[str]) -> str | None:
    """The reason an officer writes for a refusal, a supplement request or a send-back."""
    if outcome is None or outcome.meaning not in NEEDS_REASON:
        return None
    if outcome.meaning is Meaning.SUPPLEMENT:
        named = "; ".join(p[:1].lower() + p[1:] for p in missing)
        return SUPPLEMENT.format(papers=named or "giấy tờ theo quy định")
    return rng.choice(REFUSALS if outcome.meaning is Meaning.REFUSE else SEND_BACKS)


def _project(seed: int) -> str:
    return PROJECTS[seed % len(PROJECTS)]


