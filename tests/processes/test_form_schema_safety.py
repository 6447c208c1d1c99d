"""Form schemas cannot reach outside: only local refs that end, patterns RE2 can run.

Every access a remote or ``file:`` ref could make is watched: a local HTTP server counts the
requests it gets, an audit hook records every ``open`` of the file. The control tests show
that a plain jsonschema validator does make them, so the watch would see a regression.
"""

from __future__ import annotations

import copy
import io
import json
import sys
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable
from sqlalchemy import func, select

from motcua.db import db
from motcua.processes.checks import check_process, load_forms_dir
from motcua.processes.checks.forms import MAX_DEPTH, forms_from_files, schema_problems
from motcua.processes.models import Form, ProcessVersion
from motcua.safe_schema import build_validator
from motcua.schema_errors import UNCHECKABLE, validate
from support.paths import SAMPLES
from support.walk import Walker

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
BASE = (SCENARIOS / "base.bpmn").read_bytes()
FORMS, _ = load_forms_dir(SCENARIOS / "forms")
SAMPLE_BPMN = (SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn").read_bytes()
SAMPLE_FORMS = sorted((SAMPLES / "forms").glob("*.json"))
REMOTE_SCHEMA = {"type": "string"}

# Paths an ``open`` of which the audit hook records (audit hooks cannot be removed: this one
# does nothing while nothing is watched).
WATCHED: set[str] = set()
OPENED: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if WATCHED and event == "open" and args and str(args[0]) in WATCHED:
        OPENED.append(str(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server answering every GET with a schema; its URL and the paths asked."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = json.dumps(REMOTE_SCHEMA).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/schema+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", seen
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def secret(tmp_path: Path) -> Iterator[Path]:
    """An existing file a ``file:`` ref names; every ``open`` of it is recorded."""
    path = tmp_path / "secret.schema.json"
    path.write_text(json.dumps(REMOTE_SCHEMA), encoding="utf-8")
    WATCHED.add(str(path))
    OPENED.clear()
    yield path
    WATCHED.discard(str(path))
    OPENED.clear()


@pytest.fixture
def outside(request: pytest.FixtureRequest, server: tuple[str, list[str]],
            secret: Path) -> tuple[str, list[str]]:
    """A ref out of the schema (``request.param``: "http" or "file") and the accesses made
    to what it names."""
    if request.param == "http":
        url, seen = server
        return f"{url}/dia-chi.schema.json", seen
    return secret.as_uri(), OPENED


def with_ref(schema: dict[str, Any], field: str, ref: str) -> dict[str, Any]:
    changed = copy.deepcopy(schema)
    changed["properties"][field] = {"$ref": ref, "title": "Địa chỉ"}
    return changed


def messages(schema: Any) -> list[str]:
    return [p.message for p in schema_problems("f", {"schema": schema, "ui": None})]


# ------------------------------------------------------------------ refs out of the schema


@pytest.mark.parametrize("outside", ["http", "file"], indirect=True)
def test_ref_out_of_the_schema_is_refused_at_check_and_nothing_is_fetched(
        outside: tuple[str, list[str]]) -> None:
    ref, accesses = outside
    forms = dict(FORMS)
    forms["tham-dinh"] = {"schema": with_ref(FORMS["tham-dinh"]["schema"], "dia_chi", ref),
                          "ui": None}
    with warnings.catch_warnings():
        # jsonschema's remote retrieval warns only after fetching: never let a warning stop it.
        warnings.simplefilter("ignore")
        result = check_process(BASE, "test.bpmn", forms)
    assert accesses == []
    assert result.spec is None
    [problem] = result.problems
    assert problem.file == "tham-dinh.schema.json"
    assert problem.rule == "form"
    assert f'"$ref" tại $.properties.dia_chi.$ref ("{ref}") trỏ ra ngoài biểu mẫu' in (
        problem.message)
    assert '"#/$defs/dia_chi"' in problem.message


@pytest.mark.parametrize("outside", ["http", "file"], indirect=True)
def test_validator_retrieves_nothing_and_fails_closed(outside: tuple[str, list[str]]) -> None:
    ref, accesses = outside
    schema = {"type": "object", "properties": {"dia_chi": {"$ref": ref}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Unresolvable):
            list(build_validator(schema).iter_errors({"dia_chi": "Hà Nội"}))
        assert validate({"dia_chi": "Hà Nội"}, schema, root="data") == [
            {"field": "data", "message": UNCHECKABLE}]
    assert accesses == []


@pytest.mark.parametrize("outside", ["http", "file"], indirect=True)
def test_control_plain_jsonschema_would_fetch(outside: tuple[str, list[str]]) -> None:
    ref, accesses = outside
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        errors = list(Draft202012Validator({"$ref": ref}).iter_errors(5))
    assert [e.validator for e in errors] == ["type"]
    assert accesses


def _upload(api: Any, changed: dict[str, bytes]) -> Any:
    files = [(io.BytesIO(changed.get(p.name, p.read_bytes())), p.name) for p in SAMPLE_FORMS]
    data = {"procedure": "2.000488", "bpmn": (io.BytesIO(SAMPLE_BPMN), "x.bpmn"),
            "forms": files}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return api.post("qt.binh", "/processes", data=data, content_type="multipart/form-data")


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessVersion)) or 0


def _sample_schema(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / "forms" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("outside", ["http", "file"], indirect=True)
def test_upload_with_a_ref_out_of_the_schema_is_refused(
        api: Any, sample: Any, outside: tuple[str, list[str]]) -> None:
    ref, accesses = outside
    before = _versions()
    schema = with_ref(_sample_schema("tiep-nhan.schema.json"), "dia_chi", ref)
    response = _upload(api, {"tiep-nhan.schema.json": json.dumps(schema).encode()})
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]
    assert [d["file"] for d in details] == ["tiep-nhan.schema.json"]
    assert "$.properties.dia_chi.$ref" in details[0]["message"]
    assert ref in details[0]["message"]
    assert _versions() == before
    assert accesses == []


def test_upload_with_a_backreference_pattern_is_refused(api: Any, sample: Any) -> None:
    before = _versions()
    schema = _sample_schema("tiep-nhan.schema.json")
    schema["properties"]["ly_do"]["pattern"] = r"^(\w+) \1$"
    response = _upload(api, {"tiep-nhan.schema.json": json.dumps(schema).encode()})
    assert response.status_code == 422, response.get_json()
    [detail] = response.get_json()["error"]["details"]
    assert detail["file"] == "tiep-nhan.schema.json"
    assert 'trường "Lý do (khi yêu cầu bổ sung hoặc từ chối)"' in detail["message"]
    assert "$.properties.ly_do.pattern" in detail["message"]
    assert r'mẫu "^(\w+) \1$"' in detail["message"]
    assert "tham chiếu ngược" in detail["message"]
    assert _versions() == before


def test_a_stored_form_with_a_remote_ref_refuses_data_and_fetches_nothing(
        api: Any, walker: Walker, app: Flask, server: tuple[str, list[str]]) -> None:
    """A form stored before upload checked refs: its data is refused, never half-checked."""
    url, seen = server
    form = db.session.scalar(select(Form).where(Form.key == "to-khai-ly-lich-tu-phap"))
    assert form is not None
    form.schema = {**form.schema, "$ref": f"{url}/to-khai.schema.json"}
    db.session.commit()
    app.extensions["motcua_versions"] = type(app.extensions["motcua_versions"])()

    body = {"procedure": "2.000488", "channel": "direct",
            "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345",
                          "phone": "0912345678", "address": "Hà Nội"},
            "data": walker.data_for("to-khai-ly-lich-tu-phap")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = api.post("mc.lan", "/dossiers", json=body)
    assert response.status_code == 422, response.get_json()
    assert UNCHECKABLE in json.dumps(response.get_json(), ensure_ascii=False)
    assert seen == []


# ------------------------------------------------------------------ refs inside the schema


def test_local_refs_anchors_and_embedded_ids_resolve() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "ho-so",
        "type": "object",
        "$defs": {
            "chuoi": {"type": "string", "minLength": 1},
            "ngay": {"$anchor": "ngay", "type": "string", "format": "date"},
            "dia_chi": {"$id": "dia-chi", "type": "object",
                        "properties": {"tinh": {"$ref": "#/$defs/ten"}},
                        "$defs": {"ten": {"type": "string"}}},
        },
        "properties": {"ho_ten": {"$ref": "#/$defs/chuoi"}, "ngay_sinh": {"$ref": "#ngay"},
                       "ten_khac": {"$ref": "#/properties/ho_ten"},
                       "dia_chi": {"$ref": "#/$defs/dia_chi"}},
    }
    assert messages(schema) == []
    assert validate({"ho_ten": "An", "ngay_sinh": "2001-02-03", "ten_khac": "",
                     "dia_chi": {"tinh": 5}}, schema) == [
        {"field": "dia_chi.tinh", "message": "Phải là chuỗi"},
        {"field": "ten_khac", "message": "Không được để trống"}]


@pytest.mark.parametrize(("ref", "fragment"), [
    ("other.schema.json", "trỏ ra ngoài biểu mẫu"),
    ("other.schema.json#/$defs/x", "trỏ ra ngoài biểu mẫu"),
    ("/etc/passwd", "trỏ ra ngoài biểu mẫu"),
    ("urn:uuid:00000000-0000-0000-0000-000000000000", "trỏ ra ngoài biểu mẫu"),
    ("#/$defs/khong_co", "không trỏ tới một schema con nào"),
    ("#khong-co", "không trỏ tới một schema con nào"),
    ("#/properties", "không trỏ tới một schema con nào"),
    ("#/properties/a/title", "không trỏ tới một schema con nào"),
    ("#/properties/a/default", "không trỏ tới một schema con nào"),
])
def test_refs_that_leave_or_miss_the_schema_are_named(ref: str, fragment: str) -> None:
    schema = {"type": "object", "properties": {
        "a": {"type": "object", "title": "A", "default": {"type": "string"}},
        "b": {"$ref": ref}}}
    [message] = messages(schema)
    assert f'"$ref" tại $.properties.b.$ref ("{ref}")' in message
    assert fragment in message
    assert "f.schema.json" in message


def test_dynamic_ref_out_of_the_schema_is_refused() -> None:
    [message] = messages({"properties": {"b": {"$dynamicRef": "https://example.org/s#x"}}})
    assert '"$dynamicRef" tại $.properties.b.$dynamicRef' in message


@pytest.mark.parametrize(("schema", "ref_at", "chain"), [
    ({"$ref": "#"}, "$.$ref", "$ → $"),
    ({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
      "properties": {"x": {"$ref": "#/$defs/a"}}},
     "$.$defs.a.$ref", "$.$defs.a → $.$defs.b → $.$defs.a"),
    ({"$defs": {"a": {"allOf": [{"type": "string"}, {"$ref": "#/$defs/a"}]}}},
     "$.$defs.a.allOf[1].$ref", "$.$defs.a → $.$defs.a.allOf[1] → $.$defs.a"),
    ({"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/b"}]},
                "b": {"not": {"if": {"$ref": "#/$defs/a"}}}}},
     "$.$defs.a.anyOf[0].$ref", "$.$defs.a → $.$defs.a.anyOf[0] → $.$defs.b → "
                                "$.$defs.b.not → $.$defs.b.not.if → $.$defs.a"),
])
def test_reference_cycles_are_refused(schema: dict[str, Any], ref_at: str, chain: str) -> None:
    [message] = messages(schema)
    assert f'"$ref" tại {ref_at}' in message
    assert f"tạo vòng tham chiếu {chain}:" in message
    # The validator alone would recurse until Python gives up; validate fails closed.
    used = schema if "$ref" in schema else {**schema, "$ref": "#/$defs/a"}
    assert validate("x", used) == [{"field": "_data", "message": UNCHECKABLE}]


