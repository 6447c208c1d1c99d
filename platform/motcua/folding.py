"""Text folded for search: lower case, without Vietnamese diacritics, spaces collapsed, so
that "nguyen van binh" finds "Nguyễn Văn Bình" (and "NGUYỄN  VĂN BÌNH")."""

from __future__ import annotations

import unicodedata

# Letters that carry no combining mark to strip: NFD leaves đ and Đ whole.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
