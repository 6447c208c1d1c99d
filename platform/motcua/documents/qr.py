"""QR codes as inline SVG (no image files, nothing for the PDF renderer to fetch)."""

from __future__ import annotations

import segno
from markupsafe import Markup

from motcua.links import external_url


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
    """The public lookup page of a dossier, printed and encoded on the receipt: on the
    configured public address, whatever Host the request that prints it named."""
    return external_url("web.lookup_result", code=code)
