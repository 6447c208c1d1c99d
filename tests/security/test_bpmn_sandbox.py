"""Hostile BPMN: sandbox escapes and XML entities are rejected at upload and never run."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from motcua.db import db
from motcua.processes.models import ProcessVersion
from support.paths import SAMPLES
from support.walk import Walker

BPMN = (SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn").read_text(encoding="utf-8")
FORMS = sorted((SAMPLES / "forms").glob("*.json"))

ESCAPES = [
    '().__class__.__base__.__subclasses__()',
    '__import__("os").system("touch /tmp/pwned")',
    '[c for c in ().__class__.__bases__]',
    'getattr(outcome, "__class__")',
]


def _upload(api: Any, bpmn: str) -> Any:
    data = {"procedure": "2.000488", "bpmn": (io.BytesIO(bpmn.encode()), "x.bpmn"),
            "forms": [(io.BytesIO(p.read_bytes()), p.name) for p in FORMS]}
    return api.post("qt.binh", "/processes", data=data, content_type="multipart/form-data")


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessVersion)) or 0


@pytest.mark.parametrize("expression", ESCAPES)
def test_escape_in_condition_is_rejected_at_upload(api: Any, sample: Any,
                                                   expression: str) -> None:
    before = _versions()
    hostile = BPMN.replace('outcome == "refuse"', expression.replace('"', "&quot;"))
    response = _upload(api, hostile)
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]
    flagged = [d for d in details if d.get("element_id") == "Flow_Refuse"]
    assert flagged and flagged[0]["line"] > 0, details
    assert _versions() == before


def test_xxe_upload_is_rejected_before_parsing(api: Any, sample: Any) -> None:
    hostile = BPMN.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    hostile = hostile.replace('name="Trả kết quả"', 'name="&xxe;"')
    response = _upload(api, hostile)
    assert response.status_code == 422
    body = response.get_json()
    assert "DOCTYPE" in body["error"]["details"][0]["message"]
    assert "root:" not in str(body)


def test_a_stored_escape_can_never_run(api: Any, walker: Walker, app: Flask) -> None:
    """Even a spec that bypassed upload checks is evaluated by the safe engine only."""
    from motcua.engine.runtime import SpecBundle, adopt_timers, dump_spec
    from motcua.processes.checks import check_process

    forms = {p.name.removesuffix(".schema.json"): {
        "schema": json.loads(p.read_text(encoding="utf-8")), "ui": None}
        for p in FORMS if ".schema." in p.name}
    result = check_process(BPMN.encode(), "x.bpmn", forms)
    assert result.ok
    # Swap the gateway's accept condition in the stored spec for an escape.
    hostile_spec = dump_spec(adopt_timers(SpecBundle(result.spec)))
    text = json.dumps(hostile_spec).replace(
        'outcome == \\"accept\\"', "().__class__.__base__.__subclasses__()")
    assert "__subclasses__" in text
    version = db.session.scalar(select(ProcessVersion))
    assert version is not None
    version.spec = json.loads(text)
    db.session.commit()
    app.extensions["motcua_versions"] = type(app.extensions["motcua_versions"])()

    code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    task = walker.task("mc.lan", code)
    response = api.post("mc.lan", f"/tasks/{task['id']}/complete",
                        json={"outcome": "accept", "data": walker.data_for("tiep-nhan")})
    assert response.status_code == 422
    detail = response.get_json()["error"]["details"][0]
    assert detail["element_id"] == "Gw_Receive"
    # Nothing was saved: the task is still open and the dossier still received.
    assert api.get("mc.lan", f"/dossiers/{code}").get_json()["status"] == "received"
