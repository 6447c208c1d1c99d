"""Handling is judged when the result is ready: returning it to the applicant is outside the
legal time limit, so a result ready in time and collected after the appointment is not late,
and the legal clock stops with the result."""

from __future__ import annotations

from execution_support import Life, by_rule, dossier, findings
from sqlalchemy import select

from motcua.calendar.operations import load_calendar
from motcua.db import db
from motcua.dossiers.models import Dossier, DossierStatus
from motcua.dossiers.timing import is_late, timing_of_finished
from support.clock import FakeClock
from support.walk import Walker


def test_a_result_ready_in_time_and_collected_late_is_not_late(walker: Walker,
                                                               clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 4)  # up to the result, hours apart
    ready = dossier(life.code)
    assert ready.status == DossierStatus.DONE and ready.result_at == clock()
    assert ready.finished_at is None
    result_at, started = clock(), ready.clock_started_at
    assert started is not None
    clock.advance(days=20)  # the applicant comes long after the appointment
    life.through(5)
    returned = dossier(life.code)
    assert returned.status == DossierStatus.RETURNED
    assert returned.first_due_at is not None and returned.finished_at is not None
    assert returned.finished_at > returned.first_due_at > result_at
    db.session.expire_all()
    judged = db.session.scalar(select(timing_of_finished()).where(Dossier.id == returned.id))
    assert judged == "early"
    assert not db.session.scalar(select(is_late(clock())).where(Dossier.id == returned.id))
    assert by_rule(findings(life.code, clock), "late_dossier") == []
    # The clock ran from reception to the result, not to the return.
    assert returned.clocked_minutes == load_calendar().elapsed(started, result_at)


def test_a_result_ready_after_the_appointment_is_late(walker: Walker,
                                                      clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=20)
    life.through(1)
    late = dossier(life.code)
    db.session.expire_all()
    assert db.session.scalar(select(timing_of_finished()).where(Dossier.id == late.id)) == "late"
    [finding] = by_rule(findings(life.code, clock), "late_dossier")
    assert "có kết quả lúc" in finding.message
