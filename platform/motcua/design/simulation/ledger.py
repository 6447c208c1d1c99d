"""What the simulated dossier's record would say after each step: its status, the legal clock
(appointment), the refusal mark and the standard documents issued. The same rules, in the
same order, as ``dossiers.flow`` (``_completion_effects``, ``_status``, the refusal mark
cleared in ``_new_task``), on values held in memory instead of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from motcua.calendar.working_time import WorkingCalendar
from motcua.dossiers.models import DossierStatus
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
        reconsiders the refusal (``dossiers.flow._new_task``)."""
        if meaning is not Meaning.BACK or self.refusal is None:
            return
        previous = next((v for v in reversed(self.done) if v.step.element_id
                         == visit.step.element_id), None)
        if previous is not None and previous.seq <= self.refusal.seq:
            self.refusal = None

    def completed(self, visit: Visit, created: list[Visit], still_open: list[Visit],
                  ended: bool) -> None:
        assert visit.finished_at is not None
        visit.done_order = len(self.done)
        self.done.append(visit)
        now, meaning, document = visit.finished_at, visit.meaning, visit.step.document
        issue: list[str] = []
        if meaning is Meaning.ACCEPT and self.clock_started_at is None:
            self.start_clock(now)
        elif meaning is Meaning.SUPPLEMENT:
            self.stop_clock()
            issue.append("supplement")
        elif meaning is Meaning.REFUSE:
            self.refusal = visit
        if document == "supplement":
            # The complete dossier is back: the clock restarts, with a new receipt if one
            # was given before.
            self.start_clock(now)
            if any(kind == "receipt" for kind, _ in self.issued):
                issue.append("receipt")
        elif document == "receipt":
            if meaning not in (Meaning.REFUSE, Meaning.SUPPLEMENT):
                issue.append("receipt")
        elif document is not None:
            issue.append(document)
        if not self.declares_supplement:
            for row in created:
                if row.step.document == "supplement":
                    self.stop_clock()
                    issue.append("supplement")
        self._status(visit, still_open, ended, issue)
        visit.documents = issue
        visit.status = self.status
        self.issued.extend((kind, visit) for kind in issue)

    def _status(self, visit: Visit, still_open: list[Visit], ended: bool,
                issue: list[str]) -> None:
        if ended:
            refused = self.refusal is not None
            self.status = (DossierStatus.REFUSED if refused else DossierStatus.RETURNED).value
            if refused and "refusal" not in issue and not self._refusal_issued():
                issue.append("refusal")
        elif any(row.step.document == "supplement" for row in still_open):
            self.status = DossierStatus.SUPPLEMENT_REQUESTED.value
            self.stop_clock()
        elif self.refusal is None and (visit.step.document == "result"
                                       or self.status == DossierStatus.DONE):
            self.status = DossierStatus.DONE.value
        elif self.clock_started_at is None:
            self.status = DossierStatus.RECEIVED.value
        else:
            self.status = DossierStatus.PROCESSING.value

    def _refusal_issued(self) -> bool:
        """Form 03 was issued for the refusal in force, by a step after it was decided."""
        refusing = self.refusal
        if refusing is None or refusing.done_order is None:
            return False
        return any(kind == "refusal" and (by.done_order or 0) >= refusing.done_order
                   for kind, by in self.issued)
