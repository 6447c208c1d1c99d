"""The security headers (motcua.security_headers): every GET rule of the application, reached
with real ids as the sample's officers, designer and auditor (or anonymously), answers with
``nosniff`` and ``no-store``; every HTML page also with the content security policy that runs
only the application's own scripts, the frame and referrer policies, and a body with no
inline script, handler, ``javascript:`` URL or style attribute. Static files stay cacheable.
The templates and the built bundles are linted for what the policy would refuse."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.audit.integrity.log import log_state
from motcua.audit.integrity.seal import seal
from motcua.db import db
from motcua.design import operations
from motcua.dossiers.models import Attachment
from motcua.org.models import Agency, User
from motcua.processes.models import ProcessVersion
from motcua.security_headers import LIBRARY_STYLE_ATTRIBUTES
from support.api import PROCEDURE, Api
from support.clock import FakeClock
from support.paths import REPO
from support.walk import Walker, sample_at_examination
from support.web import Browser, Isolated

START_FORM = "to-khai-ly-lich-tu-phap"
# Who is tried, in order, on each rule until one gets a 200 (None: nobody signed in).
USERS: tuple[str | None, ...] = (None, "cv.mai", "mc.lan", "qt.binh", "ks.nga")
PACKAGE = REPO / "platform" / "motcua"
BUNDLES = REPO / "web" / "static"


# ------------------------------------------------------------------ what a page may contain

class _InlineCode(HTMLParser):
    """What the policy refuses in a page: inline script, ``on...=`` handlers,
    ``javascript:`` URLs, style attributes, and ``<style>`` without the request's nonce."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__()
        self.nonce = nonce
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and "src" not in named and named.get("type") != "application/json":
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style" and (self.nonce is None or named.get("nonce") != self.nonce):
            self.found.append(f"<style> without the request's nonce at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name}= of <{tag}>")


def inline_code(html: str, nonce: str | None = None) -> list[str]:
    parser = _InlineCode(nonce)
    parser.feed(html)
    parser.close()
    return parser.found


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_IN_A_TAG = r"<[a-zA-Z][^<>]*?\s"
_TEMPLATE_RULES = {
    "an on...= handler": re.compile(_IN_A_TAG + r"on[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript\s*:", re.IGNORECASE),
    "a style attribute": re.compile(_IN_A_TAG + r"style\s*=", re.IGNORECASE),
    "a <style> without the nonce": re.compile(
        r"<style\b(?![^>]*\bnonce=\"\{\{ csp_nonce\(\) \}\}\")", re.IGNORECASE),
}


def template_findings(source: str) -> list[str]:
    """The same, in a template's source (its Jinja tags would confuse an HTML parser)."""
    found = [f"an inline <script{m.group(1)}>" for m in _SCRIPT_TAG.finditer(source)
             if not re.search(r"\bsrc=|type=\"application/json\"", m.group(1))]
    for rule, pattern in _TEMPLATE_RULES.items():
        found += [f"{rule}: {m.group(0)[-60:]!r}" for m in pattern.finditer(source)]
    return found


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    '<script type="text/javascript">x()</script>',
    '<button type="button" onclick="window.print()">In</button>',
    '<body\n  onload="go()">',
    '<a href="javascript:void(0)">x</a>',
    '<col style="width: 4%">',
    "<style>p { color: red }</style>",
])
def test_the_lint_finds_what_the_policy_refuses(source: str) -> None:
    assert template_findings(source)
    assert inline_code(source, nonce="n")


def test_the_lint_lets_script_files_data_islands_and_nonced_styles_pass() -> None:
    source = ('<script src="/static/app.js" defer></script>'
              '<script type="application/json" id="d">{"a": 1}</script>'
              '<form action="/x" method="post"><button data-action="print" '
              'data-confirm="Xác nhận?">In</button></form>'
              '<p>Nhập onboarding=1 vào ô</p>')
    assert template_findings(source) == []
    assert template_findings('<style nonce="{{ csp_nonce() }}">p {}</style>') == []
    assert inline_code(source) == [] and inline_code('<style nonce="n"></style>', "n") == []


