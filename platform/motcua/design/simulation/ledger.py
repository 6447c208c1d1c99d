"""What the simulated dossier's record would say after each step: its status, the legal clock
(appointment), the refusal mark and the standard documents issued. The rules are the real
dossier's own (``dossiers.rules``, which ``dossiers.flow`` applies to rows), applied here to
values held in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from motcua.calendar.working_time import WorkingCalendar
from motcua.dossiers.models import DossierStatus
from motcua.dossiers.rules import (
    Act,
    completion_effects,
    next_status,
    owes_refusal,
    reconsiders_refusal,
)
from motcua.processes.checks import StepConfig
from motcua.processes.meanings import Meaning


@dataclass
class Visit:
    """One task of the simulated dossier: a visit of a step, in the order tasks were opened."""

    seq: int
    step: StepConfig
    started_at: datetime
    due_at: datetime | None
    # Filled when the simulation completes it.
    finished_at: datetime | None = None
    outcome: str | None = None
    meaning: Meaning | None = None
    documents: list[str] = field(default_factory=list)
    status: str | None = None
    done_order: int | None = None

    @property
    def finish(self) -> datetime:
        """The rule of a test run: each step takes its whole allotted time (a step without
        one takes none), so the end shows the latest finish that is still on time."""
        return self.due_at or self.started_at


@dataclass
class Ledger:
    calendar: WorkingCalendar
    time_limit_minutes: int
    declares_supplement: bool
    status: str = DossierStatus.RECEIVED.value
    clock_started_at: datetime | None = None
    due_at: datetime | None = None
    refusal: Visit | None = None
    issued: list[tuple[str, Visit]] = field(default_factory=list)
    done: list[Visit] = field(default_factory=list)

    def receive(self, at: datetime, online: bool) -> None:
        """The legal clock runs from reception, or for an online dossier from acceptance."""
        if not online:
            self.start_clock(at)

    def start_clock(self, at: datetime) -> None:
        self.clock_started_at = self.calendar.next_working_minute(at)
        self.due_at = (self.calendar.add(at, self.time_limit_minutes)
                       if self.time_limit_minutes else None)

    def stop_clock(self) -> None:
        self.due_at = None

    def opened(self, visit: Visit, meaning: Meaning | None) -> None:
        """A task opened by a step sent back to it, or to a step before the refusing one,
        reconsiders the refusal."""
        previous = next((v for v in reversed(self.done) if v.step.element_id
                         == visit.step.element_id), None)
        if reconsiders_refusal(meaning, previous.seq if previous else None,
                               self.refusal.seq if self.refusal else None):
            self.refusal = None

    def completed(self, visit: Visit, created: list[Visit], still_open: list[Visit],
                  ended: bool) -> None:
        assert visit.finished_at is not None
        visit.done_order = len(self.done)
        self.done.append(visit)
        now, step = visit.finished_at, visit.step
        issue: list[str] = []
        for effect in completion_effects(
                visit.meaning, step.document, step.element_id,
                clock_running=self.clock_started_at is not None,
                receipt_issued=lambda: any(kind == "receipt" for kind, _ in self.issued),
                declares_supplement=self.declares_supplement,
                created=[(row.step.element_id, row.step.document) for row in created]):
            if effect.act is Act.START_CLOCK:
                self.start_clock(now)
            elif effect.act is Act.STOP_CLOCK:
                self.stop_clock()
            elif effect.act is Act.MARK_REFUSAL:
                self.refusal = visit
            else:
                issue.append(effect.kind or "")
        status = next_status(
            DossierStatus(self.status), ended=ended, refused=self.refusal is not None,
            supplement_waiting=any(row.step.document == "supplement" for row in still_open),
            issues_result=step.document == "result", completed=True,
            clock_running=self.clock_started_at is not None)
        self.status = status.value
        if ended:
            if owes_refusal(status, issued_now="refusal" in issue,
                            issued_for_it=self._refusal_issued):
                issue.append("refusal")
        elif status == DossierStatus.SUPPLEMENT_REQUESTED:
            self.stop_clock()
        visit.documents = issue
        visit.status = self.status
        self.issued.extend((kind, visit) for kind in issue)

    def _refusal_issued(self) -> bool:
        """Form 03 was issued for the refusal in force, by a step after it was decided."""
        refusing = self.refusal
        if refusing is None or refusing.done_order is None:
            return False
        return any(kind == "refusal" and (by.done_order or 0) >= refusing.done_order
                   for kind, by in self.issued)
