"""The modeler page: only a designer of the procedure's agency opens a draft; the page runs
under a strict script policy and carries its pick lists as JSON data islands."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from motcua.catalog.decisions import UNIT_SELECTORS
from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.design import operations
from motcua.design.models import ProcessDraft
from motcua.org.models import OFFICER_ROLES, Agency, User
from motcua.processes.meanings import Meaning
from support.api import PROCEDURE
from support.web import Browser, text

OTHER_AGENCY_PROCEDURE = "1.001193"
_ISLAND = re.compile(r'<script type="application/json" id="([\w-]+)">(.*?)</script>', re.S)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def _draft(code: str, bpmn: str | None = None) -> ProcessDraft:
    user = db.session.scalar(select(User).where(User.username == "qt.binh"))
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    assert user is not None and procedure is not None
    return operations.create(procedure, user, bpmn=bpmn)


def _islands(html: str) -> dict[str, Any]:
    return {name: json.loads(body) for name, body in _ISLAND.findall(html)}


def test_the_designer_opens_a_draft_with_its_pick_lists(app: Flask,
                                                        sample: dict[str, Any]) -> None:
    draft = _draft(PROCEDURE)
    page = Browser(app, "qt.binh").get(f"/design/drafts/{draft.id}")
    assert page.status_code == 200
    html = text(page)
    islands = _islands(html)
    config, island = islands["modeler-config"], islands["modeler-draft"]
    assert island["id"] == draft.id and island["revision"] == draft.revision
    assert island["bpmn"] == draft.bpmn_xml and island["published"] is False
    assert [r["value"] for r in config["roles"]] == list(OFFICER_ROLES)
    assert [s["value"] for s in config["selectors"]] == list(UNIT_SELECTORS)
    assert {m["value"] for m in config["meanings"]} == {m.value for m in Meaning}
    procedure = draft.procedure
    assert [s["no"] for s in config["steps"]] == [str(s["no"]) for s in procedure.steps]
    # The selectors name the units they resolve to for this procedure.
    handling = next(s for s in config["selectors"] if s["value"] == "@handling")
    assert procedure.handling_unit is not None
    assert procedure.handling_unit.name in handling["label"]
    # Every agency, each child listed after its parent and one level deeper.
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    listed = config["agencies"]
    assert sorted(a["code"] for a in listed) == sorted(agencies)
    position = {a["code"]: i for i, a in enumerate(listed)}
    depth = {a["code"]: a["depth"] for a in listed}
    for agency in agencies.values():
        if agency.parent is not None:
            assert position[agency.parent.code] < position[agency.code]
            assert depth[agency.code] == depth[agency.parent.code] + 1
    assert config["api"]["draft"] == f"/api/v1/drafts/{draft.id}"
    assert config["csrf"]
    # The header gives the time limit the way the procedure's page does, never "10d".
    assert procedure.time_limit == "10d"
    assert "thời hạn giải quyết 10 ngày" in html and "10d" not in html.split("<script")[0]


def test_the_page_runs_under_script_src_self(app: Flask, sample: dict[str, Any]) -> None:
    page = Browser(app, "qt.binh").get(f"/design/drafts/{_draft(PROCEDURE).id}")
    policy = page.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-eval" not in policy and "http" not in policy
    scripts = _SCRIPT.findall(text(page))
    assert scripts
    for attributes, body in scripts:
        # Either a file of this server, or data the browser never executes.
        if 'type="application/json"' in attributes:
            continue
        assert body.strip() == "" and 'src="/static/build/modeler.js"' in attributes
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', text(page)))


def test_the_data_island_cannot_be_closed_by_the_diagram(app: Flask,
                                                          sample: dict[str, Any]) -> None:
    hostile = _draft(PROCEDURE).bpmn_xml.replace(
        "</bpmn:definitions>",
        "<!-- </script><script>alert(1)</script> --></bpmn:definitions>")
    draft = _draft(PROCEDURE, bpmn=hostile)
    html = text(Browser(app, "qt.binh").get(f"/design/drafts/{draft.id}"))
    assert "<script>alert(1)" not in html
    assert _islands(html)["modeler-draft"]["bpmn"] == hostile


def test_another_agencys_draft_is_not_found(app: Flask, sample: dict[str, Any]) -> None:
    other = _draft(OTHER_AGENCY_PROCEDURE)
    browser = Browser(app, "qt.binh")
    assert browser.get(f"/design/drafts/{other.id}").status_code == 404
    assert browser.get(f"/design/drafts/{other.id + 1000}").status_code == 404


def test_officers_and_strangers_may_not_open_the_modeler(app: Flask,
                                                         sample: dict[str, Any]) -> None:
    draft = _draft(PROCEDURE)
    assert Browser(app, "cv.mai").get(f"/design/drafts/{draft.id}").status_code == 403
    anonymous = app.test_client().get(f"/design/drafts/{draft.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_published_draft_opens_read_only(app: Flask, sample: dict[str, Any]) -> None:
    user = db.session.scalar(select(User).where(User.username == "qt.binh"))
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
    assert user is not None and procedure is not None
    draft = operations.copy_version(procedure, 1, user)
    operations.publish(draft, None, user)
    html = text(Browser(app, "qt.binh").get(f"/design/drafts/{draft.id}"))
    assert _islands(html)["modeler-draft"]["published"] is True
    assert re.search(r'id="publish-button"[^>]*disabled', html)
