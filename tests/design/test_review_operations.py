"""What a designer of a one-stop system expects of drafts and versions: the legal checks
reach a draft, a stale or late save changes nothing, a refused publish stores nothing, a
version takes effect no earlier than the decision it was checked against, the version in
force is not retired without a successor, and a downloaded file cannot inject headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from motcua.catalog.models import Procedure, ProcedureRevision
from motcua.db import db
from motcua.design import operations
from motcua.design.models import DraftRevision, ProcessDraft
from motcua.errors import Conflict
from motcua.org.models import User
from motcua.processes.checks.forms import load_forms_dir
from motcua.processes.models import ProcessVersion
from support.api import PROCEDURE, Api, new_dossier
from support.sample import SAMPLE_BPMN, SAMPLE_FORMS

DESIGNER = "qt.binh"


@pytest.fixture
def api(sample: dict[str, Any], make_api: Callable[[list[dict[str, Any]]], Api]) -> Api:
    return make_api(sample["users"])


def forms() -> dict[str, Any]:
    loaded, problems = load_forms_dir(SAMPLE_FORMS)
    assert not problems
    return loaded


def draft_of(api: Api, bpmn: str | None = None) -> dict[str, Any]:
    response = api.post(DESIGNER, "/drafts", json={
        "procedure": PROCEDURE, "bpmn": bpmn or SAMPLE_BPMN.read_text(encoding="utf-8"),
        "forms": forms()})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def stored_draft(draft_id: int) -> ProcessDraft:
    draft = db.session.get(ProcessDraft, draft_id)
    assert draft is not None
    return draft


def versions() -> list[ProcessVersion]:
    return list(db.session.scalars(db.select(ProcessVersion).order_by(ProcessVersion.version)))


def test_a_draft_over_the_time_limit_has_the_error_and_does_not_publish(api: Api) -> None:
    long = SAMPLE_BPMN.read_text(encoding="utf-8").replace(
        '<spiffworkflow:property name="allotted" value="7d"/>',
        '<spiffworkflow:property name="allotted" value="30d"/>')
    assert long != SAMPLE_BPMN.read_text(encoding="utf-8")
    draft = draft_of(api, long)
    over = [p for p in draft["problems"] if p["rule"] == "time-over-limit"]
    assert over and over[0]["severity"] == "error", draft["problems"]
    before = versions()
    refused = api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert refused.status_code == 422
    assert "time-over-limit" in {p["rule"] for p in refused.get_json()["error"]["details"]}
    assert versions() == before
    assert stored_draft(draft["id"]).published_version_id is None


def test_a_stale_save_keeps_no_revision(api: Api) -> None:
    draft = draft_of(api)
    path = f"/drafts/{draft['id']}"
    assert api.call("PUT", DESIGNER, path, json={"revision": 1, "forms": {}}).status_code == 200
    for stale in (1, 3, 99):
        assert api.call("PUT", DESIGNER, path, json={"revision": stale, "bpmn": "<x/>"}
                        ).status_code == 409
    kept = db.session.scalars(db.select(DraftRevision.revision).where(
        DraftRevision.draft_id == draft["id"])).all()
    assert sorted(kept) == [1, 2]


def test_a_save_that_loses_the_race_with_publishing_changes_nothing(api: Api) -> None:
    made = draft_of(api)
    published = api.post(DESIGNER, f"/drafts/{made['id']}/publish", json={}).get_json()
    assert published["version_id"]
    draft = stored_draft(made["id"])
    # The saving request read the draft before the publish committed.
    set_committed_value(draft, "published_version_id", None)
    assert not draft.is_published
    user = db.session.scalars(db.select(User).where(User.username == DESIGNER)).one()
    with pytest.raises(Conflict):
        operations.save(draft, 1, user, forms={})
    db.session.expire_all()
    stored = stored_draft(made["id"])
    assert (stored.revision, set(stored.forms)) == (1, set(forms()))


def set_latest_decision_effective(on: date) -> None:
    procedure = db.session.scalars(db.select(Procedure).where(Procedure.code == PROCEDURE)).one()
    latest = max(procedure.revisions, key=lambda r: r.effective)
    db.session.execute(update(ProcedureRevision).where(ProcedureRevision.id == latest.id)
                       .values(effective=on))
    db.session.expire_all()


def test_a_version_takes_effect_no_earlier_than_the_decision_it_follows(api: Api) -> None:
    set_latest_decision_effective(date(2026, 4, 1))
    draft = draft_of(api)
    early = api.post(DESIGNER, f"/drafts/{draft['id']}/publish",
                     json={"effective": "2026-03-20"})
    assert early.status_code == 422, early.get_json()
    assert early.get_json()["error"]["details"][0]["field"] == "effective"
    assert "01/04/2026" in early.get_json()["error"]["details"][0]["message"]
    published = api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert published.status_code == 201, published.get_json()
    assert published.get_json()["effective"] == "2026-04-01"


def test_the_only_version_in_force_is_not_retired(api: Api) -> None:
    (only,) = versions()
    refused = api.post(DESIGNER, f"/processes/{only.id}/retire")
    assert refused.status_code == 409, refused.get_json()
    assert "phiên bản thay thế" in refused.get_json()["error"]["message"]
    db.session.refresh(only)
    assert only.status == "published"
    assert new_dossier(api)["code"]


def test_a_version_with_a_successor_in_force_is_retired(api: Api) -> None:
    (first,) = versions()
    draft = draft_of(api)
    assert api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={}).status_code == 201
    retired = api.post(DESIGNER, f"/processes/{first.id}/retire")
    assert retired.status_code == 200, retired.get_json()
    assert retired.get_json()["status"] == "retired"


def test_a_retired_version_is_copied_into_a_draft(api: Api) -> None:
    (first,) = versions()
    draft = draft_of(api)
    api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert api.post(DESIGNER, f"/processes/{first.id}/retire").status_code == 200
    copied = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE, "from_version": 1})
    assert copied.status_code == 201, copied.get_json()
    assert not [p for p in copied.get_json()["problems"] if p["severity"] == "error"]


@pytest.mark.parametrize("name", ['a"\r\nSet-Cookie: x=1.bpmn', "../../etc/quy trình.bpmn",
                                  "C:\\tmp\\x.bpmn", ""])
def test_a_downloaded_file_is_an_attachment_whatever_its_name(api: Api, name: str) -> None:
    (version,) = versions()
    version.filename = name
    db.session.flush()
    response = api.get(DESIGNER, f"/processes/{version.id}/bpmn")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2 and "/" not in disposition and "\\" not in disposition
    if name.startswith("../"):
        assert disposition.endswith("filename*=UTF-8''quy%20tr%C3%ACnh.bpmn")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers
    assert response.get_data(as_text=True) == version.bpmn_xml


def test_a_new_version_does_not_take_effect_before_one_already_scheduled(api: Api) -> None:
    scheduled = draft_of(api)
    assert api.post(DESIGNER, f"/drafts/{scheduled['id']}/publish",
                    json={"effective": "2026-05-01"}).status_code == 201
    draft = draft_of(api)
    earlier = api.post(DESIGNER, f"/drafts/{draft['id']}/publish",
                       json={"effective": "2026-04-01"})
    # Else version 3 would apply in April, then version 2 again from May.
    assert earlier.status_code == 422, earlier.get_json()
    detail = earlier.get_json()["error"]["details"][0]
    assert detail["field"] == "effective" and "01/05/2026" in detail["message"]
    published = api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
    assert published.status_code == 201, published.get_json()
    assert published.get_json()["effective"] == "2026-05-01"


def test_a_publish_that_loses_the_race_with_another_publish_stores_nothing(api: Api) -> None:
    made = draft_of(api)
    first = api.post(DESIGNER, f"/drafts/{made['id']}/publish", json={}).get_json()
    assert first["version"] == 2
    draft = stored_draft(made["id"])
    # The second request read the draft before the first publish committed.
    set_committed_value(draft, "published_version_id", None)
    user = db.session.scalars(db.select(User).where(User.username == DESIGNER)).one()
    with pytest.raises(Conflict):  # and the request rolls back the version it stored
        operations.publish(draft, None, user)
