"""Absolute links, for what leaves the browser (a printed receipt, its QR code, a message):
always on the configured public address ``MOTCUA_PUBLIC_URL``, never on the request's Host
header, which whoever sends the request chooses. Needs an application context only, so the
worker and the command line build the same links as a page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values, _external=True)``, on the public address."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
