"""The designer's API: drafts saved as numbered revisions, stale saves refused, unsafe files
refused, publishing only what checks clean, versions listed, downloaded and retired."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from motcua.processes.checks.forms import load_forms_dir
from support.api import PROCEDURE, Api, new_dossier
from support.sample import SAMPLE_BPMN, SAMPLE_FORMS

DESIGNER = "qt.binh"
OTHER_AGENCY_PROCEDURE = "1.001193"
OTHER_DESIGNER: dict[str, Any] = {"username": "tk.khoa", "full_name": "Trịnh Khoa", "password": "demo-Khoa-2026",
                  "memberships": [{"agency": "000.00.20.H99", "role": "designer"}]}


@pytest.fixture
def designer_api(province: Callable[..., dict[str, Any]],
                 make_api: Callable[[list[dict[str, Any]]], Api]) -> Api:
    org = province(users=[OTHER_DESIGNER])
    return make_api(org["users"])


def sample_forms() -> dict[str, dict[str, Any]]:
    forms, problems = load_forms_dir(SAMPLE_FORMS)
    assert not problems
    return forms


def create(api: Api, **body: Any) -> Any:
    return api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE, **body})


def sample_draft(api: Api) -> dict[str, Any]:
    response = create(api, bpmn=SAMPLE_BPMN.read_text(encoding="utf-8"), forms=sample_forms())
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def errors_of(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in problems if p["severity"] == "error"]


def test_a_draft_is_created_read_and_saved_as_numbered_revisions(designer_api: Api) -> None:
    draft = sample_draft(designer_api)
    assert draft["revision"] == 1
    assert errors_of(draft["problems"]) == []
    shown = designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()
    assert shown["bpmn"] == SAMPLE_BPMN.read_text(encoding="utf-8")
    assert set(shown["forms"]) == set(sample_forms())

    renamed = shown["bpmn"].replace('name="Tiếp nhận hồ sơ"', 'name="Tiếp nhận, kiểm tra hồ sơ"')
    saved = designer_api.call("PUT", DESIGNER, f"/drafts/{draft['id']}",
                              json={"revision": 1, "bpmn": renamed})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["revision"] == 2
    assert designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()["bpmn"] == renamed
    listed = designer_api.get(DESIGNER, f"/drafts?procedure={PROCEDURE}").get_json()
    assert [(d["id"], d["revision"], d["updated_by"]) for d in listed] == [
        (draft["id"], 2, DESIGNER)]


def test_a_save_from_a_stale_revision_is_a_conflict_and_changes_nothing(
        designer_api: Api) -> None:
    draft = sample_draft(designer_api)
    path = f"/drafts/{draft['id']}"
    first = designer_api.call("PUT", DESIGNER, path, json={"revision": 1, "forms": {}})
    assert first.status_code == 200
    stale = designer_api.call("PUT", DESIGNER, path, json={
        "revision": 1, "bpmn": SAMPLE_BPMN.read_text(encoding="utf-8").replace("Tiếp", "X")})
    assert stale.status_code == 409
    assert "phiên bản 2" in stale.get_json()["error"]["message"]
    shown = designer_api.get(DESIGNER, path).get_json()
    assert shown["revision"] == 2
    assert shown["bpmn"] == SAMPLE_BPMN.read_text(encoding="utf-8")
    assert shown["forms"] == {}


def test_an_invalid_draft_is_saved_with_its_problems_but_not_published(
        designer_api: Api) -> None:
    draft = sample_draft(designer_api)
    saved = designer_api.call("PUT", DESIGNER, f"/drafts/{draft['id']}",
                              json={"revision": 1, "forms": {}})
    assert saved.status_code == 200
    problems = errors_of(saved.get_json()["problems"])
    assert problems and all(p["rule"] and p["message"] for p in problems)
    assert any(p.get("element_id") for p in problems)
    checked = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/check").get_json()
    assert errors_of(checked["problems"]) == problems
    refused = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == problems
    versions = designer_api.get(DESIGNER, f"/processes?procedure={PROCEDURE}").get_json()
    assert [v["version"] for v in versions] == [1]


@pytest.mark.parametrize("bpmn", [
    "not xml at all",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "",
])
def test_unreadable_or_unsafe_xml_is_refused_and_loses_nothing(designer_api: Api,
                                                                bpmn: str) -> None:
    draft = sample_draft(designer_api)
    response = designer_api.call("PUT", DESIGNER, f"/drafts/{draft['id']}",
                                 json={"revision": 1, "bpmn": bpmn})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "bpmn"
    assert designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()["revision"] == 1
    assert create(designer_api, bpmn=bpmn).status_code == 422


def test_forms_that_are_not_objects_are_refused_with_the_field(designer_api: Api) -> None:
    response = create(designer_api, forms={"tiep-nhan": {"schema": "text"}})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == [
        {"field": "forms.tiep-nhan.schema", "message": "Phải là một đối tượng JSON Schema"}]


def test_publish_makes_an_immutable_version_new_dossiers_run_on(designer_api: Api) -> None:
    draft = sample_draft(designer_api)
    published = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert published.status_code == 201, published.get_json()
    body = published.get_json()
    assert (body["version"], body["status"]) == (2, "published")
    dossier = new_dossier(designer_api)
    shown = designer_api.get("mc.lan", f"/dossiers/{dossier['code']}").get_json()
    assert shown["process_version"] == 2
    versions = designer_api.get(DESIGNER, f"/processes?procedure={PROCEDURE}").get_json()
    assert [(v["version"], v["status"], v["dossiers"], v["published_by"]) for v in versions] == [
        (2, "published", 1, DESIGNER), (1, "published", 0, None)]
    again = designer_api.call("PUT", DESIGNER, f"/drafts/{draft['id']}",
                              json={"revision": 1, "forms": {}})
    assert again.status_code == 409
    assert designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish",
                             json={}).status_code == 409


def test_publishing_with_a_past_effective_date_is_refused(designer_api: Api) -> None:
    draft = sample_draft(designer_api)
    response = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish",
                                 json={"effective": "2020-01-01"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "effective"


def test_a_retired_version_takes_no_new_dossiers_and_keeps_its_own(designer_api: Api) -> None:
    draft = sample_draft(designer_api)
    version = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish",
                                json={}).get_json()
    started = new_dossier(designer_api)
    retired = designer_api.post(DESIGNER, f"/processes/{version['version_id']}/retire")
    assert retired.status_code == 200, retired.get_json()
    assert retired.get_json()["status"] == "retired"
    assert designer_api.post(DESIGNER, f"/processes/{version['version_id']}/retire"
                             ).status_code == 409
    later = new_dossier(designer_api)
    assert designer_api.get("mc.lan", f"/dossiers/{later['code']}").get_json()[
        "process_version"] == 1
    assert designer_api.get("mc.lan", f"/dossiers/{started['code']}").get_json()[
        "process_version"] == 2


def test_a_version_is_copied_into_a_draft_and_downloaded(designer_api: Api) -> None:
    copied = create(designer_api, from_version=1)
    assert copied.status_code == 201, copied.get_json()
    shown = designer_api.get(DESIGNER, f"/drafts/{copied.get_json()['id']}").get_json()
    assert shown["bpmn"] == SAMPLE_BPMN.read_text(encoding="utf-8")
    versions = designer_api.get(DESIGNER, f"/processes?procedure={PROCEDURE}").get_json()
    download = designer_api.get(DESIGNER, f"/processes/{versions[0]['id']}/bpmn")
    assert download.status_code == 200
    assert download.get_data(as_text=True) == shown["bpmn"]
    assert "attachment" in download.headers["Content-Disposition"]
    missing = create(designer_api, from_version=9)
    assert missing.status_code == 422
    assert missing.get_json()["error"]["details"][0]["field"] == "from_version"


def test_a_draft_is_created_from_uploaded_files(designer_api: Api) -> None:
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted(SAMPLE_FORMS.glob("*.json"))]
    response = designer_api.post(DESIGNER, "/drafts", data={
        "procedure": PROCEDURE, "bpmn": (io.BytesIO(SAMPLE_BPMN.read_bytes()), SAMPLE_BPMN.name),
        "forms": files}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert errors_of(response.get_json()["problems"]) == []


def test_a_blank_draft_starts_a_process_for_the_procedure(designer_api: Api) -> None:
    response = create(designer_api)
    assert response.status_code == 201, response.get_json()
    shown = designer_api.get(DESIGNER, f"/drafts/{response.get_json()['id']}").get_json()
    assert "Bộ phận Một cửa" in shown["bpmn"] and 'isExecutable="true"' in shown["bpmn"]


def test_drafts_are_scoped_to_the_designers_agency(designer_api: Api) -> None:
    draft = sample_draft(designer_api)
    other = OTHER_DESIGNER["username"]
    assert designer_api.get(other, f"/drafts/{draft['id']}").status_code == 404
    assert designer_api.call("PUT", other, f"/drafts/{draft['id']}",
                             json={"revision": 1}).status_code == 404
    assert designer_api.post(other, f"/drafts/{draft['id']}/publish", json={}
                             ).status_code == 404
    assert designer_api.get(other, f"/drafts?procedure={PROCEDURE}").status_code == 404
    assert designer_api.post(other, "/drafts", json={"procedure": PROCEDURE}).status_code == 404
    assert create(designer_api, procedure=OTHER_AGENCY_PROCEDURE).status_code == 404
    for officer in ("cv.mai", "mc.lan", "ks.nga"):
        assert designer_api.get(officer, f"/drafts/{draft['id']}").status_code == 403
    assert designer_api.get(None, f"/drafts/{draft['id']}").status_code == 401
    versions = designer_api.get(DESIGNER, f"/processes?procedure={PROCEDURE}").get_json()
    assert designer_api.post(other, f"/processes/{versions[0]['id']}/retire").status_code == 404
    assert designer_api.get(other, f"/processes/{versions[0]['id']}/bpmn").status_code == 404


def test_no_process_is_published_for_an_abolished_procedure(designer_api: Api) -> None:
    draft = designer_api.post(DESIGNER, "/drafts", json={
        "procedure": "2.000505", "bpmn": SAMPLE_BPMN.read_text(encoding="utf-8"),
        "forms": sample_forms()}).get_json()
    response = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "procedure"


def test_a_draft_generated_from_the_decision_checks_clean_and_publishes(
        designer_api: Api) -> None:
    response = designer_api.post(DESIGNER, "/drafts/generate", json={"procedure": PROCEDURE})
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert errors_of(draft["problems"]) == []
    published = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert published.status_code == 201, published.get_json()


def test_a_draft_is_generated_from_an_uploaded_csv_table(designer_api: Api) -> None:
    table = ("Bước,Nội dung công việc,Trách nhiệm,Thời gian,Biểu mẫu/Kết quả\n"
             "1,Tiếp nhận hồ sơ,Công chức Bộ phận Một cửa,\"0,5 ngày\",Mẫu 01\n"
             "2,Thẩm định hồ sơ,Chuyên viên Phòng Hành chính tư pháp,04 giờ,\n"
             "3,Phê duyệt,Lãnh đạo Sở,04 giờ,\n"
             "4,Trả kết quả,Công chức Bộ phận Một cửa,Không tính,\n")
    response = designer_api.post(DESIGNER, "/drafts/generate", data={
        "procedure": PROCEDURE, "table": (io.BytesIO(table.encode()), "bang.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    shown = designer_api.get(DESIGNER, f"/drafts/{response.get_json()['id']}").get_json()
    assert "Thẩm định hồ sơ" in shown["bpmn"] and shown["forms"]


def test_an_unreadable_table_is_refused_with_the_field(designer_api: Api) -> None:
    response = designer_api.post(DESIGNER, "/drafts/generate", data={
        "procedure": PROCEDURE, "table": (io.BytesIO(b"PK\x03\x04 broken"), "bang.docx")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert all(d["field"] == "table" for d in response.get_json()["error"]["details"])


@pytest.mark.parametrize("body", [
    None, [], "x", {"procedure": 5}, {"procedure": PROCEDURE, "bpmn": 5},
    {"procedure": PROCEDURE, "forms": []}, {"procedure": PROCEDURE, "from_version": "1"},
    {"procedure": PROCEDURE, "from_version": 10**30}, {"procedure": PROCEDURE, "x": 1},
])
def test_a_malformed_create_is_422_naming_the_field(designer_api: Api, body: Any) -> None:
    response = designer_api.post(DESIGNER, "/drafts", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"][0]["field"]


@pytest.mark.parametrize("body", [
    {}, {"revision": "1"}, {"revision": None}, {"revision": 0}, {"revision": 10**40},
    {"revision": 1, "forms": "x"}, {"revision": 1, "bpmn": None},
])
def test_a_malformed_save_is_422_and_changes_nothing(designer_api: Api, body: Any) -> None:
    draft = sample_draft(designer_api)
    response = designer_api.call("PUT", DESIGNER, f"/drafts/{draft['id']}", json=body)
    assert response.status_code == 422, response.get_json()
    assert designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()["revision"] == 1


def test_a_table_that_is_not_a_file_is_refused(designer_api: Api) -> None:
    response = designer_api.post(DESIGNER, "/drafts/generate", data={
        "procedure": PROCEDURE, "table": "bang.csv"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "table"
