"""What the layout tests measure in the page: words split over two lines, elements wider than
the viewport, pages of a printed PDF."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader

# Tokens longer than this with no space in them (an email, a URL, a long code) may break
# where they must; anything shorter, and any word of letters, must stay on one line.
LONG_TOKEN = 16

_BROKEN = """([root, longToken]) => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const word = match[0].replace(/^[("'\u201c]+|[)"'\u201d,.;:!?]+$/g, "");
      if (!word || (word.length > longToken && !/^\\p{L}+$/u.test(word))) continue;
      const start = match.index + match[0].indexOf(word);
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + word.length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                .map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(word);
    }
  }
  return broken;
}"""

_TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim()
       ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  // How far right the element shows: an ancestor that clips or scrolls its content cuts it
  // at its own edge; one clipped away entirely (a visually hidden table head) hides it.
  const shownRight = el => {
    let right = el.getBoundingClientRect().right;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.clip !== "auto" && style.position === "absolute") return -Infinity;
      if (style.overflowX !== "visible") right = Math.min(right, up.getBoundingClientRect().right);
    }
    return right;
  };
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5 && shownRight(el) > width + 0.5) {
      found.push(name(el) + " (" + Math.round(box.left) + "–" + Math.round(box.right) + "px)");
    }
  }
  return found;
}"""


def broken_words(page: Any, selector: str) -> list[str]:
    """The words under ``selector`` that the layout split over two lines."""
    words: list[str] = []
    for element in page.locator(selector).element_handles():
        words += page.evaluate(_BROKEN, [element, LONG_TOKEN])
    return words


def too_wide(page: Any) -> list[str]:
    """Elements that show past the right edge of the viewport (content that scrolls inside a
    box of its own that fits would not count: the pages tested here have none)."""
    return list(page.evaluate(_TOO_WIDE))


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def pdf_pages(data: bytes) -> tuple[int, str]:
    """A PDF's number of pages, and its text with the lines joined by single spaces."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)
