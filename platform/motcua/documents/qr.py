"""QR codes as inline SVG (no image files, nothing for the PDF renderer to fetch)."""

from __future__ import annotations

from urllib.parse import quote

import segno
from flask import request, url_for
from markupsafe import Markup
from werkzeug.routing import BuildError


def qr_code(text: str) -> segno.QRCode:
    # Level M survives a creased or smudged paper copy; never a Micro QR (phones skip them).
    return segno.make(text, error="m", micro=False, boost_error=False)


def qr_svg(text: str) -> Markup:
    """The code as an ``<svg>`` element sized by CSS (viewBox only). segno writes the data
    as path geometry, never as text, so nothing in ``text`` reaches the markup."""
    svg = qr_code(text).svg_inline(scale=1, border=2, omitsize=True, dark="#000",
                                   svgclass="qr")
    return Markup(svg)  # noqa: S704 - segno's own output, no user text in it


def lookup_url(code: str) -> str:
    """The public lookup page of a dossier, printed and encoded on the receipt."""
    try:
        return url_for("web.lookup_result", code=code, _external=True)
    except BuildError:
        # The public lookup page is not registered (yet): same path, built by hand.
        return request.host_url + "lookup/" + quote(code, safe="")
