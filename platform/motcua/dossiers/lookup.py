"""The public lookup: a dossier found by its code as a citizen types or pastes it, for the
API and the page alike (their answers show status and dates only)."""

from __future__ import annotations

from sqlalchemy import select

from motcua.db import db
from motcua.dossiers.codes import MAX_CODE, typed_code
from motcua.dossiers.models import Dossier
from motcua.errors import NotFound


def lookup(code: str) -> Dossier:
    """The dossier of ``code`` in any case, with spaces around it (see ``typed_code``). Codes
    generated before codes were kept in upper case still match as stored; both are
    equalities on the code's unique index."""
    raw = code[:MAX_CODE * 2]
    if not _sendable(raw):
        raise NotFound("Không tìm thấy hồ sơ có mã này")
    typed = typed_code(raw)
    dossier = None
    if len(typed) <= MAX_CODE:
        dossier = db.session.scalar(
            select(Dossier).where(Dossier.code.in_({typed, raw.strip()})).limit(1))
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {typed[:MAX_CODE]}")
    return dossier


def _sendable(text: str) -> bool:
    """No code holds a NUL or a lone surrogate, and the database drivers refuse to send them
    (PostgreSQL's a NUL, both a surrogate): a 500 instead of "not found"."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
