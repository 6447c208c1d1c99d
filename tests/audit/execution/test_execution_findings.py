"""Findings of one dossier's history replayed on the version it ran, on lifecycles of the
sample procedure 2.000488 walked with the test's clock (Monday 16 March 2026, 09:00; working
time 08:00–12:00 and 13:00–17:00; 10 working days for the procedure, so the appointment of
a dossier received then is Monday 30 March, 09:00)."""

from __future__ import annotations

from typing import Any

from execution_support import (
    AGENCY,
    UNIT,
    Life,
    agency_id,
    by_rule,
    dossier,
    findings,
    rewrite,
)
from sqlalchemy import select

from motcua.audit.integrity.verify import chain_break
from motcua.db import db
from motcua.dossiers.operations import lock_dossier
from motcua.history.models import EventAction
from motcua.history.operations import Actor, record
from motcua.org.models import Membership, User
from support.clock import FakeClock
from support.walk import Walker


def _user(username: str) -> User:
    found = db.session.scalar(select(User).where(User.username == username))
    assert found is not None
    return found


def test_a_conforming_dossier_has_no_finding(walker: Walker, clock: FakeClock) -> None:
    life = Life(walker, clock).receive().to_the_end()
    assert dossier(life.code).status == "returned"
    assert findings(life.code, clock) == []


def test_a_step_completed_late_is_late_by_its_working_time(walker: Walker,
                                                          clock: FakeClock) -> None:
    # Examination opens Monday 16 at 11:00 with 7 working days: due Wednesday 25, 11:00.
    life = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=14)
    life.step("cv.mai", "approve")  # Monday 30, 12:00
    [late] = by_rule(findings(life.code, clock), "late_step")
    # Wednesday 11–12 and 13–17, Thursday, Friday, Monday 8–12: 5 + 8 + 8 + 4 hours.
    assert late.minutes == 25 * 60
    assert (late.severity.value, late.element_id) == ("warning", "Task_Examine")
    assert late.event == life.event("Task_Examine").seq
    assert late.officer_id == _user("cv.mai").id
    assert "Thẩm định hồ sơ" in late.message and "3 ngày 1 giờ" in late.message


def test_a_late_dossier_without_an_apology_is_an_error(walker: Walker,
                                                      clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=14)
    life.through(1)  # examined at 12:00 on Monday 30, result at 15:00, returned at 16:00
    found = findings(life.code, clock)
    [late] = by_rule(found, "late_dossier")
    # Judged when the result was ready (returning it is not counted in the time limit):
    # 09:00–12:00 and 13:00–15:00 past the appointment.
    assert late.minutes == 5 * 60
    assert "có kết quả lúc" in late.message
    assert late.severity.value == "warning"
    [missing] = by_rule(found, "late_without_apology")
    assert missing.severity.value == "error"
    assert "Mẫu 04" in missing.message and "30/03/2026 09:00" in missing.message


def test_an_apology_before_the_appointment_passed_answers_for_the_delay(
        walker: Walker, clock: FakeClock, api: Any) -> None:
    life = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=9)  # Wednesday 25: the delay is known before the appointment
    response = api.post("gd.son", f"/dossiers/{life.code}/apology", json={
        "reason": "Chờ kết quả xác minh của cơ quan công an", "new_due": "2026-04-03T16:00"})
    assert response.status_code == 200, response.get_json()
    clock.advance(days=5)
    life.through(1)
    found = findings(life.code, clock)
    assert by_rule(found, "late_dossier")  # the appointment the on-time rules count is kept
    assert not by_rule(found, "late_without_apology")


def test_an_apology_made_after_the_appointment_passed_is_still_missing(
        walker: Walker, clock: FakeClock, api: Any) -> None:
    life = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=14)  # Monday 30, 11:00: two hours past the appointment
    response = api.post("gd.son", f"/dossiers/{life.code}/apology", json={
        "reason": "Chờ kết quả xác minh", "new_due": "2026-04-03T16:00"})
    assert response.status_code == 200, response.get_json()
    [missing] = by_rule(findings(life.code, clock), "late_without_apology")
    assert "30/03/2026 11:00" in missing.message


def test_an_open_dossier_past_its_appointment_is_late_now(walker: Walker,
                                                         clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=15)  # Tuesday 31, 11:00, still at examination
    found = findings(life.code, clock)
    [late] = by_rule(found, "late_dossier")
    assert late.minutes == (3 + 4 + 3) * 60
    assert "chưa giải quyết xong" in late.message
    assert by_rule(found, "late_without_apology")
    assert not by_rule(found, "late_step")  # the examination is open, not completed late


def test_a_send_back_to_the_step_before_is_inside_the_model(walker: Walker,
                                                           clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 1)
    life.step("tp.hung", "back", note="Bổ sung kết quả tra cứu")
    life.through(1)
    assert life.event("Task_Review").meaning == "back"
    assert findings(life.code, clock) == []


def test_a_send_back_to_a_later_step_is_outside_the_model(walker: Walker,
                                                         clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 1)
    life.step("tp.hung", "back", note="Bổ sung kết quả tra cứu").through(1)
    back = life.event("Task_Review")
    # The leader's approval follows the review in the model, but it is no step before it.
    rewrite(back, to_steps=["Task_Approve"])
    [finding] = by_rule(findings(life.code, clock), "back_outside_model")
    assert (finding.severity.value, finding.event) == ("error", back.seq)
    assert "Phê duyệt, ký kết quả" in finding.message
    assert not by_rule(findings(life.code, clock), "outside_model")


