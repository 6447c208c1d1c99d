"""HTML to PDF with WeasyPrint, sealed off: the renderer may read ``data:`` URLs and nothing
else (no network, no local files), whatever a page or a stylesheet asks for."""

from __future__ import annotations

from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class DataOnlyFetcher(URLFetcher):
    """Refuses every URL but ``data:``; WeasyPrint then leaves the resource out."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.lower().startswith("data:"):
            raise ValueError(f"Không tải tài nguyên ngoài khi in: {url[:80]}")
        return super().fetch(url, headers)


def html_document(html: str) -> Any:
    # A fresh fetcher (and HTML object) per call: nothing is kept across requests.
    return HTML(string=html, base_url=None, url_fetcher=DataOnlyFetcher())


def render_pdf(html: str) -> bytes:
    """The PDF of a page (its <title> becomes the PDF title)."""
    pdf: bytes = html_document(html).write_pdf()
    return pdf
