"""``POST /drafts/{id}/simulate``: parallel branches, a gateway on the dossier's data, a timer
that never fires, due times on the working-time calendar over weekends and holidays, the
loop bound, the refusal of a draft with errors or of unknown choices, nothing stored, and
who may run it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from parallel import BPMN, LAND, WAITING
from sim_support import DESIGNER, holders
from sqlalchemy import func, select

from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import public_holidays
from motcua.catalog.operations import get_procedure
from motcua.db import db
from motcua.design.models import ProcessDraft
from motcua.design.simulation import MAX_VISITS
from motcua.org.models import OFFICER_ROLES
from motcua.processes.operations import check
from support.api import AGENCY, DESK, PROCEDURE, UNIT, Api
from support.clock import local

BIG = {"so_tien": 5000}


def make_draft(api: Api, bpmn: str = BPMN) -> int:
    response = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE, "bpmn": bpmn})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def simulate(api: Api, draft_id: int, user: str = DESIGNER, **body: Any) -> Any:
    return api.post(user, f"/drafts/{draft_id}/simulate", json=body)


def ok(api: Api, draft_id: int, **body: Any) -> dict[str, Any]:
    response = simulate(api, draft_id, **body)
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def test_both_parallel_branches_run_and_the_longer_one_opens_the_next_step(
        designer: Api) -> None:
    draft = make_draft(designer)
    answer = ok(designer, draft, data=BIG)
    rows = [(s["order"], s["element_id"], s["role"], s["unit"], s["agency"], at(s["due_at"]))
            for s in answer["path"]]
    assert rows == [
        (1, "Receive", "receiver", DESK, DESK, local(2026, 3, 16, 14, 0)),
        # Both branches open when reception ends; the shorter finishes first.
        (2, "Consult", "specialist", LAND, "000.00.10.H99", local(2026, 3, 17, 14, 0)),
        (3, "Examine", "specialist", UNIT, AGENCY, local(2026, 3, 19, 14, 0)),
        # The join waits for the longer branch; the amount sends it to the review.
        (4, "Review", "unit_head", UNIT, AGENCY, local(2026, 3, 20, 9, 0)),
        # One working day from Friday 09:00 is Monday 09:00.
        (5, "Approve", "leader", AGENCY, AGENCY, local(2026, 3, 23, 9, 0)),
        (6, "Return", "receiver", DESK, DESK, None),
    ]
    assert [at(s["started_at"]) for s in answer["path"]][1:3] == [local(2026, 3, 16, 14, 0)] * 2
    assert answer["path"][1]["unit_name"] == "Phòng Đất đai"
    assert answer["path"][1]["agency_name"] == "Sở Nông nghiệp và Môi trường"
    assert (answer["status"], answer["ended"]) == ("returned", True)
    assert answer["end"].startswith("Hồ sơ kết thúc: Trả kết quả")
    assert [d["kind"] for s in answer["path"] for d in s["documents"]] == ["receipt", "result"]
    assert {"f_a", "f_b", "f_a2", "f_b2", "f_big", "f_agree", "f_return"} <= set(answer["flows"])
    assert "f_small" not in answer["flows"] and "f_late" not in answer["flows"]
    assert "Remind" not in answer["elements"]
    assert any("Quá hạn lấy ý kiến" in note for note in answer["notes"])
    # The appointment: ten working days from reception.
    assert at(answer["due_at"]) == load_calendar().add(local(2026, 3, 16, 9, 0), 10 * 480)


def test_each_task_names_who_would_receive_it_and_nobody_is_a_note(
        designer: Api, org: dict[str, Any]) -> None:
    held = holders(org)
    # A role nobody holds at the desk: the lane's tasks would reach no worklist.
    role = next(r for r in OFFICER_ROLES if (r, DESK) not in held)
    desk_lane = '"receiver"/><spiffworkflow:property name="unit" value="@desk"'
    assert desk_lane in BPMN
    answer = ok(designer, make_draft(designer, BPMN.replace(
        desk_lane, desk_lane.replace('"receiver"', f'"{role}"'), 1)), data=BIG)
    for step in answer["path"]:
        assert sorted(step["receivers"]) == sorted(held.get((step["role"], step["unit"]), []))
    nobody: dict[tuple[str, str], str] = {}
    for step in answer["path"]:
        if not step["receivers"]:
            nobody.setdefault((step["role"], step["unit"]), step["name"])
    assert (role, DESK) in nobody
    assert any(s["receivers"] for s in answer["path"])
    said = [n for n in answer["notes"] if n.startswith("Không có cán bộ nào")]
    # Once per role and unit, naming a step of it.
    assert len(said) == len(nobody)
    assert any(nobody[(role, DESK)] in n for n in said)


def test_the_dossiers_data_steers_a_gateway(designer: Api) -> None:
    draft = make_draft(designer)
    answer = ok(designer, draft, data={"so_tien": 10})
    assert [s["element_id"] for s in answer["path"]] == [
        "Receive", "Consult", "Examine", "Approve", "Return"]
    assert "f_small" in answer["flows"] and "f_big" not in answer["flows"]


def test_due_times_skip_weekends_and_holidays(designer: Api) -> None:
    """Reception at 16:00 on Wednesday 29 April 2026: an hour that day, then 30 April and
    1 May (holidays), the weekend, and three hours on Monday 4 May."""
    assert {local(2026, 4, 30).date(), local(2026, 5, 1).date()} <= public_holidays(2026)
    draft = make_draft(designer)
    answer = ok(designer, draft, data=BIG, start="2026-04-29T16:00:00+07:00")
    first = answer["path"][0]
    assert at(first["due_at"]) == local(2026, 5, 4, 11, 0)
    calendar = load_calendar()
    for step in answer["path"]:
        minutes = step["allotted_minutes"]
        started = at(step["started_at"])
        assert started is not None
        assert at(step["due_at"]) == (calendar.add(started, minutes) if minutes else None)
        assert calendar.is_working_day(at(step["finished_at"]).date())  # type: ignore[union-attr]
    # A start without an offset is local time.
    same = ok(designer, draft, data=BIG, start="2026-04-29T16:00")
    assert same["path"][0]["due_at"] == first["due_at"]


def test_each_visit_takes_the_next_choice_then_the_default(designer: Api) -> None:
    draft = make_draft(designer)
    answer = ok(designer, draft, data=BIG, choices={"Review": ["back", "back"]})
    steps = [s["element_id"] for s in answer["path"]]
    assert steps.count("Examine") == 3 and steps.count("Review") == 3
    assert [s["outcome"] for s in answer["path"] if s["element_id"] == "Review"] == [
        "back", "back", "agree"]
    assert answer["status"] == "returned"


def test_a_sub_process_runs_and_a_timer_on_the_path_stops_the_run(designer: Api) -> None:
    draft = make_draft(designer, WAITING)
    answer = ok(designer, draft)
    assert [(s["element_id"], s["role"], s["unit"], at(s["due_at"])) for s in answer["path"]] == [
        ("Receive", "receiver", DESK, local(2026, 3, 16, 14, 0)),
        # The manual task inside the sub-process, by its own role and unit.
        ("Inner", "specialist", UNIT, local(2026, 3, 17, 14, 0)),
    ]
    assert (answer["ended"], answer["open"], answer["truncated"]) == (False, [], False)
    assert answer["waiting"] == [{"element_id": "Wait", "name": "Chờ đến hạn trả"}]
    assert answer["end"] == "Hồ sơ chưa kết thúc: đang chờ ở hẹn giờ “Chờ đến hạn trả” (đang giải quyết)."
    assert [f for f in answer["flows"] if f in ("s1", "s2", "f3")] == ["s1", "s2", "f3"]
    assert any("Chờ đến hạn trả" in note for note in answer["notes"])


def test_a_refusal_ends_the_dossier_refused(designer: Api) -> None:
    draft = make_draft(designer)
    answer = ok(designer, draft, choices={"Receive": ["refuse"]})
    assert [s["element_id"] for s in answer["path"]] == ["Receive"]
    assert (answer["status"], answer["ended"], answer["status_name"]) == (
        "refused", True, "Từ chối giải quyết")
    # No receipt for a refusal; form 03 when the flow ends.
    assert [d["kind"] for d in answer["path"][0]["documents"]] == ["refusal"]
    assert "Từ chối" in answer["end"]


def test_an_online_dossiers_clock_starts_when_the_desk_accepts_it(designer: Api) -> None:
    draft = make_draft(designer)
    answer = ok(designer, draft, data=BIG, channel="online")
    accepted = at(answer["path"][0]["finished_at"])
    assert accepted is not None
    assert at(answer["due_at"]) == load_calendar().add(accepted, 10 * 480)


def test_an_endless_loop_stops_at_the_bound_and_says_so(designer: Api) -> None:
    draft = make_draft(designer)
    answer = ok(designer, draft, data=BIG, choices={"Review": ["back"] * 300})
    assert len(answer["path"]) == MAX_VISITS
    assert (answer["truncated"], answer["ended"]) == (True, False)
    assert answer["open"] and answer["status"] == "processing"
    assert any(str(MAX_VISITS) in note for note in answer["notes"])
    assert answer["end"].startswith("Hồ sơ chưa kết thúc")


def test_a_draft_with_errors_is_not_run(designer: Api) -> None:
    broken = BPMN.replace('<spiffworkflow:property name="role" value="leader"/>', "")
    draft = make_draft(designer, broken)
    response = simulate(designer, draft)
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    expected = check(broken.encode(), "x.bpmn", {}, procedure=get_procedure(PROCEDURE)).errors
    assert details and [d["message"] for d in details] == [p.message for p in expected]
    assert {d["severity"] for d in details} == {"error"}
    assert "Approve" in {d.get("element_id") for d in details}


@pytest.mark.parametrize(("body", "field"), [
    pytest.param({"choices": {"Nope": ["accept"]}}, "choices.Nope", id="unknown-step"),
    pytest.param({"choices": {"Receive": ["accept", "maybe"]}}, "choices.Receive.1",
                 id="unknown-outcome"),
    pytest.param({"choices": {"Examine": ["x"]}}, "choices.Examine.0", id="step-without-outcomes"),
])
def test_unknown_choices_are_refused_naming_them(designer: Api, body: dict[str, Any],
                                                 field: str) -> None:
    draft = make_draft(designer)
    response = simulate(designer, draft, data=BIG, **body)
    assert response.status_code == 422
    assert field in [d.get("field") for d in response.get_json()["error"]["details"]]


@pytest.mark.parametrize("body", [
    pytest.param({"choices": "Receive"}, id="choices-not-an-object"),
    pytest.param({"choices": {"Receive": "accept"}}, id="keys-not-a-list"),
    pytest.param({"data": [1]}, id="data-not-an-object"),
    pytest.param({"start": "hôm qua"}, id="start-unreadable"),
    pytest.param({"channel": "fax"}, id="channel-unknown"),
    pytest.param({"desk": "000.00.12.H99"}, id="desk-without-receivers"),
    pytest.param({"desk": "000.00\x00"}, id="desk-with-nul"),
    pytest.param({"start": "9999-12-31T16:00:00+07:00"}, id="start-past-the-calendar"),
    pytest.param({"start": "0001-01-01T00:00:00+07:00"}, id="start-before-the-calendar"),
])
def test_bad_bodies_are_422_never_500(designer: Api, body: dict[str, Any]) -> None:
    draft = make_draft(designer)
    response = simulate(designer, draft, **body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"]


def test_a_body_nested_too_deep_is_a_400(designer: Api) -> None:
    draft = make_draft(designer)
    body = '{"data": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    response = designer.post(DESIGNER, f"/drafts/{draft}/simulate", data=body,
                             content_type="application/json")
    assert response.status_code == 400


def test_a_condition_on_data_not_given_is_a_422_naming_the_element(designer: Api) -> None:
    draft = make_draft(designer)
    response = simulate(designer, draft)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["element_id"]


def _counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables}


def test_nothing_is_stored(designer: Api) -> None:
    draft_id = make_draft(designer)
    db.session.commit()
    draft = db.session.get_one(ProcessDraft, draft_id)
    before = (_counts(), draft.revision, draft.updated_at, list(draft.problems))
    ok(designer, draft_id, data=BIG, choices={"Review": ["back"]})
    ok(designer, draft_id, choices={"Receive": ["refuse"]})
    db.session.expire_all()
    draft = db.session.get_one(ProcessDraft, draft_id)
    assert (_counts(), draft.revision, draft.updated_at, list(draft.problems)) == before
    assert before[0]["dossier"] == before[0]["task"] == before[0]["history_event"] == 0


def test_only_the_procedures_designers_may_run_it(designer: Api) -> None:
    draft = make_draft(designer)
    assert simulate(designer, draft, user="tk.khoa").status_code == 404
    assert simulate(designer, draft, user="cv.mai").status_code == 403
    assert designer.post(None, f"/drafts/{draft}/simulate", json={}).status_code == 401
    assert simulate(designer, 2**31 + 5).status_code == 404
    assert simulate(designer, 999999).status_code == 404