def test_a_hand_over_skipping_a_published_step_is_outside_the_model(
        walker: Walker, clock: FakeClock) -> None:
    life = Life(walker, clock).receive().to_the_end()
    assign = life.event("Task_Assign")
    rewrite(assign, to_steps=["Task_Review"])  # as if the examination had been skipped
    received = life.event(None, EventAction.RECEIVED)
    found = findings(life.code, clock)
    [skip] = by_rule(found, "outside_model")
    assert (skip.element_id, skip.event) == ("Task_Assign", assign.seq)
    assert "Xem xét, trình ký" in skip.message
    assert received.seq == 1
    assert chain_break(dossier(life.code).id) is not None


def test_the_membership_recorded_at_completion_decides_not_the_one_held_now(
        walker: Walker, clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 1)
    # Phạm Thị Mai moves from the handling unit to the department after her examination.
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == _user("cv.mai").id, Membership.role == "specialist"))
    assert membership is not None
    membership.agency_id = agency_id(AGENCY)
    db.session.commit()
    life.through(2)
    assert findings(life.code, clock) == []
    # Had the history recorded her acting for the department, the step was outside its lane.
    examine = life.event("Task_Examine")
    rewrite(examine, actor_unit_id=agency_id(AGENCY))
    [lane] = by_rule(findings(life.code, clock), "outside_lane")
    assert (lane.severity.value, lane.event, lane.element_id) == ("error", examine.seq,
                                                                  "Task_Examine")
    assert "Phạm Thị Mai" in lane.message
    assert "Chuyên viên tại Sở Tư pháp" in lane.message
    assert "Chuyên viên tại Phòng Hành chính tư pháp" in lane.message
    assert agency_id(UNIT) != agency_id(AGENCY)


def test_an_officer_moved_before_completing_their_task_acts_outside_its_lane(
        walker: Walker, clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 0)
    # The examination is assigned to Phạm Thị Mai; she moves to the department, then
    # completes it: the history records the membership she held, not the task's.
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == _user("cv.mai").id, Membership.role == "specialist"))
    assert membership is not None
    membership.agency_id = agency_id(AGENCY)
    db.session.commit()
    life.through(1, 1)
    examine = life.event("Task_Examine")
    assert (examine.actor_role, examine.actor_unit_id) == ("specialist", agency_id(AGENCY))
    [lane] = by_rule(findings(life.code, clock), "outside_lane")
    assert (lane.event, lane.element_id) == (examine.seq, "Task_Examine")
    assert "Chuyên viên tại Sở Tư pháp" in lane.message


def test_a_completion_forged_under_the_lock_is_found_though_its_chain_holds(
        walker: Walker, clock: FakeClock) -> None:
    life = Life(walker, clock).receive().through(0, 1)
    examine = life.event("Task_Examine")
    target = dossier(life.code)
    lock_dossier(target.id)
    record(target.id, EventAction.COMPLETED, clock(),
           actor=Actor(_user("vt.ha"), "clerk", agency_id(AGENCY)), step="Task_Examine",
           step_name="Thẩm định hồ sơ", task_id=examine.task_id, to_steps=[], to_tasks=[])
    db.session.commit()
    found = findings(life.code, clock)
    [lane] = by_rule(found, "outside_lane")
    assert "Vũ Thu Hà" in lane.message and "Văn thư tại Sở Tư pháp" in lane.message
    # Its task was completed already: nothing handed the dossier to it again.
    [again] = by_rule(found, "outside_model")
    assert "chưa được chuyển đến" in again.message
    assert chain_break(target.id) is None


def test_a_supplement_request_stops_the_clock_until_the_complete_dossier(
        walker: Walker, clock: FakeClock) -> None:
    life = Life(walker, clock).receive("supplement")  # Monday 16, 10:00
    life.step("mc.lan", hours=51)  # the complete dossier back on Wednesday 18, 13:00
    life.step("mc.lan", "accept").to_the_end()
    found = findings(life.code, clock)
    [stop] = found
    assert (stop.rule.value, stop.severity.value) == ("clock_stop", "info")
    assert stop.calendar_minutes == 51 * 60
    # Monday 10–12 and 13–17, Tuesday, Wednesday 8–12.
    assert stop.minutes == (2 + 4 + 8 + 4) * 60
    assert stop.event == life.event("Task_Receive", EventAction.DOCUMENT).seq
    assert "2 ngày 3 giờ theo lịch" in stop.message


def test_two_supplement_requests_count_as_late(walker: Walker, clock: FakeClock) -> None:
    life = Life(walker, clock).receive("supplement")
    life.step("mc.lan").step("mc.lan", "accept").through(0, 0)
    life.step("cv.mai", "supplement", note="Thiếu bản sao căn cước")
    life.step("mc.lan")  # the second complete dossier, at the desk
    life.through(1)
    found = findings(life.code, clock)
    assert [f.rule.value for f in found] == ["clock_stop", "clock_stop", "multi_supplement"]
    multi = found[-1]
    assert multi.severity.value == "warning" and "766" in multi.message
    assert multi.officer_id == _user("cv.mai").id
    assert dossier(life.code).supplement_count == 2


def test_a_dossier_stopped_while_waiting_for_a_supplement(walker: Walker, clock: FakeClock,
                                                          api: Any) -> None:
    life = Life(walker, clock).receive("supplement")
    clock.advance(hours=3)
    response = api.post("mc.lan", f"/dossiers/{life.code}/stop",
                        json={"reason": "Tổ chức, cá nhân rút hồ sơ"})
    assert response.status_code == 200, response.get_json()
    [stop] = findings(life.code, clock)
    assert (stop.rule.value, stop.severity.value) == ("clock_stop", "warning")
    assert stop.calendar_minutes == 3 * 60
