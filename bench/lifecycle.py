"""Each filled dossier's life, decided in Python: the way it went (one of its procedure's
routes, ``routes.py``), how long each step took in working time, where it stands now, and
from that its counters, its tasks and its hash-chained history.

The platform's own code decides what can be: the route's stops carry what ``dossiers.rules``
makes of each completion, ``calendar`` judges each step's timing and ``history.chain.link``
hashes each event, so the filled history reads as one the platform wrote: ``audit verify``
finds it intact and the execution replay finds nothing but what the times make late.

Times are counted in working minutes: ``Clock`` numbers every working minute of the
province's calendar around the fill's days, so a step's start, due time and completion are
offsets from the dossier's reception, converted to instants by one list lookup.
"""

from __future__ import annotations

import bisect
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from routes import Proc, Stop

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MINUTE = timedelta(minutes=1)
CHANNEL_NOTES = {"direct": "Trực tiếp", "postal": "Bưu chính", "online": "Trực tuyến"}
# Per cent of dossiers by channel (online is submitted from an applicant's account).
CHANNELS = (("online", 35), ("direct", 55), ("postal", 10))
APOLOGY_SHARE = 0.6  # of the dossiers that run late, those whose agency apologised
APOLOGY_REASON = "Cần xác minh thêm thông tin tại cơ quan khác"
APOLOGY_EXTRA_MINUTES = 5 * 480  # the new appointment: five working days later
WORKER_DELAY = timedelta(minutes=5)  # the overdue mark comes with the worker's next round
# Upper bounds of one dossier's rows, so parallel workers can number theirs in disjoint
# ranges that still follow the dossiers' order.
MAX_TASKS = 16
MAX_EVENTS = 48

TASK_COLUMNS = (
    "id", "dossier_id", "procedure_id", "spiff_task_id", "element_id", "name", "role",
    "unit_id", "assignee_id", "state", "form_key", "outcomes", "document", "allotted_minutes",
    "started_at", "due_at", "overdue", "reopened", "returned_from_id", "claimed_at",
    "completed_at", "completed_by_id", "outcome", "meaning", "reason", "note", "data")
LIFE_COLUMNS = (
    "id", "channel", "status", "current_step", "clock_started_at", "due_at", "first_due_at",
    "result_at", "finished_at", "supplement_count", "apology_count", "clocked_minutes",
    "applicant_user_id", "created_by_id", "lock_version")


class Clock:
    """Every working minute from ``first`` to ``last`` (local days), numbered: ``starts[w]``
    is the instant the w-th working minute begins."""

    def __init__(self, calendar: Any, first: date, last: date) -> None:
        starts: list[datetime] = []
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                for begin, end in calendar.periods:
                    at = datetime.combine(day, begin, TZ).astimezone(UTC)
                    stop = datetime.combine(day, end, TZ).astimezone(UTC)
                    while at < stop:
                        starts.append(at)
                        at += MINUTE
            day += timedelta(days=1)
        self.starts = starts
        self.ends = [s + MINUTE for s in starts]

    def index(self, at: datetime) -> int:
        """The working minute ``at`` falls in or, outside working time, the next one (as
        ``WorkingCalendar.next_working_minute``, to the minute rounded up)."""
        return bisect.bisect_left(self.starts, at)

    def instant(self, w0: int, offset: int) -> datetime:
        """``offset`` working minutes after the start of minute ``w0`` (``calendar.add``: a
        span used up at a period's end lands on that end, 12:00, not on 13:00)."""
        return self.starts[w0] if offset == 0 else self.ends[w0 + offset - 1]


@dataclass
class Rows:
    """What one dossier adds: its life (counters and dates), its tasks and its events."""

    life: tuple[Any, ...]
    tasks: list[tuple[Any, ...]]
    events: list[dict[str, Any]]


