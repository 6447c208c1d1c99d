"""Errors: per-field schema errors on complete and on reception, outcomes, conflicts,
unreadable bodies (400, never 500), unknown and abolished procedures, the OpenAPI document
and the working-time calendar endpoint."""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import holidays
import pytest
from flask import Flask

from motcua.calendar.working_time import TZ
from motcua.dossiers.models import Dossier, DossierSequence
from motcua.history.models import HistoryEvent
from motcua.tasks.models import Task
from support.api import (
    ABOLISHED_PROCEDURE,
    PROCEDURE,
    application,
    assert_error,
    at_assignment,
    at_examination,
    count,
    dossier,
    dossier_body,
    fields_of,
    history,
    received,
)
from support.web import Isolated


def _task(api: Any, code: str, task_id: int) -> dict[str, Any]:
    return next(t for t in dossier(api, code)["tasks"] if t["id"] == task_id)


# --------------------------------------------------------------------------- complete


def test_missing_required_field_of_step_form_is_422_with_field(sample: dict[str, Any],
                                                               api: Any) -> None:
    code, examine = at_examination(api)
    events = len(history(api, code))
    response = api.post("cv.mai", f"/tasks/{examine['id']}/complete",
                        json={"outcome": "approve", "data": {}})
    error = assert_error(response, 422)
    assert error["code"] == "invalid"
    assert fields_of(error) == {"data.y_kien"}
    assert all(d["message"] for d in error["details"])
    # Nothing moved.
    assert _task(api, code, examine["id"])["state"] in ("ready", "claimed")
    assert len(history(api, code)) == events


def test_every_invalid_field_is_reported(sample: dict[str, Any], api: Any) -> None:
    _code, examine = at_examination(api)
    response = api.post("cv.mai", f"/tasks/{examine['id']}/complete", json={
        "outcome": "supplement",
        "data": {"y_kien": "ok", "can_bo_sung": "not-a-list", "du_thao": "x" * 501}})
    error = assert_error(response, 422)
    # A supplement request needs its reason too (this step declares no reason_field: the note).
    assert fields_of(error) == {"data.y_kien", "data.can_bo_sung", "data.du_thao", "note"}


def test_assign_step_requires_its_assignee(sample: dict[str, Any], api: Any) -> None:
    code, assign = at_assignment(api)
    error = assert_error(api.post("tp.hung", f"/tasks/{assign['id']}/complete",
                                  json={"data": {"chi_dao": "Giao chuyên viên"}}), 422)
    assert fields_of(error) == {"data.assignee"}
    assert _task(api, code, assign["id"])["state"] == "ready"


def test_issue_step_pattern_and_format_errors(sample: dict[str, Any], api: Any) -> None:
    """Walk to the clerk's step and send a malformed number and date."""
    code, examine = at_examination(api)
    review = api.post("cv.mai", f"/tasks/{examine['id']}/complete", json={
        "outcome": "approve", "data": {"y_kien": "Đủ điều kiện cấp phiếu"}}).get_json()
    review_id = review["next_tasks"][0]["id"]
    approve = api.post("tp.hung", f"/tasks/{review_id}/complete",
                       json={"outcome": "agree", "data": {}}).get_json()
    approve_id = approve["next_tasks"][0]["id"]
    issue = api.post("gd.son", f"/tasks/{approve_id}/complete",
                     json={"outcome": "sign", "data": {"y_kien": "Ký"}}).get_json()
    issue_task = issue["next_tasks"][0]
    assert issue_task["step"] == "Task_Issue" and issue_task["role"] == "clerk"
    error = assert_error(api.post("vt.ha", f"/tasks/{issue_task['id']}/complete", json={
        "data": {"so_ky_hieu": "không có số", "ngay_ky": "02/03/2026"}}), 422)
    assert fields_of(error) == {"data.so_ky_hieu", "data.ngay_ky"}
    ok = api.post("vt.ha", f"/tasks/{issue_task['id']}/complete", json={
        "data": {"so_ky_hieu": "123/LLTP", "ngay_ky": "2026-03-02"}})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["dossier"] == {"code": code, "status": "done"}


@pytest.mark.parametrize("outcome", ["approve", "ACCEPT", "", "accept "])
def test_outcome_not_among_the_steps_outcomes_is_422(sample: dict[str, Any], api: Any,
                                                     outcome: str) -> None:
    code, receive = received(api)
    error = assert_error(api.post("mc.lan", f"/tasks/{receive['id']}/complete",
                                  json={"outcome": outcome, "data": {}}), 422)
    assert fields_of(error) == {"outcome"}
    assert _task(api, code, receive["id"])["state"] == "ready"