def test_no_template_holds_what_the_policy_refuses() -> None:
    templates = sorted(PACKAGE.glob("**/templates/**/*.html"))
    assert len(templates) > 40
    found = {str(t.relative_to(REPO)): template_findings(t.read_text(encoding="utf-8"))
             for t in templates}
    assert {name: f for name, f in found.items() if f} == {}


def _bundles() -> list[Path]:
    files = sorted(BUNDLES.glob("*.js")) + sorted((BUNDLES / "build").glob("*.js"))
    assert any(f.parent.name == "build" for f in files), "run `make web` first"
    return files


def test_no_script_file_evaluates_strings() -> None:
    evaluating = re.compile(r"\beval\(|\bnew Function\(|\bset(?:Timeout|Interval)\(\s*[\"'`]")
    found = {f.name: evaluating.findall(f.read_text(encoding="utf-8")) for f in _bundles()}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_every_style_attribute_the_bundles_write_is_allowed_by_its_hash() -> None:
    written = set()
    for bundle in _bundles():
        written |= set(re.findall(r'style=\\?"([^"\\]*)\\?"', bundle.read_text(encoding="utf-8")))
    assert written == set(LIBRARY_STYLE_ATTRIBUTES)


# ------------------------------------------------------------------ every GET rule, reached

@pytest.fixture
def ids(app: Flask, walker: Walker, clock: FakeClock) -> dict[str, Any]:
    """Real values for every rule's arguments: a dossier at examination with a file, its
    task, a draft copied from the published version, the day's sealed tree head."""
    code = sample_at_examination(walker)
    holder = Browser(app, "cv.mai")
    response = holder.post(f"/dossiers/{code}/attachments",
                           {"attachments": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "bien-ban.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    task_id = next(t["id"] for t in walker.api.get("cv.mai", "/tasks").get_json()
                   if t["dossier"] == code)
    designer = db.session.scalar(select(User).where(User.username == "qt.binh"))
    version = db.session.scalars(select(ProcessVersion)).one()  # the sample's
    assert designer is not None
    draft = operations.copy_version(version.procedure, version.version, designer)
    newer = operations.publish(operations.copy_version(version.procedure, version.version,
                                                       designer), None, designer)
    seal(clock().date(), clock())
    db.session.flush()
    log = log_state()
    agency = db.session.scalars(select(Agency.code).order_by(Agency.id)).first()
    return {"log": f"size={log.size}&root={log.root}", "agency": agency,
            "code": code, "task_id": task_id, "attachment_id": attachment.id,
            "draft_id": draft.id, "version_id": version.id, "newer_id": newer.id, "kind": "receipt",
            "day": clock().date().isoformat(), "period_id": clock().strftime("%Y-%m"),
            "procedure": PROCEDURE, "filename": "app.js", "key": START_FORM}


# A rule's argument that means something else than elsewhere.
OVERRIDES = {("audit_indicators_pages.numerator_rows", "key"): "on_time",
             ("audit_indicators.numerator_rows", "key"): "on_time",
             ("design_pages.procedure_page", "code"): PROCEDURE,
             ("design_diffs.version_diff", "version_id"): "{newer_id}",
             ("design_diff_pages.version_diff_page", "version_id"): "{newer_id}"}
# The query a rule needs to answer 200 (formatted with the ids).
QUERIES = {
    "audit_conformance.procedure_conformance": "procedure={procedure}",
    "audit_execution.execution_dossiers": "key={agency}&group=agency",
    "audit_execution_pages.execution_dossiers": "key={agency}&group=agency",
    "audit_integrity.log_consistency": "{log}",
    "audit_integrity_pages.log_check": "{log}",
    "calendar.due": "start=2026-03-16T09:00:00%2B07:00&duration=1d",
    "design.list_drafts": "procedure={procedure}",
    "design.list_versions": "procedure={procedure}",
    "design_diffs.draft_diff": "against={version_id}",
    "design_diff_pages.draft_diff_page": "against={version_id}",
    "design_diffs.version_diff": "against={version_id}",
    "design_diff_pages.version_diff_page": "against={version_id}",
}


def _paths(app: Flask, ids: dict[str, Any]) -> dict[str, str]:
    """Each GET rule's endpoint and a path to it with real values."""
    paths = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        path = rule.rule
        for argument in rule.arguments:
            value = str(OVERRIDES.get((rule.endpoint, argument), ids[argument])).format(**ids)
            path = re.sub(rf"<(?:[a-z]+:)?{argument}>", str(value), path)
        query = QUERIES.get(rule.endpoint)
        paths[rule.endpoint] = f"{path}?{query.format(**ids)}" if query else path
    return paths


def _policy(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def check_headers(response: Any, path: str) -> None:
    """What every response owes, and every HTML page besides."""
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    cache = response.headers.get("Cache-Control", "")
    if path.startswith("/static/"):
        assert "no-store" not in cache and response.headers.get("ETag"), (path, cache)
    else:
        assert "no-store" in cache, (path, response.status_code, cache)
    if response.mimetype != "text/html":
        return
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"], path
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], path
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert "'unsafe-inline'" not in policy["style-src"] + policy["style-src-attr"], path
    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert response.headers.get("Referrer-Policy") == "same-origin", path
    nonce = next((s[len("'nonce-"):-1] for s in policy["style-src"]
                  if s.startswith("'nonce-")), None)
    assert inline_code(response.get_data(as_text=True), nonce) == [], path


@pytest.mark.slow
def test_every_get_rule_sends_the_headers(app: Flask, api: Api, ids: dict[str, Any]) -> None:
    paths = _paths(app, ids)
    pages = {user: Browser(app, user) if user else Isolated(app.test_client())
             for user in USERS}
    reached: dict[str, tuple[str | None, str]] = {}
    refused: dict[str, list[int]] = {}
    for endpoint, path in sorted(paths.items()):
        for user in USERS:
            if path.startswith("/api/"):
                response = api.get(user, path.removeprefix("/api/v1"))
            else:
                response = pages[user].get(path)
            check_headers(response, path)
            refused.setdefault(endpoint, []).append(response.status_code)
            if response.status_code == 200:
                reached[endpoint] = (user, response.mimetype)
                break
    assert {e: (paths[e], refused[e]) for e in set(paths) - set(reached)} == {}
    html = {endpoint for endpoint, (_, mimetype) in reached.items() if mimetype == "text/html"}
    # At least one HTML page of every blueprint that serves pages.
    page_blueprints = {endpoint.split(".")[0] for endpoint, path in paths.items()
                       if not path.startswith(("/api/", "/static/"))}
    assert {endpoint.split(".")[0] for endpoint in html} == page_blueprints
    assert len(html) > 35


def test_error_answers_send_the_headers_too(app: Flask, api: Api, sample: Any) -> None:
    client = Isolated(app.test_client())
    for path in ("/dossiers/000.00.12.H99-260316-9999", "/no-such-page", "/login"):
        check_headers(client.get(path), path)
    check_headers(client.post("/login", data={"username": "x"}), "/login (no CSRF token)")
    check_headers(api.get(None, "/tasks"), "/api/v1/tasks (not signed in)")
    check_headers(api.get("cv.mai", "/dossiers/000.00.12.H99-260316-9999"), "/api (404)")


def test_an_attachment_keeps_its_own_sandboxing_policy(app: Flask, ids: dict[str, Any]) -> None:
    path = f"/dossiers/{ids['code']}/attachments/{ids['attachment_id']}"
    response = Browser(app, "cv.mai").get(path)
    assert response.status_code == 200
    check_headers(response, path)
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_printed_document_carries_a_fresh_nonce_for_its_stylesheet(
        app: Flask, ids: dict[str, Any]) -> None:
    clerk = Browser(app, "cv.mai")
    path = f"/dossiers/{ids['code']}/documents/receipt"
    nonces = []
    for _ in range(2):
        response = clerk.get(path)
        assert response.status_code == 200
        check_headers(response, path)
        found = re.search(r'<style nonce="([^"]+)"', response.get_data(as_text=True))
        assert found is not None
        nonces.append(found[1])
        assert f"'nonce-{nonces[-1]}'" in _policy(response)["style-src"]
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
    # The PDF is the same page rendered on the server: the policy does not touch it.
    pdf = clerk.get(path + "?format=pdf")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")
    assert "no-store" in pdf.headers["Cache-Control"]
