"""The integration path's upload and publish (POST /processes, .../publish) on odd input:
a file in UTF-16 is stored as the same text, a past effective date is refused, an id past
32 bits names nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from motcua.db import db
from motcua.processes.models import ProcessVersion
from support.api import PROCEDURE, assert_error
from support.paths import SAMPLES

BPMN = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"


def _upload(api: Any, content: bytes, replace: dict[str, bytes] | None = None) -> Any:
    forms = [(io.BytesIO((replace or {}).get(p.name, p.read_bytes())), p.name)
             for p in sorted((SAMPLES / "forms").glob("*.json"))]
    return api.post("qt.binh", "/processes", data={
        "procedure": PROCEDURE, "bpmn": (io.BytesIO(content), BPMN.name), "forms": forms},
        content_type="multipart/form-data")


def test_a_utf16_upload_is_stored_as_the_same_text(sample: dict[str, Any], api: Any) -> None:
    text = BPMN.read_text(encoding="utf-8")
    utf16 = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    response = _upload(api, utf16)
    assert response.status_code == 201, response.get_json()
    version = db.session.get(ProcessVersion, response.get_json()["id"])
    assert version is not None
    assert version.bpmn_xml == text


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e400", '"T\\ud800"'])
def test_a_form_file_holding_what_no_database_stores_is_a_422(
        sample: dict[str, Any], api: Any, value: str) -> None:
    """Python's JSON takes NaN, Infinity, 1e400 and a lone "\\ud800": PostgreSQL refused to
    store the version (a 500). The upload names the file instead, and stores nothing."""
    name = "tham-dinh.schema.json"
    text = (SAMPLES / "forms" / name).read_text(encoding="utf-8")
    changed = text.replace('"type": "object"', f'"type": "object", "x-probe": {value}', 1)
    assert changed != text
    before = db.session.query(ProcessVersion).count()
    error = assert_error(_upload(api, BPMN.read_bytes(), {name: changed.encode()}), 422)
    assert any(name in d["message"] and "x-probe" in d["message"] for d in error["details"])
    assert db.session.query(ProcessVersion).count() == before


def test_publishing_with_a_past_effective_date_is_refused(sample: dict[str, Any],
                                                          api: Any) -> None:
    version_id = _upload(api, BPMN.read_bytes()).get_json()["id"]
    error = assert_error(api.post("qt.binh", f"/processes/{version_id}/publish",
                                  json={"effective": "2020-01-01"}), 422)
    assert error["details"][0]["field"] == "effective"
    assert api.get("qt.binh", f"/processes/{version_id}").get_json()["status"] == "draft"


def test_an_id_past_32_bits_is_404(sample: dict[str, Any], api: Any) -> None:
    assert_error(api.get("qt.binh", f"/processes/{2**40}"), 404)
    assert_error(api.post("qt.binh", f"/processes/{2**40}/publish", json={}), 404)