TREE = {
    "type": "object", "required": ["goc"],
    "$defs": {"nut": {"type": "object", "required": ["ten"], "properties": {
        "ten": {"type": "string", "minLength": 1},
        "con": {"type": "array", "items": {"$ref": "#/$defs/nut"}}}}},
    "properties": {"goc": {"$ref": "#/$defs/nut"}},
}


def test_a_well_founded_recursive_tree_is_accepted_and_validates_deeply() -> None:
    assert messages(TREE) == []
    leaf = {"ten": "lá"}
    tree = {"goc": {"ten": "gốc", "con": [leaf, {"ten": "nhánh", "con": [leaf, {"ten": ""}]}]}}
    assert validate(tree, TREE) == [
        {"field": "goc.con[1].con[1].ten", "message": "Không được để trống"}]


def test_recursion_through_optional_map_values_is_accepted() -> None:
    schema = {"type": "object", "additionalProperties": {"$ref": "#"}}
    assert messages(schema) == []
    assert validate({"a": {"b": {}}}, schema) == []


@pytest.mark.parametrize("schema", [
    # "con" is required: every node must hold one more node.
    {"$defs": {"nut": {"type": "object", "required": ["con"],
                       "properties": {"con": {"$ref": "#/$defs/nut"}}}},
     "properties": {"goc": {"$ref": "#/$defs/nut"}}},
    # A required list of nodes: the example generator fills one row per list, forever.
    {"$defs": {"nut": {"type": "object", "required": ["con"], "properties": {
        "con": {"type": "array", "items": {"$ref": "#/$defs/nut"}}}}},
     "properties": {"goc": {"$ref": "#/$defs/nut"}}},
])
def test_recursion_through_required_fields_is_refused(schema: dict[str, Any]) -> None:
    [message] = messages(schema)
    assert "qua các trường bắt buộc $.$defs.nut → $.$defs.nut.properties.con" in message
    assert 'bỏ trường đệ quy khỏi "required"' in message


