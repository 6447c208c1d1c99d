"""The diff page: the changes listed in Vietnamese and grouped by kind in the HTML itself
(readable without JavaScript), the diagrams as a JSON island under a ``script-src 'self'``
policy, links from the procedure page, and the same scoping as the API."""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any

from diff_support import DESIGNER, OTHER_DESIGNER, Designer, seed_changes
from flask import Flask

from support.api import PROCEDURE
from support.web import Browser, Isolated, sign_in, text

_ISLAND = re.compile(r'<script type="application/json" id="diff-data">(.*?)</script>', re.S)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def island(page: str) -> dict[str, Any]:
    (body,) = _ISLAND.findall(page)
    found: dict[str, Any] = json.loads(body)
    return found


def test_the_page_lists_every_change_by_kind_and_carries_both_diagrams(
        app: Flask, designer: Designer) -> None:
    version = designer.publish(designer.generated())
    copied = designer.copy(version)
    bpmn, forms, _ = seed_changes(copied["bpmn"], copied["forms"])
    edited = designer.save(copied, bpmn=bpmn, forms=forms)
    answer = designer.changes(f"/drafts/{edited['id']}/diff?against={version}")

    page = Browser(app, DESIGNER).get(f"/design/drafts/{edited['id']}/diff?against={version}")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    scripts = csp.split("script-src")[1].split(";")[0]
    assert scripts.strip() == "'self'"
    body = text(page)
    for attrs, _ in _SCRIPT.findall(body):
        assert "src=" in attrs or 'type="application/json"' in attrs, "no inline script"
    shown = html_lib.unescape(body)
    for change in answer:
        assert change["message"] in shown
    headings = re.findall(r'<h3 class="diff-group diff-(\w+)">', body)
    assert headings == [k for k in ("added", "changed", "removed")
                        if any(c["kind"] == k for c in answer)]
    data = island(body)
    assert data["new"]["bpmn"] == edited["bpmn"]
    assert data["old"]["bpmn"] and data["changes"] == answer


def test_against_the_decision_the_page_has_one_diagram(app: Flask, designer: Designer) -> None:
    draft = designer.generated()
    page = Browser(app, DESIGNER).get(f"/design/drafts/{draft['id']}/diff?against=decision")
    assert page.status_code == 200
    data = island(text(page))
    assert data["old"] is None and data["new"]["bpmn"] == draft["bpmn"]
    assert "Không có thay đổi nào" in text(page)


def test_the_procedure_page_links_each_comparison(app: Flask, designer: Designer) -> None:
    draft = designer.generated()
    version = designer.publish(draft)
    copied = designer.copy(version)
    page = text(Browser(app, DESIGNER).get(f"/design/procedures/{PROCEDURE}"))
    assert f"/design/drafts/{copied['id']}/diff?against={version}" in page
    assert f"/design/drafts/{copied['id']}/diff?against=decision" in page
    older = re.findall(rf"/design/versions/{version}/diff\?against=(\d+)", page)
    assert len(older) == 1
    linked = Browser(app, DESIGNER).get(f"/design/versions/{version}/diff?against={older[0]}")
    assert linked.status_code == 200


def test_the_page_is_scoped_and_says_what_is_wrong(app: Flask, designer: Designer) -> None:
    draft = designer.generated()
    version = designer.publish(draft)
    other = Isolated(app.test_client())
    sign_in(other, OTHER_DESIGNER["username"], OTHER_DESIGNER["password"])
    assert other.get(f"/design/versions/{version}/diff?against={version}").status_code == 404
    assert other.get(f"/design/drafts/{draft['id']}/diff?against=decision").status_code == 404
    mine = Browser(app, DESIGNER)
    bad = mine.get(f"/design/versions/{version}/diff?against=abc")
    assert bad.status_code == 422 and "against" in text(bad)
    assert mine.get(f"/design/versions/{version}/diff").status_code == 422
