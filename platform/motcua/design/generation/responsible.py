"""Who does a step: the role and unit of a decision's "responsible" text.

The role comes from the row or from the catalogue's configurable rules
(``catalog.decisions.infer_role_unit``). The unit is the rule's selector (``@desk``,
``@handling``, ``@agency``) unless the text names a unit or agency of the organisation tree
other than the procedure's own: then it is that agency's code, an inter-agency step. Names
are compared normalised (NFC, case, the old and new placement of tone marks, "UBND"), a
unit is found only as whole words, and the most specific named unit wins ("Phòng Đất đai -
Sở Nông nghiệp và Môi trường" is the Phòng, and the Sở tells which Phòng Đất đai).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from motcua.catalog.decisions import infer_role_unit
from motcua.db import db
from motcua.org.models import Agency

# New-style tone placement ("hòa", "thủy") read as the old style ("hoà", "thuỷ").
_TONES = {new: old for new, old in (
    ("òa", "oà"), ("óa", "oá"), ("ỏa", "oả"), ("õa", "oã"), ("ọa", "oạ"),
    ("òe", "oè"), ("óe", "oé"), ("ỏe", "oẻ"), ("õe", "oẽ"), ("ọe", "oẹ"),
    ("ùy", "uỳ"), ("úy", "uý"), ("ủy", "uỷ"), ("ũy", "uỹ"), ("ụy", "uỵ"),
)}
_TONE_RE = re.compile("|".join(_TONES))
# Words that start the name of a unit or agency, and the levels that may follow them.
_KINDS = ("phòng", "sở", "chi cục", "cục", "trung tâm", "ubnd", "ủy ban nhân dân",
          "uỷ ban nhân dân", "văn phòng", "ban")
_LEVELS = frozenset({"tỉnh", "huyện", "xã", "phường", "quận", "thị", "trấn", "thành", "phố"})
_KIND_RE = re.compile(r"\b(" + "|".join(_KINDS) + r")\b", re.IGNORECASE)


def normal(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    text = _TONE_RE.sub(lambda m: _TONES[m.group(0)], text)
    text = re.sub(r"\s+", " ", re.sub(r"[^\w]+", " ", text)).strip()
    return re.sub(r"\buỷ ban nhân dân\b", "ubnd", text)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    key: str  # the normalised name
    parent: str | None  # parent's code


@dataclass(frozen=True)
class Resolved:
    role: str | None
    unit: str | None
    # What is wrong, in Vietnamese, when the text cannot be resolved as written.
    problem: str | None = None
    # The problem is an error (no role: the step cannot run) rather than a warning.
    blocking: bool = False


class OrgIndex:
    """The organisation tree, read once per generation."""

    def __init__(self, places: Iterable[Place], agency: str | None, handling: str | None) -> None:
        self.places = [p for p in places if p.key]
        self.by_code = {p.code: p for p in self.places}
        self.own = {code for code in (agency, handling) if code}

    @classmethod
    def load(cls, agency: str | None, handling: str | None) -> OrgIndex:
        rows = list(db.session.execute(
            select(Agency.id, Agency.code, Agency.name, Agency.parent_id)))
        codes = {row.id: row.code for row in rows}
        return cls((Place(r.code, r.name, normal(r.name), codes.get(r.parent_id))
                    for r in rows), agency, handling)

    def _ancestors(self, code: str) -> set[str]:
        found: set[str] = set()
        place = self.by_code.get(code)
        while place is not None and place.parent and place.parent not in found:
            found.add(place.parent)
            place = self.by_code.get(place.parent)
        return found

    def named(self, text: str) -> list[Place]:
        """The units the text names, most specific first; several when it is ambiguous."""
        key = f" {normal(text)} "
        spans: list[tuple[int, int, Place]] = []
        for place in self.places:
            start = key.find(f" {place.key} ")
            if start >= 0:
                spans.append((start, start + len(place.key) + 2, place))
        # A name inside a longer one that is also a unit ("Phòng Đất đai" in "Phòng Đất đai
        # và Khoáng sản") is the longer one.
        matched = [p for s, e, p in spans
                   if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans)]
        codes = {p.code for p in matched}
        by_name: dict[str, list[Place]] = {}
        for place in matched:
            by_name.setdefault(place.key, []).append(place)
        chosen: list[Place] = []
        for same in by_name.values():
            if len(same) > 1:
                # The text may also name the parent that tells them apart.
                placed = [p for p in same if self._ancestors(p.code) & codes]
                same = placed or same
            chosen.extend(same)
        ancestors = set().union(*(self._ancestors(p.code) for p in chosen)) if chosen else set()
        return [p for p in chosen if p.code not in ancestors]

    def resolve(self, text: str, role: str | None = None, unit: str | None = None) -> Resolved:
        inferred = infer_role_unit(text)
        role = role or (inferred[0] if inferred else None)
        selector = unit or (inferred[1] if inferred else None)
        if role is None:
            return Resolved(None, selector, (
                f'Không suy ra được vai trò từ trách nhiệm "{text}": chọn vai trò cho làn '
                "hoặc sửa quy tắc suy luận vai trò."), blocking=True)
        if unit is not None or selector == "@desk":
            # A unit written in the row is final; the desk is whichever received the dossier.
            return Resolved(role, selector)
        named = self.named(text)
        if len(named) > 1:
            names = ", ".join(f"{p.name} ({p.code})" for p in named)
            return Resolved(role, selector, (
                f'Trách nhiệm "{text}" khớp nhiều đơn vị: {names}; tạm dùng {selector}: chọn '
                "đúng đơn vị cho làn."))
        if named:
            place = named[0]
            if place.code in self.own:
                return Resolved(role, selector)
            return Resolved(role, place.code)
        mention = unit_mention(text)
        if mention is not None:
            return Resolved(role, selector, (
                f'Trách nhiệm "{text}" nêu "{mention}" nhưng không có đơn vị này trong danh mục '
                f"cơ quan; tạm dùng {selector}: thêm đơn vị vào danh mục hoặc chọn đơn vị cho "
                "làn."))
        return Resolved(role, selector)


def unit_mention(text: str) -> str | None:
    """The name of a unit the text seems to give ("Phòng Đất đai"), as written: a kind word
    followed by a capitalised word; "Lãnh đạo phòng" or "Chủ tịch UBND xã" name none."""
    text = unicodedata.normalize("NFC", text)
    for match in _KIND_RE.finditer(text):
        rest = text[match.end():]
        words = re.findall(r"\w+", rest.split("-")[0])
        skipped = 0
        while skipped < len(words) and words[skipped].casefold() in _LEVELS:
            skipped += 1
        if skipped < len(words) and words[skipped][0].isupper() \
                and not _KIND_RE.match(" ".join(words[skipped:])):
            return re.split(r"\s[-–]\s|[,;()/]", text[match.start():])[0].strip()
    return None