# ------------------------------------------------------------------ patterns and the rest


def test_pattern_problems_name_the_field_and_pattern_once() -> None:
    schema = {"type": "object", "properties": {
        "ma": {"type": "string", "title": "Mã hồ sơ", "pattern": "(?=x)y"},
        "nhom": {"type": "object", "patternProperties": {"(": {"type": "string"}}},
        "sdt": {"type": "string", "pattern": "^(0|\\+84)[0-9]{9,10}$"}}}
    found = messages(schema)
    assert len(found) == 2, found
    assert found[0].startswith('Biểu mẫu "f", trường "Mã hồ sơ" ($.properties.ma.pattern): '
                               'mẫu "(?=x)y" không dùng được')
    assert "nhìn trước/nhìn sau" in found[0]
    assert found[1].startswith('Biểu mẫu "f", trường "nhom" '
                               '($.properties.nhom.patternProperties): mẫu "("')


def test_unevaluated_properties_with_pattern_properties_is_refused() -> None:
    [message] = messages({"type": "object", "unevaluatedProperties": False,
                          "properties": {"m": {"patternProperties": {"^x": {}}}}})
    assert '"unevaluatedProperties" (tại $)' in message
    assert '"patternProperties" (tại $.properties.m)' in message


def test_too_deep_a_schema_is_refused_before_the_meta_schema_recurses() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_DEPTH):
        schema = {"items": schema}
    [message] = messages(schema)
    assert f"lồng quá {MAX_DEPTH} tầng" in message


def test_json_nested_past_the_parser_is_a_problem() -> None:
    forms, problems = forms_from_files([("f.schema.json", b"[" * 100_000)])
    assert forms == {}
    assert [p.file for p in problems] == ["f.schema.json"]
    assert "lồng quá sâu" in problems[0].message


LIBRARY = sorted([*(ROOT / "forms").glob("*.schema.json"),
                  *(SAMPLES / "forms").glob("*.schema.json")])


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_library_and_sample_form_passes(path: Path) -> None:
    forms, problems = load_forms_dir(path.parent)
    assert problems == []
    key = path.name.removesuffix(".schema.json")
    assert schema_problems(key, forms[key]) == []
