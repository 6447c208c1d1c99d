"""Who sees and does what: agency scoping on every endpoint of the contract, worklists that
follow assignment, read access of auditors and leaders, the public lookup, who may receive
dossiers and upload processes, and 401 for anonymous callers."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask

from motcua.dossiers.models import Dossier
from motcua.processes.models import ProcessVersion
from support.api import (
    AGENCY,
    APPLICANT_ADDRESS,
    APPLICANT_BIRTH,
    APPLICANT_EMAIL,
    APPLICANT_ID,
    APPLICANT_NAME,
    APPLICANT_PHONE,
    COMMUNE_DESK,
    DESK,
    PROCEDURE,
    UNIT,
    assert_error,
    at_assignment,
    at_examination,
    complete,
    count,
    dossier,
    dossier_body,
    fields_of,
    history,
    received,
    task_ids,
)
from support.paths import SAMPLES
from support.web import Isolated

OUTSIDERS = ["xa.hoa", "xa.chutich"]  # officers of UBND xã Đông Hải, not of Sở Tư pháp
RECEIVE_BODY = {"outcome": "accept", "data": {}}
EXAMINE_BODY: dict[str, Any] = {"outcome": "approve",
                                "data": {"y_kien": "Đủ điều kiện cấp phiếu"}}


@pytest.fixture
def dossiers(sample: dict[str, Any], api: Any) -> dict[str, Any]:
    """One dossier waiting at the desk, one held by cv.mai for examination."""
    at_desk, receive = received(api)
    examined, examine = at_examination(api, "cv.mai")
    return {"at_desk": at_desk, "receive": receive, "examined": examined, "examine": examine}


def _task_in(api: Any, code: str, task_id: int) -> dict[str, Any]:
    tasks = {t["id"]: t for t in dossier(api, code)["tasks"]}
    return tasks[task_id]


# --------------------------------------------------------------------------- other agencies


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_other_agency_gets_404_for_dossier_and_history(dossiers: dict[str, Any], api: Any,
                                                       outsider: str) -> None:
    absent = f"{AGENCY}-260302-9999"
    for code in (dossiers["at_desk"], dossiers["examined"]):
        for suffix in ("", "/history"):
            error = assert_error(api.get(outsider, f"/dossiers/{code}{suffix}"), 404)
            assert error["code"] == "not_found"
            assert error["details"] == []
            # Exactly what an absent code gets: nothing confirms the dossier exists.
            missing = assert_error(api.get(outsider, f"/dossiers/{absent}{suffix}"), 404)
            assert error["message"] == missing["message"].replace(absent, code)
            assert APPLICANT_NAME not in json.dumps(error, ensure_ascii=False)


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_other_agency_gets_404_for_every_task_endpoint(dossiers: dict[str, Any], api: Any,
                                                       outsider: str) -> None:
    cases = [(dossiers["at_desk"], dossiers["receive"], RECEIVE_BODY),
             (dossiers["examined"], dossiers["examine"], EXAMINE_BODY)]
    for code, task, body in cases:
        before = _task_in(api, code, task["id"])
        events = len(history(api, code))
        task_id = task["id"]
        assert_error(api.get(outsider, f"/tasks/{task_id}"), 404)
        assert_error(api.post(outsider, f"/tasks/{task_id}/claim"), 404)
        assert_error(api.post(outsider, f"/tasks/{task_id}/complete", json=body), 404)
        # Nothing happened.
        assert _task_in(api, code, task_id) == before
        assert len(history(api, code)) == events
    assert not task_ids(api, outsider) & {dossiers["receive"]["id"], dossiers["examine"]["id"]}
    worklist = api.get(outsider, "/tasks").get_json()
    assert all(t["dossier"] not in (dossiers["at_desk"], dossiers["examined"])
               for t in worklist)


def test_other_agency_worklist_filtered_by_procedure_is_empty(dossiers: dict[str, Any],
                                                              api: Any) -> None:
    for outsider in OUTSIDERS:
        response = api.get(outsider, f"/tasks?procedure={PROCEDURE}")
        assert response.status_code == 200
        assert response.get_json() == []


# --------------------------------------------------------------------------- worklists


def test_unassigned_desk_task_is_offered_to_every_receiver_of_the_desk(
        sample: dict[str, Any], api: Any) -> None:
    code, receive = received(api)
    assert receive["assignee"] is None and receive["state"] == "ready"
    assert receive["role"] == "receiver" and receive["unit"] == DESK
    assert receive["id"] in task_ids(api, "mc.lan")
    assert receive["id"] in task_ids(api, "mc.tuan")
    # A receiver of another desk does not get it.
    assert receive["id"] not in task_ids(api, "xa.hoa")
    # Once mc.lan claims it, it is hers alone.
    claimed = api.post("mc.lan", f"/tasks/{receive['id']}/claim")
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["assignee"] == "mc.lan"
    assert claimed.get_json()["state"] == "claimed"
    assert receive["id"] in task_ids(api, "mc.lan")
    assert receive["id"] not in task_ids(api, "mc.tuan")
    events = [e for e in history(api, code) if e["action"] == "claimed"]
    assert len(events) == 1 and events[0]["actor"] == "mc.lan"


def test_worklists_of_specialists_follow_assignment(sample: dict[str, Any], api: Any) -> None:
    code, assign = at_assignment(api)
    assert assign["role"] == "unit_head" and assign["unit"] == UNIT
    assert assign["id"] in task_ids(api, "tp.hung")
    # Nothing for the specialists yet: the unit head has not assigned anyone.
    for specialist in ("cv.mai", "cv.dung"):
        tasks = api.get(specialist, "/tasks").get_json()
        assert [t for t in tasks if t["dossier"] == code] == []
        assert_error(api.get(specialist, f"/tasks/{assign['id']}"), 404)
    answer = complete(api, "tp.hung", assign["id"], None, {"assignee": "cv.mai"})
    examine = answer["next_tasks"][0]
    assert examine["role"] == "specialist" and examine["unit"] == UNIT
    assert examine["assignee"] == "cv.mai"
    mine = {t["id"]: t for t in api.get("cv.mai", "/tasks").get_json()}
    assert examine["id"] in mine and mine[examine["id"]]["assignee"] == "cv.mai"
    assert examine["id"] not in task_ids(api, "cv.dung")
    assert api.get("cv.mai", f"/tasks/{examine['id']}").status_code == 200
    # The assigned specialist reads the dossier; the colleague who never worked on it cannot.
    assert api.get("cv.mai", f"/dossiers/{code}").status_code == 200
    assert_error(api.get("cv.dung", f"/dossiers/{code}"), 404)
    assert examine["id"] not in task_ids(api, "tp.hung")


def test_assignment_to_someone_without_the_role_is_refused(sample: dict[str, Any],
                                                           api: Any) -> None:
    code, assign = at_assignment(api)
    for wrong in ("xa.hoa", "mc.lan", "gd.son"):
        response = api.post("tp.hung", f"/tasks/{assign['id']}/complete",
                            json={"data": {"assignee": wrong}})
        error = assert_error(response, 422)
        assert fields_of(error) == {"data.assignee"}
    unknown = api.post("tp.hung", f"/tasks/{assign['id']}/complete",
                       json={"data": {"assignee": "khong.co"}})
    assert fields_of(assert_error(unknown, 422)) == {"data.assignee"}
    assert _task_in(api, code, assign["id"])["state"] == "ready"


@pytest.mark.parametrize("stage", ["receive", "examine"])
def test_claim_of_task_held_by_colleague_is_409(dossiers: dict[str, Any], api: Any,
                                                stage: str) -> None:
    """Contract: claim → 409 if someone else holds it (same role and unit, so eligible)."""
    if stage == "receive":
        code, task = dossiers["at_desk"], dossiers["receive"]
        assert api.post("mc.lan", f"/tasks/{task['id']}/claim").status_code == 200
        holder, colleague = "mc.lan", "mc.tuan"
    else:
        code, task = dossiers["examined"], dossiers["examine"]
        holder, colleague = "cv.mai", "cv.dung"
    before = _task_in(api, code, task["id"])
    assert before["assignee"] == holder
    error = assert_error(api.post(colleague, f"/tasks/{task['id']}/claim"), 409)
    assert error["code"] == "conflict"
    assert _task_in(api, code, task["id"]) == before


@pytest.mark.parametrize("stage", ["receive", "examine"])
def test_complete_of_task_held_by_colleague_is_409(dossiers: dict[str, Any], api: Any,
                                                   stage: str) -> None:
    if stage == "receive":
        code, task, body = dossiers["at_desk"], dossiers["receive"], RECEIVE_BODY
        assert api.post("mc.lan", f"/tasks/{task['id']}/claim").status_code == 200
        colleague = "mc.tuan"
    else:
        code, task, body = dossiers["examined"], dossiers["examine"], EXAMINE_BODY
        colleague = "cv.dung"
    before = _task_in(api, code, task["id"])
    error = assert_error(api.post(colleague, f"/tasks/{task['id']}/complete", json=body), 409)
    assert error["code"] == "conflict"
    assert _task_in(api, code, task["id"]) == before
    assert [e for e in history(api, code) if e["action"] == "completed"
            and e["step"] == before["step"]] == []


def test_holder_may_complete_the_task(dossiers: dict[str, Any], api: Any) -> None:
    task = dossiers["examine"]
    answer = complete(api, "cv.mai", task["id"], "approve", EXAMINE_BODY["data"])
    assert answer["dossier"] == {"code": dossiers["examined"], "status": "processing"}
    review = answer["next_tasks"][0]
    assert review["step"] == "Task_Review" and review["role"] == "unit_head"


# --------------------------------------------------------------------------- readers


def test_auditor_reads_every_dossier_but_acts_on_none(dossiers: dict[str, Any],
                                                      api: Any) -> None:
    for code in (dossiers["at_desk"], dossiers["examined"]):
        body = dossier(api, code, "ks.nga")
        assert body["code"] == code
        assert body["applicant"]["name"] == APPLICANT_NAME
        assert body["data"]["so_dinh_danh"] == APPLICANT_ID
        events = history(api, code, "ks.nga")
        assert events[0]["action"] == "received"
    assert api.get("ks.nga", "/tasks").get_json() == []
    for code, task, body in ((dossiers["at_desk"], dossiers["receive"], RECEIVE_BODY),
                             (dossiers["examined"], dossiers["examine"], EXAMINE_BODY)):
        before = _task_in(api, code, task["id"])
        assert_error(api.post("ks.nga", f"/tasks/{task['id']}/claim"), 404)
        assert_error(api.post("ks.nga", f"/tasks/{task['id']}/complete", json=body), 404)
        assert _task_in(api, code, task["id"]) == before


def test_auditor_cannot_receive_dossiers(sample: dict[str, Any], api: Any) -> None:
    before = count(Dossier)
    assert_error(api.post("ks.nga", "/dossiers", json=dossier_body()), 403)
    assert count(Dossier) == before


@pytest.mark.parametrize("reader", ["gd.son", "qt.binh"])
def test_leaders_and_admins_of_the_agency_read_its_dossiers(dossiers: dict[str, Any],
                                                            api: Any, reader: str) -> None:
    for code in (dossiers["at_desk"], dossiers["examined"]):
        body = dossier(api, code, reader)
        assert body["code"] == code and body["procedure"] == PROCEDURE
        assert history(api, code, reader)


def test_clerk_who_never_worked_on_it_cannot_read(dossiers: dict[str, Any], api: Any) -> None:
    # vt.ha is the agency's clerk; her step comes after signing.
    for code in (dossiers["at_desk"], dossiers["examined"]):
        assert_error(api.get("vt.ha", f"/dossiers/{code}"), 404)


def test_workers_keep_reading_what_they_worked_on(dossiers: dict[str, Any], api: Any) -> None:
    code = dossiers["examined"]
    for worker in ("mc.lan", "tp.hung", "cv.mai"):
        assert dossier(api, code, worker)["code"] == code


# --------------------------------------------------------------------------- public lookup


def test_public_lookup_has_no_personal_data(dossiers: dict[str, Any], app: Flask) -> None:
    anonymous = Isolated(app.test_client())
    for code, step in ((dossiers["at_desk"], "Tiếp nhận, kiểm tra hồ sơ"),
                       (dossiers["examined"], "Thẩm định hồ sơ")):
        response = anonymous.get(f"/api/v1/lookup/{code}")
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert set(body) == {"code", "procedure", "status", "received_at", "due_at",
                             "current_step"}
        assert body["code"] == code
        assert body["current_step"] == step
        assert body["received_at"] == "2026-03-16T09:00:00+07:00"
        assert body["due_at"] == "2026-03-30T09:00:00+07:00"
        assert body["status"] in ("received", "processing")
        raw = response.get_data(as_text=True)
        text = json.dumps(body, ensure_ascii=False)
        for secret in (APPLICANT_NAME, APPLICANT_ID, APPLICANT_PHONE, APPLICANT_EMAIL,
                       APPLICANT_ADDRESS, APPLICANT_BIRTH, "cv.mai", "Phạm Thị Mai"):
            assert secret not in raw and secret not in text, secret
    assert_error(anonymous.get(f"/api/v1/lookup/{AGENCY}-260302-9999"), 404)


# --------------------------------------------------------------------------- receiving


@pytest.mark.parametrize("officer", ["cv.mai", "tp.hung", "gd.son", "vt.ha", "qt.binh"])
def test_only_receivers_receive_direct_dossiers(sample: dict[str, Any], api: Any,
                                                officer: str) -> None:
    before = count(Dossier)
    for channel in ("direct", "postal"):
        body = dossier_body(channel=channel)
        body.pop("desk")
        error = assert_error(api.post(officer, "/dossiers", json=body), 403)
        assert error["code"] == "forbidden"
    assert count(Dossier) == before


def test_direct_dossier_at_a_desk_the_receiver_does_not_belong_to(sample: dict[str, Any],
                                                                  api: Any) -> None:
    before = count(Dossier)
    for user, desk in (("mc.lan", COMMUNE_DESK), ("mc.lan", "000.99.99.H99"),
                       ("mc.lan", AGENCY), ("xa.hoa", DESK)):
        error = assert_error(api.post(user, "/dossiers", json=dossier_body(desk=desk)), 422)
        assert fields_of(error) == {"desk"}, (user, desk, error)
    assert count(Dossier) == before


def test_receiver_with_one_desk_may_omit_it(sample: dict[str, Any], api: Any) -> None:
    body = dossier_body(channel="postal")
    body.pop("desk")
    response = api.post("mc.tuan", "/dossiers", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["desk"] == DESK


@pytest.mark.parametrize("officer", ["mc.lan", "cv.mai", "xa.hoa"])
def test_online_channel_is_for_applicants_only(sample: dict[str, Any], api: Any,
                                               officer: str) -> None:
    before = count(Dossier)
    body = dossier_body(channel="online")
    body.pop("desk")
    error = assert_error(api.post(officer, "/dossiers", json=body), 403)
    assert error["code"] == "forbidden"
    assert_error(api.post(officer, "/dossiers", json=dossier_body(channel="online")), 403)
    assert count(Dossier) == before


# --------------------------------------------------------------------------- anonymous


def _anonymous_calls(code: str, task_id: int, bpmn: bytes) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("GET", "/api/v1/me", {}),
        ("GET", "/api/v1/procedures", {}),
        ("POST", "/api/v1/processes", {}),
        ("POST", "/api/v1/processes", {"data": {
            "procedure": PROCEDURE, "bpmn": (io.BytesIO(bpmn), "ly-lich-tu-phap.bpmn")},
            "content_type": "multipart/form-data"}),
        ("GET", "/api/v1/processes/1", {}),
        ("POST", "/api/v1/processes/1/publish", {"json": {}}),
        ("POST", "/api/v1/dossiers", {}),
        ("POST", "/api/v1/dossiers", {"json": {}}),
        ("POST", "/api/v1/dossiers", {"json": dossier_body()}),
        ("GET", f"/api/v1/dossiers/{code}", {}),
        ("GET", f"/api/v1/dossiers/{code}/history", {}),
        ("GET", "/api/v1/tasks", {}),
        ("GET", f"/api/v1/tasks/{task_id}", {}),
        ("POST", f"/api/v1/tasks/{task_id}/claim", {}),
        ("POST", f"/api/v1/tasks/{task_id}/complete", {"json": RECEIVE_BODY}),
        ("POST", f"/api/v1/tasks/{task_id}/complete", {"json": {"outcome": 1}}),
        ("GET", "/api/v1/calendar/due", {}),
        ("GET", "/api/v1/calendar/due", {"query_string": {
            "start": "2026-03-02T09:00:00+07:00", "duration": "1d"}}),
    ]


ANONYMOUS_IDS = [
    "me", "procedures", "processes-empty", "processes-upload", "process", "publish",
    "dossiers-nobody", "dossiers-empty", "dossiers-valid", "dossier", "history", "worklist",
    "task", "claim", "complete", "complete-invalid", "due-noargs", "due",
]


@pytest.mark.parametrize("index", range(len(ANONYMOUS_IDS)), ids=ANONYMOUS_IDS)
def test_anonymous_gets_401_on_every_non_public_endpoint(sample: dict[str, Any], api: Any,
                                                         app: Flask, index: int) -> None:
    code, receive = received(api)
    bpmn = (SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn").read_bytes()
    method, path, kwargs = _anonymous_calls(code, receive["id"], bpmn)[index]
    dossiers, versions = count(Dossier), count(ProcessVersion)
    anonymous = Isolated(app.test_client())
    error = assert_error(anonymous.open(path, method=method, **kwargs), 401)
    assert error["code"] == "unauthorized"
    assert (count(Dossier), count(ProcessVersion)) == (dossiers, versions)
    assert _task_in(api, code, receive["id"])["state"] == "ready"


def test_public_endpoints_need_no_login(dossiers: dict[str, Any], app: Flask) -> None:
    anonymous = Isolated(app.test_client())
    assert anonymous.get(f"/api/v1/lookup/{dossiers['at_desk']}").status_code == 200
    assert anonymous.get("/api/v1/openapi.json").status_code == 200
    token = anonymous.post("/api/v1/auth/token",
                           json={"username": "mc.lan", "password": "demo-Lan-2026"})
    assert token.status_code == 200


# --------------------------------------------------------------------------- processes


def _upload(api: Any, username: str, procedure: str = PROCEDURE) -> Any:
    bpmn = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"
    forms = [(io.BytesIO(p.read_bytes()), p.name)
             for p in sorted((SAMPLES / "forms").glob("*.json"))]
    return api.post(username, "/processes", data={
        "procedure": procedure, "bpmn": (io.BytesIO(bpmn.read_bytes()), bpmn.name),
        "forms": forms}, content_type="multipart/form-data")


@pytest.mark.parametrize("user", ["cv.mai", "tp.hung", "gd.son", "mc.lan", "ks.nga", "xa.hoa"])
def test_upload_process_as_non_designer_is_403(sample: dict[str, Any], api: Any,
                                               user: str) -> None:
    before = count(ProcessVersion)
    error = assert_error(_upload(api, user), 403)
    assert error["code"] == "forbidden"
    assert count(ProcessVersion) == before


def test_designer_cannot_upload_for_another_agency(sample: dict[str, Any], api: Any) -> None:
    # 1.001193 belongs to UBND xã Đông Hải; qt.binh designs for Sở Tư pháp.
    before = count(ProcessVersion)
    assert_error(_upload(api, "qt.binh", "1.001193"), 403)
    assert count(ProcessVersion) == before


def test_designer_uploads_and_publishes(sample: dict[str, Any], api: Any) -> None:
    before = count(ProcessVersion)
    response = _upload(api, "qt.binh")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {"id", "procedure", "version", "status", "problems"} <= set(body)
    assert body["procedure"] == PROCEDURE
    assert body["version"] == 2  # the sample fixture published version 1
    assert body["status"] == "draft"
    # The sample declares no decision rows: its steps are matched to them by order, which
    # the check says as warnings; nothing else.
    assert {(p["severity"], p["rule"]) for p in body["problems"]} <= {
        ("warning", "decision-step-by-order")}
    assert count(ProcessVersion) == before + 1
    version_id = body["id"]

    # Others cannot publish it; nothing changes.
    assert_error(api.post("cv.mai", f"/processes/{version_id}/publish", json={}), 404)
    assert_error(api.post("ks.nga", f"/processes/{version_id}/publish", json={}), 403)
    shown = api.get("qt.binh", f"/processes/{version_id}")
    assert shown.status_code == 200 and shown.get_json()["status"] == "draft"

    published = api.post("qt.binh", f"/processes/{version_id}/publish",
                         json={"effective": "2026-04-01"})
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["status"] == "published"
    again = api.post("qt.binh", f"/processes/{version_id}/publish", json={})
    assert assert_error(again, 409)["code"] == "conflict"