class Lives:
    """Draws and writes the dossiers' lives: one instance per worker, with its own random
    generator and its own ranges of task and event ids."""

    def __init__(self, procs: dict[int, Proc], clock: Clock, calendar: Any, now: datetime,
                 finished_pct: float, seed: int, task_id: int, event_id: int,
                 applicant_base: int) -> None:
        self.procs = procs
        self.clock = clock
        self.calendar = calendar
        self.now = now
        self.finished = finished_pct / 100
        self.rng = random.Random(seed)
        self.task_id = task_id
        self.event_id = event_id
        self.applicant_base = applicant_base

    def _channel(self) -> str:
        r = self.rng.random() * 100
        for name, pct in CHANNELS:
            if r < pct:
                return name
            r -= pct
        return CHANNELS[-1][0]

    def _variant(self, proc: Proc, finished: bool) -> str:
        r = self.rng.random()
        for name, share in proc.shares:
            if r < share:
                # A refusal ends the dossier at once: only a finished one went that way.
                return name if finished or name != "refused" else "plain"
            r -= share
        return "plain"

    def _duration(self, stop: Stop, pace: float, online: bool) -> int:
        rng = self.rng
        if stop.kind == "receive":
            # At the counter the desk checks the papers while the applicant waits; online,
            # within its allotted time, sometimes not.
            if not online:
                return rng.randint(2, 20)
            return max(1, round(stop.allotted * rng.uniform(0.05, 1.3)))
        if stop.kind == "citizen":
            return rng.randint(480, 4800)  # 1 to 10 working days to bring the papers
        if stop.kind == "collect":
            return rng.randint(5, 120)
        return max(1, round(stop.allotted * pace * rng.uniform(0.6, 1.4)))

    def _pace(self) -> float:
        # Most dossiers well within their time, some close to it, about one in six late.
        r = self.rng.random()
        if r < 0.74:
            return self.rng.uniform(0.25, 0.85)
        if r < 0.88:
            return self.rng.uniform(0.85, 0.97)
        return self.rng.uniform(1.0, 1.6)

    def life(self, dossier_id: int, i: int, proc_no: int, received_at: datetime,
             receiver_id: int, specialist_id: int) -> Rows:
        proc = self.procs[proc_no]
        rng = self.rng
        clock = self.clock
        channel = self._channel()
        online = channel == "online"
        finished = rng.random() < self.finished
        stops = proc.routes[(self._variant(proc, finished), online)]
        n = len(stops)
        pace = self._pace()
        ends = [0]
        for stop in stops:
            ends.append(ends[-1] + self._duration(stop, pace, online))
        w0 = clock.index(received_at)

        def at(offset: int) -> datetime:
            return clock.instant(w0, offset)

        if finished:
            standing = n + 1
        else:
            total = sum(s.weight for s in stops)
            r = rng.random() * total
            standing = n
            for k, stop in enumerate(stops, 1):
                if r < stop.weight:
                    standing = k
                    break
                r -= stop.weight
        # Nothing is completed after now: a dossier received lately stands where its
        # schedule has got to.
        for k in range(1, standing):
            if at(ends[k]) > self.now:
                standing = k
                break
        done = standing - 1  # completed stops
        applicant = self.applicant_base + i % 2816 if online else None
        actor_of = {"receiver": receiver_id, "specialist": specialist_id}

        def who(stop: Stop) -> int | None:
            return actor_of.get(stop.who, stop.who_id)

        # The legal clock, in offsets from the reception, counted as ``flow.count_clock``
        # does: the minutes it ran are added when it stops (a supplement request, the
        # result ready, the end).
        clock_start: int | None = None if online else 0
        due_off: int | None = proc.limit if (not online and proc.limit) else None
        result_off: int | None = None
        clocked = supplements = 0
        status = "received"

        def runs(ended: bool) -> bool:
            return (clock_start is not None and not ended and result_off is None
                    and status != "supplement_requested")

        for k in range(1, done + 1):
            stop = stops[k - 1]
            was_running = runs(False)
            before, status = status, stop.status_after
            if status == "supplement_requested" and before != status:
                supplements += 1
            if stop.clock == "start":
                clock_start = ends[k]
                due_off = ends[k] + proc.limit if proc.limit else None
            elif stop.clock == "stop":
                due_off = None
            if status == "done" and result_off is None:
                result_off = ends[k]
            if was_running and not runs(k == n) and clock_start is not None:
                clocked += ends[k] - clock_start
        finished_at = at(ends[n]) if done == n else None
        result_at = at(result_off) if result_off is not None else None
        # Judged when handled: the result ready, else the end (a refusal).
        handled_at = result_at or finished_at
        first_due = at(due_off) if due_off is not None else None

        tasks: list[tuple[Any, ...]] = []
        events: list[tuple[datetime, int, dict[str, Any]]] = []
        base = self.task_id
        self.task_id += done + (1 if done < n else 0)
        desk = stops[0].unit_id

        def event(when: datetime, **fields: Any) -> None:
            events.append((when, len(events), fields))

        event(received_at, action="received",
              actor_id=applicant if online else receiver_id,
              actor_role="applicant" if online else "receiver",
              actor_unit_id=None if online else desk, unit_id=desk,
              to_step=stops[0].name, to_steps=[stops[0].element], to_tasks=[base],
              note=CHANNEL_NOTES[channel])
        for k in range(1, min(standing, n) + 1):
            stop = stops[k - 1]
            task_id = base + k - 1
            started = received_at if k == 1 else at(ends[k - 1])
            due = at(ends[k - 1] + stop.allotted) if stop.allotted else None
            completed = at(ends[k]) if k <= done else None
            overdue = due is not None and (completed or self.now) > due + WORKER_DELAY
            if overdue and due is not None:
                event(due + WORKER_DELAY, action="overdue", step=stop.element,
                      step_name=stop.name, unit_id=stop.unit_id, due_at=due, timing="late",
                      task_id=task_id)
            returned_from = base + stop.reopened_by if stop.reopened_by is not None else None
            reason = stop.note if stop.meaning in ("refuse", "supplement", "back") else None
            if completed is None:
                assignee = specialist_id if stop.assign_specialist else None
                tasks.append((task_id, dossier_id, proc.procedure_id, _uuid(task_id),
                              stop.element, stop.name, stop.role, stop.unit_id, assignee,
                              "ready", stop.form_key, stop.outcomes, stop.document,
                              stop.allotted, started, due, overdue,
                              stop.reopened_by is not None, returned_from, None, None, None,
                              None, None, None, None, None))
                continue
            actor = who(stop)
            tasks.append((task_id, dossier_id, proc.procedure_id, _uuid(task_id), stop.element,
                          stop.name, stop.role, stop.unit_id, actor, "completed",
                          stop.form_key, stop.outcomes, stop.document, stop.allotted, started,
                          due, overdue, stop.reopened_by is not None, returned_from, None,
                          completed, actor, stop.outcome, stop.meaning, reason, stop.note,
                          stop.data))
            acting = {"actor_id": actor, "actor_role": stop.role, "actor_unit_id": stop.unit_id}
            event(completed, action="completed", **acting, step=stop.element,
                  step_name=stop.name, from_step=stop.name, to_step=stop.next_name,
                  to_steps=[stop.next_element] if stop.next_element else [],
                  to_tasks=[task_id + 1] if stop.next_element else [], unit_id=stop.unit_id,
                  outcome=stop.outcome, meaning=stop.meaning, note=stop.note,
                  timing=self.calendar.timing(due, completed), started_at=started,
                  due_at=due, task_id=task_id)
            for kind, element in stop.issues:
                event(completed, action="document", **acting, step=element, document=kind,
                      task_id=task_id)

        due_at, apologies = first_due, 0
        apology = self._apology(proc, stops, ends, standing, status, clock_start, due_off,
                                handled_at, at)
        if apology is not None:
            when, new_due = apology
            due_at, apologies = new_due, 1
            assert proc.leader is not None
            user_id, role, unit = proc.leader
            acting = {"actor_id": user_id, "actor_role": role, "actor_unit_id": unit}
            event(when, action="extended", **acting, note=APOLOGY_REASON, due_at=new_due)
            event(when, action="document", **acting, document="apology")
        events.sort(key=lambda e: (e[0], e[1]))
        current = stops[standing - 1].name if done < n else None
        life = (dossier_id, channel, status, current,
                at(clock_start) if clock_start is not None else None, due_at, first_due,
                result_at, finished_at, supplements, apologies, clocked, applicant,
                applicant if online else receiver_id, 1 + done + 2 * apologies)
        return Rows(life, tasks, [dict(fields, at=when) for when, _n, fields in events])

    def _apology(self, proc: Proc, stops: list[Stop], ends: list[int], standing: int,
                 status: str, clock_start: int | None, due_off: int | None,
                 handled_at: datetime | None, at: Callable[[int], datetime]
                 ) -> tuple[datetime, datetime] | None:
        """For a dossier that ran late: most agencies apologise shortly before the
        appointment, while the dossier is still being handled (not waiting for the citizen's
        papers, not with its result ready)."""
        if due_off is None or clock_start is None or proc.leader is None:
            return None
        late = (handled_at > at(due_off) if handled_at is not None
                else at(due_off) < self.now and status != "supplement_requested")
        if not late or self.rng.random() >= APOLOGY_SHARE:
            return None
        offset = due_off - self.rng.randint(30, 240)
        if offset <= clock_start or at(offset) > self.now:
            return None
        # The stop under way at that offset (a dossier still open has not gone further).
        k = min(bisect.bisect_right(ends, offset), standing)
        if k > len(stops) or stops[k - 1].kind == "citizen" or any(
                kind == "result" for s in stops[:k - 1] for kind, _e in s.issues):
            return None
        return at(offset), at(due_off + APOLOGY_EXTRA_MINUTES)


def _uuid(task_id: int) -> str:
    # Unique per task like the engine's ids, without the cost of uuid4 per row.
    return f"00000000-0000-4000-8000-{task_id:012d}"


def chained(dossier_id: int, events: Iterable[dict[str, Any]], first_id: int
            ) -> list[tuple[Any, ...]]:
    """The events as history_event rows: ``id``, ``seq``, ``hash`` and the chained fields,
    each hash linked to the one before it by the platform's own ``link``."""
    from motcua.history.chain import CHAINED_FIELDS, GENESIS, link

    rows = []
    previous = GENESIS
    for seq, fields in enumerate(events, 1):
        fields = {**fields, "dossier_id": dossier_id, "seq": seq}
        previous = link(previous, fields)
        rows.append((first_id + seq - 1, previous,
                     *[_column(name, fields.get(name)) for name in CHAINED_FIELDS]))
    return rows


def _column(name: str, value: Any) -> Any:
    # COPY takes JSON columns as text.
    if name in ("to_steps", "to_tasks") and value is not None:
        return json.dumps(value, ensure_ascii=False)
    return value


def event_columns() -> tuple[str, ...]:
    from motcua.history.chain import CHAINED_FIELDS

    return ("id", "hash", *CHAINED_FIELDS)