def test_missing_outcome_where_one_is_required_is_422(sample: dict[str, Any],
                                                      api: Any) -> None:
    _code, receive = received(api)
    bodies: list[dict[str, Any]] = [{"data": {}}, {"outcome": None, "data": {}}, {}]
    for body in bodies:
        error = assert_error(api.post("mc.lan", f"/tasks/{receive['id']}/complete",
                                      json=body), 422)
        assert fields_of(error) == {"outcome"}


def test_outcome_on_a_step_without_outcomes_is_422(sample: dict[str, Any], api: Any) -> None:
    _code, assign = at_assignment(api)
    error = assert_error(api.post("tp.hung", f"/tasks/{assign['id']}/complete",
                                  json={"outcome": "accept", "data": {"assignee": "cv.mai"}}),
                         422)
    assert fields_of(error) == {"outcome"}


def test_completing_a_completed_task_is_409(sample: dict[str, Any], api: Any) -> None:
    code, receive = received(api)
    first = api.post("mc.lan", f"/tasks/{receive['id']}/complete",
                     json={"outcome": "accept", "data": {}})
    assert first.status_code == 200
    tasks = count(Task)
    again = api.post("mc.lan", f"/tasks/{receive['id']}/complete",
                     json={"outcome": "refuse", "data": {}})
    assert assert_error(again, 409)["code"] == "conflict"
    assert assert_error(api.post("mc.lan", f"/tasks/{receive['id']}/claim"), 409)["code"] == \
        "conflict"
    assert count(Task) == tasks
    assert [e["outcome"] for e in history(api, code) if e["action"] == "completed"] == ["accept"]
    assert dossier(api, code)["status"] == "processing"


def test_completed_task_is_409_for_another_eligible_officer(sample: dict[str, Any],
                                                            api: Any) -> None:
    """Contract: complete → 409 if already completed; mc.tuan could have completed this
    receive task himself a moment before, so he must learn it is done, not that it is absent."""
    code, receive = received(api)
    assert api.post("mc.lan", f"/tasks/{receive['id']}/complete",
                    json={"outcome": "accept", "data": {}}).status_code == 200
    again = api.post("mc.tuan", f"/tasks/{receive['id']}/complete",
                     json={"outcome": "accept", "data": {}})
    assert assert_error(again, 409)["code"] == "conflict"
    assert len([e for e in history(api, code) if e["action"] == "completed"]) == 1


def test_unknown_task_is_404(sample: dict[str, Any], api: Any) -> None:
    for path in ("/tasks/999999", "/tasks/999999/claim", "/tasks/999999/complete"):
        method = api.get if path.endswith("999999") else api.post
        kwargs = {"json": {"outcome": "accept", "data": {}}} if "complete" in path else {}
        assert assert_error(method("mc.lan", path, **kwargs), 404)["code"] == "not_found"
    assert_error(api.get("mc.lan", "/tasks/abc"), 404)


# --------------------------------------------------------------------------- unreadable


@pytest.mark.parametrize("path", ["/dossiers", "/tasks/{task}/complete", "/auth/token",
                                  "/processes/1/publish"])
@pytest.mark.parametrize("payload", ['{"procedure": ', "{'a': 1}", "\xff\xfe", "[1, 2"])
def test_malformed_json_is_400(sample: dict[str, Any], api: Any, path: str,
                               payload: str) -> None:
    _code, receive = received(api)
    before = (count(Dossier), count(HistoryEvent))
    user = None if path == "/auth/token" else "mc.lan"
    response = api.post(user, path.format(task=receive["id"]), data=payload.encode("latin-1"),
                        content_type="application/json")
    error = assert_error(response, 400)
    assert error["code"] == "bad_request"
    assert (count(Dossier), count(HistoryEvent)) == before


@pytest.mark.parametrize("path", ["/dossiers", "/tasks/{task}/complete"])
def test_json_nested_past_what_the_parser_follows_is_400(sample: dict[str, Any], api: Any,
                                                        path: str) -> None:
    _code, receive = received(api)
    before = (count(Dossier), count(HistoryEvent))
    response = api.post("mc.lan", path.format(task=receive["id"]),
                        data=b"[" * 100_000 + b"]" * 100_000, content_type="application/json")
    assert assert_error(response, 400)["code"] == "bad_request"
    assert (count(Dossier), count(HistoryEvent)) == before


