"""Who reaches the designer: designers of the procedure's agency, a system administrator for
every agency; another agency's designer is answered 404, anyone else 403, no one 401."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from motcua.db import db
from motcua.design.models import ProcessDraft
from motcua.processes.models import ProcessVersion
from support.api import PROCEDURE, Api
from support.web import Browser, Isolated, sign_in

DESIGNER = "qt.binh"
OTHER_AGENCY_PROCEDURE = "1.001193"
OTHER_DESIGNER: dict[str, Any] = {"username": "tk.khoa", "full_name": "Trịnh Khoa", "password": "demo-Khoa-2026",
                  "memberships": [{"agency": "000.00.20.H99", "role": "designer"}]}
SYSADMIN: dict[str, Any] = {"username": "qt.he", "full_name": "Quản Trị Hệ", "password": "demo-He-2026",
            "memberships": [{"agency": "000.00.31.H99", "role": "sysadmin"}]}


@pytest.fixture
def org(province: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return province(users=[OTHER_DESIGNER, SYSADMIN])


@pytest.fixture
def api(org: dict[str, Any], make_api: Callable[[list[dict[str, Any]]], Api]) -> Api:
    return make_api(org["users"])


def endpoints(draft_id: int, version_id: int) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/drafts?procedure={PROCEDURE}", None),
        ("POST", "/drafts", {"procedure": PROCEDURE}),
        ("POST", "/drafts", {"procedure": PROCEDURE, "from_version": 1}),
        ("POST", "/drafts/generate", {"procedure": PROCEDURE}),
        ("GET", f"/drafts/{draft_id}", None),
        ("PUT", f"/drafts/{draft_id}", {"revision": 1, "forms": {}}),
        ("POST", f"/drafts/{draft_id}/check", None),
        ("POST", f"/drafts/{draft_id}/publish", {}),
        ("GET", f"/processes?procedure={PROCEDURE}", None),
        ("GET", f"/processes/{version_id}/bpmn", None),
        ("POST", f"/processes/{version_id}/retire", None),
    ]


def state() -> tuple[Any, ...]:
    drafts = db.session.scalars(db.select(ProcessDraft)).all()
    versions = db.session.scalars(db.select(ProcessVersion)).all()
    return (tuple((d.id, d.revision, d.published_version_id) for d in drafts),
            tuple((v.id, str(v.status)) for v in versions))


@pytest.mark.parametrize("who,status", [
    (None, 401), ("cv.mai", 403), ("mc.lan", 403), ("ks.nga", 403), ("gd.son", 403),
    (OTHER_DESIGNER["username"], 404),
])
def test_no_one_but_the_agencys_designers_reads_or_changes_a_draft_or_version(
        api: Api, who: str | None, status: int) -> None:
    draft = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE}).get_json()
    version = db.session.scalars(db.select(ProcessVersion)).one()
    before = state()
    for method, path, body in endpoints(draft["id"], version.id):
        response = api.call(method, who, path, **({"json": body} if body is not None else {}))
        assert response.status_code == status, (method, path, response.get_json())
    assert state() == before


def test_a_system_administrator_designs_every_agencys_procedures(api: Api, app: Flask) -> None:
    admin = SYSADMIN["username"]
    made = api.post(admin, "/drafts", json={"procedure": OTHER_AGENCY_PROCEDURE})
    assert made.status_code == 201, made.get_json()
    assert api.get(admin, f"/drafts/{made.get_json()['id']}").status_code == 200
    theirs = api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE}).get_json()
    assert api.get(admin, f"/drafts/{theirs['id']}").status_code == 200
    assert api.get(DESIGNER, f"/drafts/{made.get_json()['id']}").status_code == 404


def signed_in(app: Flask, who: str) -> Browser:
    """A browser for a sample user or the other agency's designer (not in the sample)."""
    if who != OTHER_DESIGNER["username"]:
        return Browser(app, who)
    browser = Browser.__new__(Browser)
    browser.client = Isolated(app.test_client())
    browser.csrf = sign_in(browser.client, who, OTHER_DESIGNER["password"])
    return browser


@pytest.mark.parametrize("who,status", [
    ("cv.mai", 403), ("ks.nga", 403), (OTHER_DESIGNER["username"], 404),
])
def test_the_library_pages_refuse_others(app: Flask, org: dict[str, Any], who: str,
                                         status: int) -> None:
    version = db.session.scalars(db.select(ProcessVersion)).one()
    browser = signed_in(app, who)
    assert browser.get(f"/design/procedures/{PROCEDURE}").status_code == status
    for how in ("blank", "decision", "version"):
        response = browser.post(f"/design/procedures/{PROCEDURE}/drafts",
                                {"from": how, "version": "1"})
        assert response.status_code == status
    assert browser.post(f"/design/versions/{version.id}/retire",
                        {"confirmed": "retire"}).status_code == status
    assert db.session.scalars(db.select(ProcessDraft)).first() is None
    db.session.refresh(version)
    assert version.status == "published"
    if status == 404:
        page = browser.get("/design")
        assert page.status_code == 200 and PROCEDURE not in page.get_data(as_text=True)
    else:
        assert browser.get("/design").status_code == 403


def test_page_posts_without_the_csrf_token_change_nothing(app: Flask, org: dict[str, Any]
                                                          ) -> None:
    browser = Browser(app, DESIGNER)
    version = db.session.scalars(db.select(ProcessVersion)).one()
    for how in ("blank", "decision", "version"):
        response = browser.client.post(f"/design/procedures/{PROCEDURE}/drafts",
                                       data={"from": how, "version": "1"})
        assert response.status_code == 400
    response = browser.client.post(f"/design/versions/{version.id}/retire",
                                   data={"confirmed": "retire"})
    assert response.status_code == 400
    assert db.session.scalars(db.select(ProcessDraft)).first() is None
    db.session.refresh(version)
    assert version.status == "published"
