"""Bounded input (issue 11, item 6): an application's or a step's data above the size limit,
a blank applicant name, a wrong e-mail or phone, a value longer than its column, a key the
form does not define. Each is refused with a 422 naming the field before anything is
written, or (a key the form neither defines nor refuses) dropped; on both databases."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from motcua.config import load_settings
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.forms.conform import conform, encoded_size
from motcua.history.models import HistoryEvent
from motcua.importing import ImportProblems
from motcua.org.models import User
from motcua.org.operations import import_org
from motcua.tasks.models import Task
from support.paths import SAMPLES
from support.walk import Walker
from support.web import Browser, as_form, text

PROCEDURE = "2.000488"
START_FORM = "to-khai-ly-lich-tu-phap"
LIMIT = 256 * 1024
BLANK_NAMES = [" ", "\t\n", "\u00a0", "\u3000", "\u200b", "\ufeff\u200d", "\u2060 \u200c"]


def _rows() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))  # type: ignore
                 for model in (Dossier, Task, HistoryEvent))


def _body(walker: Walker, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure": PROCEDURE, "channel": "direct",
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
        "data": walker.data_for(START_FORM)}
    for key, value in changes.items():
        if key.startswith("applicant_"):
            body["applicant"][key.removeprefix("applicant_")] = value
        else:
            body[key] = value
    return body


def _problems(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.get_json()
    return {d["field"]: d["message"] for d in response.get_json()["error"]["details"]}


def _padded(walker: Walker, size: int) -> dict[str, Any]:
    """The sample application whose canonical JSON is exactly ``size`` bytes: a residence
    whose text (unbounded in the form) is padded with a two-byte letter and ASCII."""
    data = walker.data_for(START_FORM)
    data["qua_trinh_cu_tru"] = [{"tu": "2000-01-01", "den": "2010-01-01", "noi_cu_tru": ""}]
    missing = size - encoded_size(data)  # type: ignore[operator]
    data["qua_trinh_cu_tru"][0]["noi_cu_tru"] = "ư" * (missing // 2) + "x" * (missing % 2)
    assert encoded_size(data) == size
    return data


# ----------------------------------------------------------------------------- size


def test_application_data_over_the_limit_is_refused_and_at_the_limit_kept(
        walker: Walker) -> None:
    before = _rows()
    response = walker.api.post("mc.lan", "/dossiers",
                               json=_body(walker, data=_padded(walker, LIMIT + 1)))
    problems = _problems(response)
    assert list(problems) == ["data"] and "tối đa 256 KB" in problems["data"]
    assert _rows() == before
    response = walker.api.post("mc.lan", "/dossiers",
                               json=_body(walker, data=_padded(walker, LIMIT)))
    assert response.status_code == 201, response.get_json()
    assert encoded_size(response.get_json()["data"]) == LIMIT


def test_the_size_setting_is_honoured(walker: Walker, app: Flask,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "DATA_MAX_BYTES", 4096)
    before = _rows()
    response = walker.api.post("mc.lan", "/dossiers",
                               json=_body(walker, data=_padded(walker, 4097)))
    assert "tối đa 4 KB" in _problems(response)["data"]
    assert _rows() == before
    response = walker.api.post("mc.lan", "/dossiers",
                               json=_body(walker, data=_padded(walker, 4096)))
    assert response.status_code == 201


def test_the_size_setting_is_read_from_the_environment(tmp_path: Path) -> None:
    env = {"MOTCUA_INSTANCE": str(tmp_path), "MOTCUA_DEV": "1", "MOTCUA_DATA_MAX_KB": "64"}
    assert load_settings(env=env).flask_config()["DATA_MAX_BYTES"] == 64 * 1024
    del env["MOTCUA_DATA_MAX_KB"]
    assert load_settings(env=env).flask_config()["DATA_MAX_BYTES"] == LIMIT


def test_step_data_over_the_limit_is_refused_before_anything_changes(
        walker: Walker) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    task = walker.task("mc.lan", code)
    before = _rows()
    big = {"ghi_chu": "x" * LIMIT}
    response = walker.api.post("mc.lan", f"/tasks/{task['id']}/complete",
                               json={"outcome": "accept", "data": big})
    assert list(_problems(response)) == ["data"]
    assert _rows() == before
    assert walker.task("mc.lan", code)["state"] == task["state"]
    # At reception, the same bound on the desk step's data, named as the body names it.
    response = walker.api.post("mc.lan", "/dossiers", json=_body(
        walker, reception={"outcome": "accept", "data": big}))
    assert list(_problems(response)) == ["reception.data"]
    assert _rows() == before


def test_a_posted_page_over_the_limit_saves_nothing(app: Flask, sample: Any) -> None:
    application = _padded(Walker(None, SAMPLES / "forms"), LIMIT + 1)
    fields = {**as_form({"name": "Nguyễn Văn Nộp"}, "applicant"),
              **as_form(application, "data"), "channel": "direct", "outcome": "accept"}
    before = _rows()
    response = Browser(app, "mc.lan").post(f"/dossiers/new?procedure={PROCEDURE}", fields,
                                           content_type="multipart/form-data")
    # Refused whole by the request's own bound (413), or by the data's (422).
    assert response.status_code in (413, 422)
    assert _rows() == before


# ----------------------------------------------------------------------------- applicant


@pytest.mark.parametrize("name", BLANK_NAMES)
def test_blank_applicant_names_are_refused(walker: Walker, name: str) -> None:
    before = _rows()
    response = walker.api.post("mc.lan", "/dossiers", json=_body(walker, applicant_name=name))
    assert _problems(response) == {"applicant.name": "Không được để trống"}
    assert _rows() == before


def test_applicant_fields_are_trimmed_and_normalised(walker: Walker) -> None:
    dossier = walker.create("mc.lan", PROCEDURE, START_FORM, applicant={
        "name": "\u200b  Nguyễn Văn An\u3000", "phone": " +84 91 234 5678 ",
        "email": "An.Nguyen@Example.VN", "id_number": " 001090012345 ", "address": "  "})
    assert dossier["applicant"] == {
        "name": "Nguyễn Văn An", "phone": "0912345678", "email": "An.Nguyen@example.vn",
        "id_number": "001090012345", "address": None}


@pytest.mark.parametrize(("typed", "kept"), [
    ("0912345678", "0912345678"), ("+84912345678", "0912345678"),
    ("84912345678", "0912345678"), ("0912 345 678", "0912345678"),
    ("024 3825 1234", "02438251234"), ("(028) 3822-1234", "02838221234"),
    ("1900 1234", "19001234"), ("+1 650 253 0000", "+16502530000"),
])
def test_good_phone_numbers_are_kept_normalised(walker: Walker, typed: str, kept: str) -> None:
    response = walker.api.post("mc.lan", "/dossiers", json=_body(walker, applicant_phone=typed))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["applicant"]["phone"] == kept


@pytest.mark.parametrize("phone", ["12345", "091234567", "0123456789", "không có",
                                   "0912345678 ext 5", "+84 1234"])
def test_wrong_phone_numbers_are_refused(walker: Walker, phone: str) -> None:
    before = _rows()
    response = walker.api.post("mc.lan", "/dossiers", json=_body(walker, applicant_phone=phone))
    assert list(_problems(response)) == ["applicant.phone"]
    assert _rows() == before


@pytest.mark.parametrize("email", ["khong-phai-email", "an@", "@example.vn", "an@example",
                                   "an@@example.vn", "an@example..vn", "an nguyen@example.vn",
                                   "an@localhost"])
def test_wrong_emails_are_refused(walker: Walker, email: str) -> None:
    before = _rows()
    response = walker.api.post("mc.lan", "/dossiers", json=_body(walker, applicant_email=email))
    assert list(_problems(response)) == ["applicant.email"]
    assert _rows() == before


def test_every_wrong_applicant_field_is_named_at_once(walker: Walker) -> None:
    response = walker.api.post("mc.lan", "/dossiers", json=_body(
        walker, applicant_name="\u200b", applicant_phone="123", applicant_email="x@"))
    assert set(_problems(response)) == {"applicant.name", "applicant.phone",
                                        "applicant.email"}


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Ư" * 256), ("id_number", "0" * 33), ("phone", "0" * 33),
    ("email", "a" * 64 + "@" + "b" * 190 + ".vn"), ("address", "Số 1 " * 201),
])
def test_values_longer_than_their_column_are_422(walker: Walker, field: str,
                                                 value: str) -> None:
    before = _rows()
    response = walker.api.post("mc.lan", "/dossiers",
                               json=_body(walker, **{f"applicant_{field}": value}))
    assert list(_problems(response)) == [f"applicant.{field}"]
    assert _rows() == before


def test_the_longest_name_its_column_holds_is_kept(walker: Walker) -> None:
    name = "Ư" * 255
    response = walker.api.post("mc.lan", "/dossiers", json=_body(walker, applicant_name=name))
    assert response.status_code == 201, response.get_json()
    db.session.expire_all()
    assert db.session.scalar(select(Dossier.applicant_name)) == name


def test_the_reception_page_names_a_blank_name_and_a_wrong_phone(app: Flask,
                                                                 sample: Any) -> None:
    walker = Walker(None, SAMPLES / "forms")
    fields = {**as_form({"name": "\u200b\u200b", "phone": "0123"}, "applicant"),
              **as_form(walker.data_for(START_FORM), "data"), "channel": "direct",
              "outcome": "accept"}
    before = _rows()
    response = Browser(app, "mc.lan").post(f"/dossiers/new?procedure={PROCEDURE}", fields,
                                           content_type="multipart/form-data")
    assert response.status_code == 422
    page = text(response)
    assert "Không được để trống" in page and "Không phải số điện thoại hợp lệ" in page
    assert _rows() == before


# ----------------------------------------------------------------------------- org import


def _org_with(user: dict[str, Any]) -> dict[str, Any]:
    org = json.loads((SAMPLES / "org.json").read_text(encoding="utf-8"))
    org["users"] = [{"username": "moi.nguoi", "full_name": "Người Mới",
                     "password": "mat-khau-dai", **user}]
    return org


def test_org_import_refuses_wrong_emails_and_phones_and_blank_names(app: Flask) -> None:
    with pytest.raises(ImportProblems) as refused:
        import_org(_org_with({"email": "khong-phai-email", "phone": "123",
                              "full_name": "\u200b "}))
    fields = {p["field"] for p in refused.value.details}
    assert fields == {"$.users[0].email", "$.users[0].phone", "$.users[0].full_name"}
    with pytest.raises(ImportProblems) as refused:
        import_org(_org_with({"full_name": "Ư" * 256}))
    assert {p["field"] for p in refused.value.details} == {"$.users[0].full_name"}
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_org_import_keeps_contacts_normalised(app: Flask) -> None:
    import_org(_org_with({"email": "Moi@Example.VN", "phone": "+84 24 3825 1234"}))
    user = db.session.scalar(select(User).where(User.username == "moi.nguoi"))
    assert user is not None and (user.email, user.phone) == ("Moi@example.vn", "02438251234")


# ----------------------------------------------------------------------------- keys


def test_keys_the_form_does_not_define_are_dropped_at_every_level(walker: Walker) -> None:
    data = walker.data_for(START_FORM)
    data["khong_khai_bao"] = "x"
    data["qua_trinh_cu_tru"] = [{"tu": "2000-01-01", "den": "2010-01-01",
                                 "noi_cu_tru": "Hà Nội", "la": {"sau": 1}}]
    response = walker.api.post("mc.lan", "/dossiers", json=_body(walker, data=data))
    assert response.status_code == 201, response.get_json()
    kept = response.get_json()["data"]
    assert "khong_khai_bao" not in kept
    assert kept["qua_trinh_cu_tru"] == [{"tu": "2000-01-01", "den": "2010-01-01",
                                         "noi_cu_tru": "Hà Nội"}]
    code = response.get_json()["code"]
    answer = walker.complete("mc.lan", code, "accept", them="x")
    assert answer["dossier"]["status"] == "processing"
    [done] = [t for t in db.session.scalars(select(Task)) if t.state == "completed"]
    assert "them" not in (done.data or {})


@pytest.fixture
def strict_forms(tmp_path: Path) -> Path:
    """The sample's forms, the application refusing undeclared keys at its top
    (``additionalProperties``) and in its rows (``unevaluatedProperties``)."""
    folder = tmp_path / "forms"
    shutil.copytree(SAMPLES / "forms", folder)
    path = folder / f"{START_FORM}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["additionalProperties"] = False
    schema["properties"]["qua_trinh_cu_tru"]["items"]["unevaluatedProperties"] = False
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    return folder


def test_keys_a_strict_form_does_not_define_are_refused_by_name(
        province: Callable[..., dict[str, Any]], make_walker: Callable[..., Walker],
        strict_forms: Path) -> None:
    org = province(forms=strict_forms)
    walker = make_walker(org["users"], strict_forms)
    data = walker.data_for(START_FORM)
    data["khong_khai_bao"] = "x"
    data["qua_trinh_cu_tru"] = [{"tu": "2000-01-01", "den": "2010-01-01",
                                 "noi_cu_tru": "Hà Nội", "la": 1}]
    before = _rows()
    response = walker.api.post("mc.lan", "/dossiers", json=_body(walker, data=data))
    assert _problems(response) == {
        "data.khong_khai_bao": "Trường này không có trong biểu mẫu",
        "data.qua_trinh_cu_tru[0].la": "Trường này không có trong biểu mẫu"}
    assert _rows() == before


ROWS: dict[str, Any] = {"type": "array", "items": {
    "type": "object", "properties": {"b": {"type": "integer"}}}}
STRICT: dict[str, Any] = {"type": "object", "additionalProperties": False,
          "properties": {"a": {"type": "string"},
                         "rows": ROWS}}


@pytest.mark.parametrize(("schema", "data", "kept", "refused"), [
    # No keyword: dropped, in rows of arrays too.
    ({"type": "object", "properties": {"rows": ROWS}},
     {"rows": [{"b": 1, "c": 2}], "d": 3}, {"rows": [{"b": 1}]}, []),
    # false at the top refuses there, the rows (no keyword) still drop.
    (STRICT, {"a": "x", "z": 1, "rows": [{"b": 1, "c": 2}]}, None, ["data.z"]),
    (STRICT, {"a": "x", "rows": [{"b": 1, "c": 2}]}, {"a": "x", "rows": [{"b": 1}]}, []),
    # true, or a schema, keeps them in so many words.
    ({"type": "object", "properties": {"a": {}}, "additionalProperties": True},
     {"a": 1, "b": 2}, {"a": 1, "b": 2}, []),
    ({"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "integer"}},
     {"a": 1, "b": "x"}, None, ["data.b"]),
    # patternProperties and the in-place branches define keys too.
    ({"type": "object", "properties": {"a": {}}, "patternProperties": {"^x_": {}}},
     {"a": 1, "x_1": 2, "y": 3}, {"a": 1, "x_1": 2}, []),
    ({"type": "object", "properties": {"a": {}},
      "if": {"properties": {"a": {"const": 1}}}, "then": {"properties": {"b": {}}}},
     {"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2}, []),
    # An object listing no properties is free; a $ref level is left to the validator.
    ({"type": "object", "properties": {"free": {"type": "object"}}},
     {"free": {"any": {"thing": 1}}}, {"free": {"any": {"thing": 1}}}, []),
    ({"$defs": {"p": {"type": "object", "properties": {"a": {}}}}, "$ref": "#/$defs/p"},
     {"a": 1, "b": 2}, {"a": 1, "b": 2}, []),
])
def test_the_form_says_what_becomes_of_undefined_keys(
        app: Flask, schema: dict[str, Any], data: dict[str, Any], kept: Any,
        refused: list[str]) -> None:
    given = copy.deepcopy(data)
    result, problems = conform(data, schema)
    assert [p["field"] for p in problems] == refused
    if kept is not None:
        assert result == kept
    assert data == given  # the caller's value is untouched
