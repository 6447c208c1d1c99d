"""The OpenAPI document tells the truth: every rule under /api/v1 is in it, every error an
operation can give is listed with the contract's error body (one ``Error`` schema), fields
that may be null say so, and files are declared with their media types."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from flask import Flask
from marshmallow import Schema

from motcua.api import PREFIX, PUBLIC_ENDPOINTS
from support.api import Api, assert_error
from support.web import Isolated

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(app: Flask) -> dict[str, Any]:
    response = Isolated(app.test_client()).get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in spec["paths"].items()
            for method, operation in item.items() if method in METHODS]


def _resolve(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in item:
        section, name = item["$ref"].split("/")[-2:]
        item = spec["components"][section][name]
    return item


def test_every_api_rule_is_in_the_document(app: Flask, spec: dict[str, Any]) -> None:
    rules = {(method.lower(), re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule))
             for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX + "/")
             for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
    documented = {(method, path) for method, path, _ in _operations(spec)}
    assert rules == documented
    # The designer's and the auditors' endpoints among them.
    assert ("post", f"{PREFIX}/drafts/{{draft_id}}/publish") in documented
    assert ("get", f"{PREFIX}/audit/indicators/{{key}}/dossiers") in documented


def test_errors_have_the_contract_shape_in_one_schema(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    inner = error["properties"]["error"]
    assert error["required"] == ["error"]
    assert set(inner["required"]) == {"code", "message", "details"}
    assert inner["properties"]["details"]["items"]["properties"].keys() >= {"field", "message"}
    for method, path, operation in _operations(spec):
        assert "default" not in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = _resolve(spec, response)["content"]
            assert content == {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}, (method, path, status)


def test_each_operation_lists_the_errors_it_can_give(app: Flask, spec: dict[str, Any]) -> None:
    public = {re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules() if rule.endpoint in PUBLIC_ENDPOINTS}
    for method, path, operation in _operations(spec):
        statuses = set(operation["responses"])
        where = (method, path)
        assert {"400", "401", "422"} <= statuses, where
        if path in public:
            assert operation["security"] == [], where
            assert "403" not in statuses, where
        else:
            assert "security" not in operation, where  # the document's bearer token
            assert "403" in statuses, where
        if "{" in path:
            assert "404" in statuses, where
        if method != "get":
            assert {"409", "413"} <= statuses, where
        assert any(s.startswith("2") for s in statuses), where
    assert "429" in spec["paths"][f"{PREFIX}/auth/token"]["post"]["responses"]
    assert "429" in spec["paths"][f"{PREFIX}/lookup/{{code}}"]["get"]["responses"]
    # A thing named in the query or the body that does not exist.
    assert "404" in spec["paths"][f"{PREFIX}/drafts"]["get"]["responses"]
    assert "404" in spec["paths"][f"{PREFIX}/dossiers"]["post"]["responses"]


def test_real_errors_match_the_documented_schema(sample: dict[str, Any], api: Api,
                                                 spec: dict[str, Any]) -> None:
    answers = [
        (api.get(None, "/me"), 401),
        (api.get("mc.lan", "/tasks/999999"), 404),
        (api.post("mc.lan", "/dossiers", json={"procedure": 7}), 422),
        (api.post("mc.lan", "/dossiers", data="{", content_type="application/json"), 400),
        (api.get("mc.lan", "/audit/integrity"), 403),
    ]
    schema = spec["components"]["schemas"]["Error"]
    for response, status in answers:
        assert_error(response, status)
        jsonschema.validate(response.get_json(), schema)


def test_fields_that_may_be_null_are_nullable(app: Flask, spec: dict[str, Any]) -> None:
    """Every marshmallow field with ``allow_none`` is ``nullable`` in its component."""
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    # The plugin's schema key is (schema class, modifiers...) -> component name.
    refs = api.ma_plugin.converter.refs
    checked = 0
    for key, name in refs.items():
        schema: Schema = key[0]()
        properties = spec["components"]["schemas"].get(name, {}).get("properties", {})
        for field in schema.dump_fields.values():
            if not field.allow_none:
                continue
            prop = properties[field.data_key or field.name]
            nullable = prop.get("nullable") or any(
                alt.get("nullable") for alt in prop.get("anyOf", []))
            assert nullable, (name, field.name)
            checked += 1
    assert checked > 20
    task = spec["components"]["schemas"]["Task"]["properties"]
    assert task["due_at"] == {"type": "string", "format": "date-time", "nullable": True}
    assert "nullable" not in task["started_at"]


def test_files_are_declared_with_their_media_types(spec: dict[str, Any]) -> None:
    bpmn = spec["paths"][f"{PREFIX}/processes/{{version_id}}/bpmn"]["get"]["responses"]["200"]
    assert set(bpmn["content"]) == {"application/xml"}
    for path in ("/drafts", "/drafts/generate"):
        body = spec["paths"][PREFIX + path]["post"]["requestBody"]["content"]
        assert set(body) == {"application/json", "multipart/form-data"}, path
    upload = spec["paths"][f"{PREFIX}/processes"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_the_bpmn_download_has_the_documented_media_type(sample: dict[str, Any],
                                                         api: Api) -> None:
    versions = api.get("qt.binh", "/processes", query_string={"procedure": "2.000488"})
    version = versions.get_json()[0]["id"]
    response = api.get("qt.binh", f"/processes/{version}/bpmn")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
