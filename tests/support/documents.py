"""Shared pieces for the printable-document tests: sign in, drive the sample dossier, read
the QR back from its SVG, and check a WeasyPrint layout for overflow."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from flask import Flask, g
from flask.testing import FlaskClient
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from motcua.documents.pdf import html_document
from support.web import PASSWORDS, sign_in

START_FORM = "to-khai-ly-lich-tu-phap"


def browser(app: Flask, username: str) -> FlaskClient:
    """A client of its own (the API helper's client stays session-less) signed in as
    ``username``."""
    client = app.test_client()
    # The test's app context outlives requests, and Flask-WTF keeps the signed CSRF token
    # in ``g``: drop the previous client's, or this client's login form carries it.
    g.pop("csrf_token", None)
    sign_in(client, username, PASSWORDS[username])
    return client


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed (to assert on phrases)."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html.replace("<wbr>", ""))
    for entity, char in (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&#34;", '"'),
                         ("&#39;", "'"), ("&quot;", '"')):
        text = text.replace(entity, char)
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    reader = PdfReader(BytesIO(data))
    return "\n".join(p.extract_text() or "" for p in reader.pages)


def svg_matrix(svg: str) -> list[list[int]]:
    """Read back the dark modules of a segno SVG path (scale 1): ``M x y`` moves, ``m dx dy``
    moves relatively, ``h n`` paints n modules on the current row (y is the row's middle)."""
    path = re.search(r'\bd="([^"]+)"', svg)
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert path and box, svg[:200]
    size = int(box.group(1))
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    for op, args in re.findall(r"([MmHh])([-\d. ]+)", path.group(1)):
        numbers = [float(n) for n in args.split()]
        if op == "M":
            x, y = numbers
        elif op == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            length = numbers[0]
            for column in range(int(x), int(x + length)):
                grid[int(y)][column] = 1
            x += length
    return grid


def segno_grid(code: Any, border: int) -> list[list[int]]:
    """segno's own matrix of ``code`` with a ``border``-module quiet zone."""
    size = len(code.matrix) + 2 * border
    grid = [[0] * size for _ in range(size)]
    for r, row in enumerate(code.matrix):
        for c, dark in enumerate(row):
            grid[r + border][c + border] = 1 if dark else 0
    return grid


def overflowing_boxes(html: str) -> list[str]:
    """Lay ``html`` out as the PDF would and list every box whose border box leaves the
    page's content area (page margin boxes, such as the page number, are outside it by
    design and skipped)."""
    problems = []
    document = html_document(html).render()
    assert document.pages, "nothing was laid out"
    for number, page_ in enumerate(document.pages, 1):
        page_box = page_._page_box
        left = page_box.content_box_x()
        right = left + page_box.width
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                continue
            for box in child.descendants():
                if not isinstance(box, boxes.Box) or getattr(box, "width", None) is None:
                    continue
                x = box.position_x + box.margin_left
                end = x + box.border_width()
                if x < left - 0.5 or end > right + 0.5:
                    label = getattr(box, "text", "") or box.element_tag
                    problems.append(f"page {number}: {type(box).__name__} {label[:60]!r} "
                                    f"spans {x:.1f}–{end:.1f}, content area {left:.1f}–{right:.1f}")
    return problems