@pytest.mark.parametrize(("path", "payload", "field"), [
    ("/dossiers", '{"procedure": "2.000488\\u0000", "channel": "direct"}', "procedure"),
    ("/dossiers", '{"procedure": "2.000488", "channel": "direct", '
                  '"applicant": {"name": "B\\ud800"}}', "applicant.name"),
    ("/tasks/{task}/complete", '{"outcome": "accept", "note": "\\udfff", "data": {}}', "note"),
    ("/tasks/{task}/complete", '{"outcome": "accept", "data": {"so_ban": NaN}}', "data.so_ban"),
    ("/tasks/{task}/complete", '{"outcome": "accept", "data": {"x": [1, -Infinity]}}',
     "data.x[1]"),
])
def test_what_no_database_stores_is_422_naming_the_field(
        sample: dict[str, Any], api: Any, path: str, payload: str, field: str) -> None:
    """JSON's lone "\\ud800", NUL, NaN and infinities parse in Python but reach a query or
    a JSON column as a 500 (PostgreSQL refuses them): refused first, naming where they sit."""
    _code, receive = received(api)
    before = (count(Dossier), count(HistoryEvent))
    response = api.post("mc.lan", path.format(task=receive["id"]), data=payload.encode(),
                        content_type="application/json")
    assert fields_of(assert_error(response, 422)) == {field}
    assert (count(Dossier), count(HistoryEvent)) == before


@pytest.mark.parametrize("body", [
    [1, 2], "text", 42, None, {"procedure": PROCEDURE, "channel": "direct", "applicant": "x"},
    {"procedure": PROCEDURE, "channel": "fax"}, {"procedure": ["2.000488"], "channel": "direct"},
    {"procedure": PROCEDURE, "channel": "direct", "data": []},
])
def test_wrong_shapes_on_reception_are_4xx_not_500(sample: dict[str, Any], api: Any,
                                                   body: Any) -> None:
    before = count(Dossier)
    response = api.post("mc.lan", "/dossiers", json=body)
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert_error(response, response.status_code)
    assert count(Dossier) == before


@pytest.mark.parametrize("body", [
    [1], {"outcome": 5}, {"outcome": "accept", "data": "x"}, {"outcome": "accept", "data": [1]},
    {"outcome": {"k": "v"}, "data": {}},
])
def test_wrong_shapes_on_complete_are_422(sample: dict[str, Any], api: Any, body: Any) -> None:
    code, receive = received(api)
    response = api.post("mc.lan", f"/tasks/{receive['id']}/complete", json=body)
    assert_error(response, 422)
    assert _task(api, code, receive["id"])["state"] == "ready"


# --------------------------------------------------------------------------- reception


def test_unknown_procedure_is_404(sample: dict[str, Any], api: Any) -> None:
    before = count(Dossier)
    error = assert_error(api.post("mc.lan", "/dossiers",
                                  json=dossier_body(procedure="9.999999")), 404)
    assert error["code"] == "not_found"
    assert "9.999999" in error["message"]
    assert count(Dossier) == before


def test_abolished_procedure_is_422(sample: dict[str, Any], api: Any) -> None:
    before = count(Dossier)
    error = assert_error(api.post("mc.lan", "/dossiers",
                                  json=dossier_body(procedure=ABOLISHED_PROCEDURE)), 422)
    assert error["code"] == "invalid"
    assert fields_of(error) == {"procedure"}
    assert ABOLISHED_PROCEDURE in error["message"]
    assert "bãi bỏ" in error["message"]
    assert count(Dossier) == before
    # The catalogue still lists it, as abolished and without a process to start.
    listed = {p["code"]: p for p in api.get("mc.lan", "/procedures").get_json()}
    assert listed[ABOLISHED_PROCEDURE]["process_version"] is None


def test_procedure_without_published_process_is_422(sample: dict[str, Any], api: Any) -> None:
    # 1.001193 is in the decision but no process was published for it.
    before = count(Dossier)
    error = assert_error(api.post("xa.hoa", "/dossiers", json=dossier_body(
        procedure="1.001193", desk="000.31.20.H99", data={})), 422)
    assert fields_of(error) == {"procedure"}
    assert count(Dossier) == before


def test_application_failing_the_start_form_creates_nothing(sample: dict[str, Any],
                                                            api: Any) -> None:
    before = (count(Dossier), count(Task), count(HistoryEvent), count(DossierSequence))
    data = application(so_dinh_danh="12345", gioi_tinh="Khác", so_luong=0,
                       email="không phải email", ngay_sinh="12/05/1990")
    del data["ho_ten"]
    error = assert_error(api.post("mc.lan", "/dossiers", json=dossier_body(data=data)), 422)
    assert error["code"] == "invalid"
    assert fields_of(error) == {"data.so_dinh_danh", "data.gioi_tinh", "data.so_luong",
                                "data.email", "data.ngay_sinh", "data.ho_ten"}
    assert (count(Dossier), count(Task), count(HistoryEvent), count(DossierSequence)) == before
    # A nested item is reported with its path.
    nested = application(qua_trinh_cu_tru=[{"tu": "2008-01-01", "noi_cu_tru": "Hà Nội"}])
    error = assert_error(api.post("mc.lan", "/dossiers", json=dossier_body(data=nested)), 422)
    assert fields_of(error) == {"data.qua_trinh_cu_tru[0].den"}
    assert count(Dossier) == before[0]
    # The first dossier that passes still gets sequence 0001: refusals consumed nothing.
    ok = api.post("mc.lan", "/dossiers", json=dossier_body())
    assert ok.status_code == 201
    assert ok.get_json()["code"].endswith("-260316-0001")


