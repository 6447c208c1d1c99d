"""The form designer's API: rows compiled and previewed with sample data checked, schemas
read back, a draft's forms added, saved, renamed and deleted through the draft's revision;
other agencies' drafts are 404, officers 403, a stale revision 409, bad bodies 422 naming
the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from motcua.processes.checks.forms import load_forms_dir
from support.api import PROCEDURE, Api
from support.sample import SAMPLE_BPMN, SAMPLE_FORMS

DESIGNER = "qt.binh"
OFFICER = "cv.mai"
OTHER_AGENCY_PROCEDURE = "1.001193"
OTHER_DESIGNER: dict[str, Any] = {
    "username": "tk.khoa", "full_name": "Trịnh Khoa", "password": "demo-Khoa-2026",
    "memberships": [{"agency": "000.00.20.H99", "role": "designer"}]}
ROWS: list[dict[str, Any]] = [
    {"title": "Họ và tên", "type": "text", "required": True, "max_length": 50},
    {"title": "Số định danh", "type": "text", "pattern": "cccd"},
    {"title": "Kết luận", "type": "radio", "required": True,
     "options": [{"label": "Đồng ý", "value": "dong_y"}, {"label": "Không", "value": "khong"}]},
    {"title": "Chuyên viên", "type": "officer", "role": "specialist"},
    {"title": "Giấy tờ", "type": "group", "rows": [
        {"title": "Tên giấy tờ", "type": "text", "required": True}]},
]


@pytest.fixture
def designer_api(province: Callable[..., dict[str, Any]],
                 make_api: Callable[[list[dict[str, Any]]], Api]) -> Api:
    org = province(users=[OTHER_DESIGNER])
    return make_api(org["users"])


def new_draft(api: Api, procedure: str = PROCEDURE, user: str = DESIGNER) -> dict[str, Any]:
    forms, problems = load_forms_dir(SAMPLE_FORMS)
    assert not problems
    body: dict[str, Any] = {"procedure": procedure}
    if procedure == PROCEDURE:
        body.update(bpmn=SAMPLE_BPMN.read_text(encoding="utf-8"), forms=forms)
    response = api.post(user, "/drafts", json=body)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def test_rows_compile_with_keys_and_problems(designer_api: Api) -> None:
    draft = new_draft(designer_api)
    answer = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/forms/compile", json={
        "title": "Ý kiến", "rows": ROWS}).get_json()
    assert [r["key"] for r in answer["rows"]] == [
        "ho_va_ten", "so_dinh_danh", "ket_luan", "chuyen_vien", "giay_to"]
    assert answer["problems"] == []
    assert answer["schema"]["required"] == ["ho_va_ten", "ket_luan"]
    assert answer["ui"]["chuyen_vien"]["ui:options"] == {"role": "specialist"}
    assert list(json.loads(answer["text"])["schema"]["properties"]) == [
        "ho_va_ten", "so_dinh_danh", "ket_luan", "chuyen_vien", "giay_to"]
    wrong = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/forms/compile", json={
        "rows": [{"title": "A", "key": "a", "type": "select"},
                 {"title": "B", "key": "a", "min_length": 3, "max_length": 1}]}).get_json()
    assert {p["field"] for p in wrong["problems"]} == {"rows[0].options", "rows[1].key",
                                                       "rows[1].min_length"}


@pytest.mark.parametrize(("body", "field"), [
    ({}, "rows"),
    ({"rows": "x"}, "rows"),
    ({"rows": [{"title": "A", "type": "ảnh"}]}, "rows[0].type"),
    ({"rows": [{"title": "A", "type": ["text"]}]}, "rows[0].type"),
    ({"rows": [{"title": "A", "type": {"text": 1}}]}, "rows[0].type"),
    ({"rows": [{"title": 5}]}, "rows[0].title"),
    ({"rows": [{"title": "A", "type": "group", "rows": [{"max_length": "năm"}]}]},
     "rows[0].rows[0].max_length"),
    ({"rows": [{"title": "A", "min_rows": -1}]}, "rows[0].min_rows"),
    ({"rows": [{"title": "A", "pattern": "^a$"}]}, "rows[0].pattern"),
    ({"rows": [{"title": "A", "options": [{"label": 1}]}]}, "rows[0].options[0].label"),
    ({"rows": [{"title": "A", "required": "có"}]}, "rows[0].required"),
    ({"rows": [{"title": "A", "type": "advanced"}]}, "rows[0].advanced.schema"),
    ({"rows": [], "advanced": []}, "advanced"),
])
def test_a_bad_body_is_422_naming_the_field(designer_api: Api, body: dict[str, Any],
                                            field: str) -> None:
    draft = new_draft(designer_api)
    response = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/forms/compile", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in [d["field"] for d in response.get_json()["error"]["details"]]


def test_the_preview_is_drawn_by_the_renderer_and_checks_sample_data(designer_api: Api) -> None:
    draft = new_draft(designer_api)
    path = f"/drafts/{draft['id']}/forms"
    compiled = designer_api.post(DESIGNER, f"{path}/compile", json={"rows": ROWS}).get_json()
    shown = designer_api.post(DESIGNER, f"{path}/preview", json={
        "schema": compiled["schema"], "ui": compiled["ui"]}).get_json()
    assert 'name="data.ho_va_ten"' in shown["html"] and shown["errors"] == []
    # The officer list of the specialist role, from the procedure's own units.
    assert '<select id="f-data-chuyen_vien"' in shown["html"]
    checked = designer_api.post(DESIGNER, f"{path}/preview", json={
        "schema": compiled["schema"], "ui": compiled["ui"], "check": True,
        "form": [["data.ho_va_ten", "A"], ["data.so_dinh_danh", "123"]]}).get_json()
    assert {e["field"] for e in checked["errors"]} == {"data.so_dinh_danh", "data.ket_luan"}
    assert "form-error" in checked["html"] and 'value="123"' in checked["html"]
    good = designer_api.post(DESIGNER, f"{path}/preview", json={
        "schema": compiled["schema"], "ui": compiled["ui"], "check": True,
        "data": {"ho_va_ten": "A", "ket_luan": "khong"}}).get_json()
    assert good["errors"] == []
    # A schema typed wrong in the JSON view: its problems, and no crash.
    broken = designer_api.post(DESIGNER, f"{path}/preview", json={
        "schema": {"type": "object", "properties": {"a": {"type": 5}}}, "check": True})
    assert broken.status_code == 200
    assert broken.get_json()["problems"][0]["severity"] == "error"
    assert broken.get_json()["checked"] is False and checked["checked"] is True
    # A field the sample data does not post shows its default; one posted blank stays blank.
    with_default = designer_api.post(DESIGNER, f"{path}/compile", json={"rows": [
        {"title": "Số bản", "type": "integer", "default": 2}]}).get_json()
    pair = {"schema": with_default["schema"], "ui": with_default["ui"]}
    assert with_default["schema"]["properties"]["so_ban"]["default"] == 2
    shown = designer_api.post(DESIGNER, f"{path}/preview", json={**pair, "form": []}).get_json()
    assert 'value="2"' in shown["html"] and shown["data"] == {"so_ban": 2}
    cleared = designer_api.post(DESIGNER, f"{path}/preview", json={
        **pair, "form": [["data.so_ban", ""]]}).get_json()
    assert 'value="2"' not in cleared["html"] and cleared["data"] == {}
    bad = designer_api.post(DESIGNER, f"{path}/preview", json={"schema": {}, "form": [["a"]]})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "form"


def test_a_schema_reads_back_into_rows(designer_api: Api) -> None:
    forms, _ = load_forms_dir(SAMPLE_FORMS)
    key, form = next(iter(forms.items()))
    answer = designer_api.post(DESIGNER, "/forms/readback", json={
        "key": key, **form}).get_json()
    assert [r["key"] for r in answer["rows"]] and answer["problems"] == []
    assert designer_api.post(OFFICER, "/forms/readback", json=form).status_code == 403
    assert designer_api.post(DESIGNER, "/forms/readback", json={"schema": 3}).status_code == 422


def test_forms_are_added_saved_renamed_and_deleted_with_the_draft(designer_api: Api) -> None:
    draft = new_draft(designer_api)
    path = f"/drafts/{draft['id']}/forms"
    listed = designer_api.get(DESIGNER, path).get_json()
    assert listed["revision"] == 1 and any(f["steps"] for f in listed["forms"])
    added = designer_api.post(DESIGNER, path, json={"revision": 1, "title": "Ý kiến pháp chế"})
    assert added.status_code == 201, added.get_json()
    key = added.get_json()["key"]
    assert key == "y-kien-phap-che" and added.get_json()["revision"] == 2
    compiled = designer_api.post(DESIGNER, f"{path}/compile", json={"rows": ROWS}).get_json()
    saved = designer_api.call("PUT", DESIGNER, f"{path}/{key}", json={
        "revision": 2, "schema": compiled["schema"], "ui": compiled["ui"]})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["revision"] == 3
    shown = designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()
    assert shown["forms"][key]["schema"]["properties"]["ho_va_ten"]["maxLength"] == 50
    assert shown["forms"][key]["ui"] == compiled["ui"]
    renamed = designer_api.call("PATCH", DESIGNER, f"{path}/{key}",
                                json={"revision": 3, "title": "Ý kiến của pháp chế"})
    assert renamed.status_code == 200
    one = designer_api.get(DESIGNER, f"{path}/{key}").get_json()
    assert one["schema"]["title"] == "Ý kiến của pháp chế" and one["key"] == key
    assert [r["key"] for r in one["form"]["rows"]][:1] == ["ho_va_ten"]
    assert all(r["locked"] for r in one["form"]["rows"])
    deleted = designer_api.call("DELETE", DESIGNER, f"{path}/{key}", json={"revision": 4})
    assert deleted.status_code == 200 and deleted.get_json()["revision"] == 5
    assert key not in designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()["forms"]
    assert designer_api.get(DESIGNER, f"{path}/{key}").status_code == 404


def test_a_form_a_step_uses_is_not_deleted_and_the_steps_are_named(designer_api: Api) -> None:
    draft = new_draft(designer_api)
    path = f"/drafts/{draft['id']}/forms"
    used = next(f for f in designer_api.get(DESIGNER, path).get_json()["forms"] if f["steps"])
    refused = designer_api.call("DELETE", DESIGNER, f"{path}/{used['key']}",
                                json={"revision": 1})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert used["steps"][0]["name"] in error["message"]
    assert {d["element_id"] for d in error["details"]} == {
        s["element_id"] for s in used["steps"]}
    assert designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()["revision"] == 1


def test_a_stale_revision_is_409_naming_who_saved_and_changes_nothing(
        designer_api: Api) -> None:
    draft = new_draft(designer_api)
    path = f"/drafts/{draft['id']}/forms"
    key = designer_api.post(DESIGNER, path, json={"revision": 1, "title": "Mới"}).get_json()[
        "key"]
    stale = designer_api.call("PUT", DESIGNER, f"{path}/{key}", json={
        "revision": 1, "schema": {"type": "object", "properties": {}}})
    assert stale.status_code == 409
    message = stale.get_json()["error"]["message"]
    assert "Bùi Đức Bình" in message and "phiên bản 2" in message
    assert designer_api.call("PATCH", DESIGNER, f"{path}/{key}", json={
        "revision": 1, "title": "X"}).status_code == 409
    assert designer_api.post(DESIGNER, path, json={"revision": 1, "title": "Y"}
                             ).status_code == 409
    assert designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()["revision"] == 2


def test_other_agencies_drafts_are_404_and_officers_403(designer_api: Api) -> None:
    mine = new_draft(designer_api)
    theirs = new_draft(designer_api, OTHER_AGENCY_PROCEDURE, "tk.khoa")
    for draft, who, status in ((theirs, DESIGNER, 404), (mine, "tk.khoa", 404),
                               (mine, OFFICER, 403)):
        path = f"/drafts/{draft['id']}/forms"
        assert designer_api.get(who, path).status_code == status
        assert designer_api.post(who, f"{path}/compile", json={"rows": []}).status_code == status
        assert designer_api.post(who, f"{path}/preview",
                                 json={"schema": {}}).status_code == status
        assert designer_api.post(who, path, json={"revision": 1, "title": "A"}
                                 ).status_code == status
        assert designer_api.call("PUT", who, f"{path}/x", json={
            "revision": 1, "schema": {}}).status_code == status
    assert designer_api.get(None, f"/drafts/{mine['id']}/forms").status_code == 401


def test_a_published_drafts_forms_are_read_only(designer_api: Api) -> None:
    draft = new_draft(designer_api)
    published = designer_api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert published.status_code == 201, published.get_json()
    path = f"/drafts/{draft['id']}/forms"
    assert designer_api.get(DESIGNER, path).get_json()["published"] is True
    key = designer_api.get(DESIGNER, path).get_json()["forms"][0]["key"]
    assert designer_api.call("PATCH", DESIGNER, f"{path}/{key}", json={
        "revision": 1, "title": "X"}).status_code == 409
    assert designer_api.post(DESIGNER, path, json={"revision": 1, "title": "Y"}
                             ).status_code == 409
    # Deleting a form a step uses: the draft is published, not "remove it from its steps".
    used = next(f for f in designer_api.get(DESIGNER, path).get_json()["forms"] if f["steps"])
    assert designer_api.call("DELETE", DESIGNER, f"{path}/{used['key']}", json={
        "revision": 1}).status_code == 409


@pytest.mark.parametrize(("method", "path", "body"), [
    ("PUT", "/{key}", '{"revision": 2, "schema": {"a": ' + "[" * 5000 + "]" * 5000 + "}}"),
    ("PATCH", "/{key}", "[" * 100000),
    ("DELETE", "/{key}", '{"revision": ' + "[" * 100000),
    ("POST", "", '{"revision": 1, "title": ' + "[" * 5000 + "]" * 5000 + "}"),
])
def test_a_body_nested_too_deep_is_400_on_every_endpoint(
        designer_api: Api, method: str, path: str, body: str) -> None:
    draft = new_draft(designer_api)
    base = f"/drafts/{draft['id']}/forms"
    key = designer_api.post(DESIGNER, base, json={"revision": 1, "title": "Mới"}).get_json()[
        "key"]
    response = designer_api.call(method, DESIGNER, base + path.format(key=key), data=body,
                                 content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/{key}", '{"revision": 2, "schema": {"type": "object", "properties": '
     '{"a": {"type": "number", "minimum": NaN}}}}', "schema.properties.a.minimum"),
    ("/compile", '{"rows": [{"title": "A", "type": "number", "maximum": NaN}]}',
     "rows[0].maximum"),
    ("/compile", '{"rows": [{"title": "A", "type": "number", "default": -Infinity}]}',
     "rows[0].default"),
    ("/preview", '{"schema": {"type": "object"}, "data": {"a": [NaN]}}', "data.a[0]"),
])
def test_nan_and_infinity_are_422_naming_the_field(designer_api: Api, path: str, body: str,
                                                   field: str) -> None:
    # Python's parser reads them; PostgreSQL refused to store them (a 500) and a browser
    # could not read an answer that echoed them.
    draft = new_draft(designer_api)
    base = f"/drafts/{draft['id']}/forms"
    key = designer_api.post(DESIGNER, base, json={"revision": 1, "title": "Mới"}).get_json()[
        "key"]
    method = "PUT" if path == "/{key}" else "POST"
    response = designer_api.call(method, DESIGNER, base + path.format(key=key), data=body,
                                 content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert [d["field"] for d in response.get_json()["error"]["details"]] == [field]
    assert designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()["revision"] == 2


def test_sample_data_too_large_to_draw_is_422(designer_api: Api) -> None:
    # Every value of the sample data is drawn: 20,000 rows kept a worker busy for seconds.
    draft = new_draft(designer_api)
    schema = {"type": "object", "properties": {"a": {"type": "array", "items": {
        "type": "object", "properties": {"b": {"type": "string"}}}}}}
    path = f"/drafts/{draft['id']}/forms/preview"
    many = designer_api.post(DESIGNER, path, json={"schema": schema,
                                                   "data": {"a": [{"b": "x"}] * 3000}})
    assert many.status_code == 422
    assert many.get_json()["error"]["details"][0]["field"] == "data"
    some = designer_api.post(DESIGNER, path, json={"schema": schema,
                                                   "data": {"a": [{"b": "x"}] * 100}})
    assert some.status_code == 200 and some.get_json()["html"].count('value="x"') == 100


def test_a_body_too_large_to_draw_in_a_moment_is_422(designer_api: Api) -> None:
    # 20,000 fields took seconds to compile, draw or read back; the library's largest form
    # holds some 200 values.
    draft = new_draft(designer_api)
    schema = {"type": "object", "properties": {
        f"f{i}": {"type": "string", "title": "A"} for i in range(8000)}}
    path = f"/drafts/{draft['id']}/forms"
    for url, body in ((f"{path}/preview", {"schema": schema}),
                      ("/forms/readback", {"schema": schema}),
                      (f"{path}/compile", {"rows": [], "advanced": {"schema": schema}})):
        response = designer_api.post(DESIGNER, url, json=body)
        assert response.status_code == 422, url
        assert response.get_json()["error"]["details"][0]["field"] == "_body"


@pytest.mark.parametrize(("required", "field_format"), [
    ([{}], "date"), ([["a"]], "date"), ([1, "a"], "date"), (["a"], ["date"]),
    (["a"], {"date": 1})])
def test_a_stored_schema_saying_odd_things_opens(designer_api: Api, required: list[Any],
                                                 field_format: Any) -> None:
    # Saving does not refuse what a schema says (the check lists it): reading it back into
    # rows met an unhashable name or format and every page of the form was a 500.
    draft = new_draft(designer_api)
    base = f"/drafts/{draft['id']}/forms"
    key = designer_api.post(DESIGNER, base, json={"revision": 1, "title": "Mới"}).get_json()[
        "key"]
    schema = {"type": "object", "required": required,
              "properties": {"a": {"type": "string", "title": "A", "format": field_format}}}
    assert designer_api.call("PUT", DESIGNER, f"{base}/{key}", json={
        "revision": 2, "schema": schema}).status_code == 200
    shown = designer_api.get(DESIGNER, f"{base}/{key}")
    assert shown.status_code == 200
    assert [r["key"] for r in shown.get_json()["form"]["rows"]] == ["a"]
    rows = shown.get_json()["form"]["rows"]
    if field_format != "date":
        assert rows[0]["type"] == "text" and rows[0]["advanced"]["schema"] == {
            "format": field_format}
    if required != ["a"]:
        assert shown.get_json()["form"]["advanced"]["schema"]["required"] == required
    read = designer_api.post(DESIGNER, "/forms/readback", json={"schema": schema})
    assert read.status_code == 200 and read.get_json()["problems"]


@pytest.mark.parametrize("title", ["Ý kiến\x00", "\ud800 Ý kiến", "Ý\x07kiến"])
def test_a_title_no_database_stores_is_422_naming_the_title(designer_api: Api,
                                                            title: str) -> None:
    draft = new_draft(designer_api)
    base = f"/drafts/{draft['id']}/forms"
    body = json.dumps({"revision": 1, "title": title})
    added = designer_api.post(DESIGNER, base, data=body, content_type="application/json")
    assert added.status_code == 422
    assert [d["field"] for d in added.get_json()["error"]["details"]] == ["title"]
    key = next(iter(designer_api.get(DESIGNER, f"/drafts/{draft['id']}").get_json()["forms"]))
    renamed = designer_api.call("PATCH", DESIGNER, f"{base}/{key}", data=body,
                                content_type="application/json")
    assert renamed.status_code == 422
    assert [d["field"] for d in renamed.get_json()["error"]["details"]] == ["title"]
