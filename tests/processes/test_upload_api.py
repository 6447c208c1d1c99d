"""The integration path's upload and publish (POST /processes, .../publish) on odd input:
a file in UTF-16 is stored as the same text, a past effective date is refused, an id past
32 bits names nothing."""

from __future__ import annotations

import io
from typing import Any

from motcua.db import db
from motcua.processes.models import ProcessVersion
from support.api import PROCEDURE, assert_error
from support.paths import SAMPLES

BPMN = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"


def _upload(api: Any, content: bytes) -> Any:
    forms = [(io.BytesIO(p.read_bytes()), p.name)
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