def test_missing_applicant_name_is_422(sample: dict[str, Any], api: Any) -> None:
    before = count(Dossier)
    body = dossier_body(applicant={"id_number": "001090012345"})
    error = assert_error(api.post("mc.lan", "/dossiers", json=body), 422)
    assert fields_of(error) == {"applicant.name"}
    assert count(Dossier) == before


# --------------------------------------------------------------------------- OpenAPI

CONTRACT = {
    ("post", "/api/v1/auth/token"), ("get", "/api/v1/me"), ("get", "/api/v1/procedures"),
    ("post", "/api/v1/processes"), ("post", "/api/v1/processes/{}/publish"),
    ("post", "/api/v1/dossiers"), ("get", "/api/v1/dossiers/{}"),
    ("get", "/api/v1/dossiers/{}/history"), ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks/{}/claim"), ("post", "/api/v1/tasks/{}/complete"),
    ("get", "/api/v1/lookup/{}"), ("get", "/api/v1/calendar/due"),
}


def test_openapi_document_lists_the_contract(app: Flask) -> None:
    response = Isolated(app.test_client()).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec = response.get_json()
    assert str(spec["openapi"]).startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    operations = {(method, re.sub(r"\{[^}]+\}", "{}", path))
                  for path, item in spec["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    missing = CONTRACT - operations
    assert not missing, sorted(missing)
    # Bodies are described by schemas.
    create = spec["paths"]["/api/v1/dossiers"]["post"]
    assert "requestBody" in create
    assert "201" in create["responses"]
    assert "bearer" in spec["components"]["securitySchemes"]


# --------------------------------------------------------------------------- calendar


def test_due_skips_tet_2026(sample: dict[str, Any], api: Any) -> None:
    tet = sorted(d for d, name in holidays.country_holidays("VN", years=2026).items()
                 if d.month == 2 and ("Lunar" in name or "Tết" in name))
    assert tet == [date(2026, 2, d) for d in (16, 17, 18, 19, 20)]
    response = api.get("mc.lan", "/calendar/due", query_string={
        "start": "2026-02-13T16:00:00+07:00", "duration": "1d"})
    assert response.status_code == 200, response.get_json()
    assert set(response.get_json()) == {"due"}
    due = datetime.fromisoformat(response.get_json()["due"])
    # Friday 16:00-17:00 is one hour; Tết week is skipped; seven more hours on Monday 23/2.
    assert due == datetime(2026, 2, 23, 16, 0, tzinfo=TZ)
    assert response.get_json()["due"].endswith("+07:00")
    assert due.date() not in tet


def test_due_from_utc_start_is_answered_in_local_time(sample: dict[str, Any],
                                                      api: Any) -> None:
    response = api.get("mc.lan", "/calendar/due", query_string={
        "start": "2026-03-02T02:00:00+00:00", "duration": "4h"})
    assert response.status_code == 200
    assert response.get_json()["due"] == "2026-03-02T14:00:00+07:00"


@pytest.mark.parametrize("duration", ["abc", "", " ", "-1d", "1x", "1.5.5d", "1M", "1d1d", "0.1m"])
def test_bad_duration_is_422(sample: dict[str, Any], api: Any, duration: str) -> None:
    error = assert_error(api.get("mc.lan", "/calendar/due", query_string={
        "start": "2026-02-13T16:00:00+07:00", "duration": duration}), 422)
    assert fields_of(error) == {"duration"}


@pytest.mark.parametrize("query", [{"duration": "1d"},
                                   {"start": "hôm nay", "duration": "1d"},
                                   {"start": "2026-02-30T08:00:00+07:00", "duration": "1d"}])
def test_bad_or_missing_start_is_422(sample: dict[str, Any], api: Any,
                                     query: dict[str, str]) -> None:
    error = assert_error(api.get("mc.lan", "/calendar/due", query_string=query), 422)
    assert fields_of(error) == {"start"}


# --------------------------------------------------------------------------- migrations


def test_migrations_run_without_deprecation_warnings(tmp_path: Path) -> None:
    """pytest runs with warnings as errors; the migration environment must not use APIs
    its libraries have deprecated."""
    from flask_migrate import upgrade

    from motcua.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with app.app_context():
            upgrade()
    deprecations = [str(w.message) for w in caught
                    if issubclass(w.category, DeprecationWarning)]
    assert deprecations == []
