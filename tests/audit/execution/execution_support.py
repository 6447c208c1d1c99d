"""Lifecycles of the sample procedure 2.000488 for the execution checks, walked by the sample
province's officers as the test's clock stands, and ways to alter a history afterwards as
only a maintenance session (or a forged write under the dossier's lock) could."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from motcua.audit.execution.findings import Finding
from motcua.audit.execution.operations import findings_for
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.history.maintenance import maintenance_session
from motcua.history.models import EventAction, HistoryEvent
from motcua.org.models import Agency
from support.clock import FakeClock, local
from support.walk import Walker

PROCEDURE = "2.000488"
START_FORM = "to-khai-ly-lich-tu-phap"
UNIT = "000.12.12.H99"  # Phòng Hành chính tư pháp, the handling unit
AGENCY = "000.00.12.H99"  # Sở Tư pháp, the competent agency
# The sample process's steps after reception, in order, with who completes each and how.
AFTER_RECEPTION: tuple[tuple[str, str | None, dict[str, Any]], ...] = (
    ("tp.hung", None, {"assignee": "cv.mai"}), ("cv.mai", "approve", {}),
    ("tp.hung", "agree", {}), ("gd.son", "sign", {}), ("vt.ha", None, {}), ("mc.lan", None, {}))


def dossier(code: str) -> Dossier:
    found = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert found is not None
    return found


def findings(code: str, clock: FakeClock) -> list[Finding]:
    db.session.expire_all()
    return findings_for(dossier(code), now=clock())


def by_rule(found: list[Finding], rule: str) -> list[Finding]:
    return [f for f in found if f.rule.value == rule]


def agency_id(code: str) -> int:
    found = db.session.scalar(select(Agency.id).where(Agency.code == code))
    assert found is not None
    return found


class Life:
    """Walks one dossier of 2.000488 as the sample's officers, an hour apart by default."""

    def __init__(self, walker: Walker, clock: FakeClock) -> None:
        self.walker, self.clock = walker, clock
        self.code = ""

    def receive(self, outcome: str = "accept") -> Life:
        """Received at the clock's time by mc.lan, checked an hour later."""
        self.code = self.walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
        return self.step("mc.lan", outcome,
                         note="Thiếu bản sao giấy tờ" if outcome != "accept" else None)

    def step(self, user: str, outcome: str | None = None, hours: float = 1,
             note: str | None = None, **data: Any) -> Life:
        self.clock.advance(hours=hours)
        self.walker.complete(user, self.code, outcome, note=note, **data)
        return self

    def through(self, first: int, last: int | None = None, hours: float = 1) -> Life:
        """Steps ``first`` to ``last`` (0-based, inclusive) of ``AFTER_RECEPTION``."""
        for user, outcome, data in AFTER_RECEPTION[first:None if last is None else last + 1]:
            self.step(user, outcome, hours, **data)
        return self

    def to_the_end(self, hours: float = 1) -> Life:
        return self.through(0, hours=hours)

    def event(self, step: str | None, action: EventAction = EventAction.COMPLETED,
              nth: int = 0) -> HistoryEvent:
        events = list(db.session.scalars(
            select(HistoryEvent).where(HistoryEvent.dossier_id == dossier(self.code).id,
                                       HistoryEvent.step == step, HistoryEvent.action == action)
            .order_by(HistoryEvent.seq)))
        return events[nth]


def rewrite(event: HistoryEvent, **values: Any) -> None:
    """Edit a history row in place, as a database administrator could (the chain breaks)."""
    with maintenance_session(db.session.connection()):
        db.session.execute(update(HistoryEvent).where(HistoryEvent.id == event.id)
                           .values(**values))
    db.session.expire_all()


def three_lives(walker: Walker, clock: FakeClock) -> dict[str, str]:
    """B: examined 3 days 1 hour late, returned 6 working hours after its appointment without
    an apology, its assignment forged to skip the examination. A: on time throughout. C: two
    supplement requests (the desk's, then Phạm Thị Mai's), her second examination forged as
    done for the department."""
    b = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=14)
    b.through(1)
    rewrite(b.event("Task_Assign"), to_steps=["Task_Review"])
    clock.set(local(2026, 3, 31, 9, 0))
    a = Life(walker, clock).receive().to_the_end()
    clock.set(local(2026, 4, 1, 9, 0))
    c = Life(walker, clock).receive("supplement")
    c.step("mc.lan").step("mc.lan", "accept").through(0, 0)
    c.step("cv.mai", "supplement", note="Thiếu bản sao căn cước").step("mc.lan").through(1)
    rewrite(c.event("Task_Examine", nth=1), actor_unit_id=agency_id(AGENCY))
    return {"A": a.code, "B": b.code, "C": c.code}
