"""The auditor reads across the province and changes nothing: every write of the API and the
pages is refused to them, while their reads succeed."""

from __future__ import annotations

from typing import Any

from support.api import Api, assert_error, dossier_body, new_dossier, received
from support.paths import passwords
from support.web import Isolated, sign_in


def test_the_auditor_reads_every_dossier_but_writes_nothing(api: Api, sample: Any) -> None:
    code, task = received(api)
    assert api.get("ks.nga", f"/dossiers/{code}").status_code == 200
    refused = [
        api.post("ks.nga", "/dossiers", json=dossier_body()),
        api.post("ks.nga", f"/tasks/{task['id']}/claim"),
        api.post("ks.nga", f"/tasks/{task['id']}/complete", json={"data": {}}),
        api.post("ks.nga", f"/dossiers/{code}/stop", json={"reason": "Kiểm tra"}),
        api.post("ks.nga", f"/dossiers/{code}/apology",
                 json={"reason": "Kiểm tra", "new_due": "2026-12-31T10:00:00+07:00"}),
        api.post("ks.nga", "/drafts", json={"procedure": "2.000488", "bpmn": "<x/>"}),
    ]
    for response in refused:
        assert response.status_code in (403, 404), response.get_json()
        assert_error(response, response.status_code)
    assert api.get("ks.nga", f"/dossiers/{code}").get_json()["status"] == "received"


def test_the_auditor_cannot_attach_files_on_the_dossier_page(
        client: Any, api: Api, sample: Any, sample_org: dict[str, Any]) -> None:
    code = new_dossier(api)["code"]
    browser = Isolated(client)
    token = sign_in(browser, "ks.nga", passwords(sample_org["users"])["ks.nga"])
    page = browser.get(f"/dossiers/{code}")
    assert page.status_code == 200
    response = browser.post(f"/dossiers/{code}/attachments", data={"csrf_token": token})
    assert response.status_code == 403
