"""The security headers of every response, in one place: the content security policy, the
frame and referrer policies, ``nosniff``, and ``Cache-Control: no-store`` on everything but
the static files (nearly every page and API answer names citizens: a shared computer's cache
or back button must not keep them).

A hook of its own rather than Flask-Talisman: Talisman overwrites ``SESSION_COOKIE_SAMESITE``
(the configuration owns the cookies), replaces the stricter policy a view sets for itself
(attachment downloads are sandboxed) and sends HSTS on an ``X-Forwarded-Proto`` from anyone;
HTTPS and HSTS belong to the reverse proxy that terminates TLS.

The policy runs only the application's own script files: no inline script, no ``on...=``
handler, no ``javascript:`` URL, no ``eval``. JSON data islands (``<script
type="application/json">``) are data, never run, and need nothing. Styles come from the
static files too: the printed documents keep their stylesheet inline (WeasyPrint reads no
file) and carry the request's nonce (``<style nonce="{{ csp_nonce() }}">``); no template has
a style attribute. The only other inline styles are six style attributes that the modeler's
libraries write in markup (the properties panel's container, the icons of the align menu):
those exact values are allowed by their hashes, and nothing else. ``'unsafe-inline'`` would
also let an injected ``<style>`` select and leak the page's contents."""

from __future__ import annotations

import base64
import hashlib
import secrets

from flask import Flask, Response, g, has_request_context, request


def _hash_source(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# The style attributes that the bundled libraries write in markup, allowed by their hashes
# (tests/security/test_headers.py checks this list against the built bundles, and
# tests/browser/test_browser_headers.py that the modeler reports no other).
LIBRARY_STYLE_ATTRIBUTES = (
    # bpmn-js-properties-panel: its container and its header's.
    "height: 100%",
    "flex: none; height: auto",
    # diagram-js: the icons of the align and distribute menus (inline SVG).
    "fill:none;stroke:currentColor;stroke-width:100;",
    "fill:none;stroke:currentColor;stroke-width:100;stroke-linejoin:round;",
    "fill:currentColor;stroke:currentColor;stroke-width:100;opacity:.5;",
    "stroke:currentColor;stroke-width:100;stroke-linecap:round;",
)

CONTENT_SECURITY_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": " ".join(("'unsafe-hashes'",
                                *map(_hash_source, LIBRARY_STYLE_ATTRIBUTES))),
    # The bundles' icon font and toolbar icons are data: URLs; the modeler draws its PNG
    # export through a blob: image.
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Same-origin pages keep their Referer (Flask-WTF checks it for POSTs over HTTPS); no other
# site learns even the address of a page, whose query may carry a dossier code (the public
# lookup) or a citizen's name (the dossier search).
REFERRER_POLICY = "same-origin"


def register_security_headers(app: Flask) -> None:
    """Register before every other ``after_request`` hook: Flask runs them in reverse order,
    so these headers go on the response that is finally sent, whichever hook replaced it."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_security_headers)


def csp_nonce() -> str:
    """This request's nonce for an inline ``<style>``, made when a page first asks for one
    (outside a request, a document rendered for a command gets none)."""
    if not has_request_context():
        return ""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    nonce: str = g.csp_nonce
    return nonce


def content_security_policy(nonce: str | None = None) -> str:
    policy = dict(CONTENT_SECURITY_POLICY)
    if nonce:
        policy["style-src"] += f" 'nonce-{nonce}'"
    return "; ".join(f"{name} {sources}" for name, sources in policy.items())


def _security_headers(response: Response) -> Response:
    headers = response.headers
    # A view may send a stricter policy of its own (an attachment is sandboxed): it stays.
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_nonce")))
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = REFERRER_POLICY
    if request.endpoint != "static" and not response.cache_control.no_store:
        # Whatever a view said before (send_file's "no-cache", say) gives way: no-store alone
        # is the rule for personal data. Static files keep Flask's ETag revalidation.
        headers["Cache-Control"] = "no-store"
    return response
