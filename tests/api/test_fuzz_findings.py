"""What the fuzzing run (test_fuzz_openapi.py) found, each replayed as the request it sent
and checked by the same schemathesis checks against the same document, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask

from support.api import Api, new_dossier
from support.fuzz import CHECKS, DOCUMENT, fuzz_config


@pytest.fixture
def document(app: Flask, sample: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_wsgi(DOCUMENT, app, config=fuzz_config())


def _call(document: Any, api: Api, username: str | None, label: str, **data: Any) -> Any:
    headers = {"Authorization": f"Bearer {api.token(username)}"} if username else None
    case = document.find_operation_by_label(label).Case(**data)
    return case.call_and_validate(headers=headers, checks=CHECKS)


def test_the_lookup_of_a_stopped_dossier_may_have_no_current_step(document: Any,
                                                                   api: Api) -> None:
    # Found as: GET /lookup/{code} of a dossier the run had stopped answered
    # "current_step": null, which the document said was always a string.
    code = new_dossier(api)["code"]
    assert api.post("mc.lan", f"/dossiers/{code}/stop",
                    json={"reason": "Công dân xin dừng"}).status_code == 200
    response = _call(document, api, None, "GET /api/v1/lookup/{code}",
                     path_parameters={"code": code})
    assert response.status_code == 200
    assert response.json()["current_step"] is None


@pytest.mark.parametrize(("username", "label", "data"), [
    # A procedure named in the body or the query that does not exist: 404, once undocumented.
    ("mc.lan", "POST /api/v1/dossiers", {"body": {"channel": "direct", "procedure": "status"}}),
    ("qt.binh", "GET /api/v1/drafts", {"query": {"procedure": "status"}}),
    ("qt.binh", "GET /api/v1/processes", {"query": {"procedure": "status"}}),
    ("ks.nga", "GET /api/v1/audit/conformance", {"query": {"procedure": "status"}}),
    ("ks.nga", "GET /api/v1/audit/execution", {"query": {"procedure": "documents"}}),
    ("ks.nga", "GET /api/v1/audit/indicators", {"query": {"agency": "\\\\"}}),
])
def test_a_name_nobody_has_is_a_documented_404(document: Any, api: Api, username: str,
                                                label: str, data: dict[str, Any]) -> None:
    assert _call(document, api, username, label, **data).status_code == 404


def test_the_form_designers_answers_are_documented(document: Any, api: Api) -> None:
    # Found as: POST /forms/readback answered 200, which the document did not list at all.
    response = _call(document, api, "qt.binh", "POST /api/v1/forms/readback",
                     body={"schema": {}}, media_type="application/json")
    assert response.status_code == 200


def test_a_task_id_past_the_column_is_a_documented_404(document: Any, api: Api) -> None:
    # Found as: GET /tasks/{task_id} with an id past 2**63 - 1 raised "Python int too large
    # to convert to SQLite INTEGER" (a 500); the input guard's id converter now answers 404.
    for label in ("GET /api/v1/tasks/{task_id}", "POST /api/v1/tasks/{task_id}/claim"):
        response = _call(document, api, "mc.lan", label,
                         path_parameters={"task_id": 2**63})
        assert response.status_code == 404, label
