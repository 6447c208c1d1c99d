"""Dossier codes: {agency_code}-{yymmdd}-{seq:04}, unique and generated atomically, kept in
upper case so that a code typed in any case finds its dossier (``typed_code``)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from motcua.calendar.working_time import TZ
from motcua.db import db, is_postgresql
from motcua.dossiers.models import DossierSequence
from motcua.org.models import Agency

DEFAULT_PATTERN = "{agency_code}-{yymmdd}-{seq:04}"
# The longest code anyone types: the public lookup's input is cut there.
MAX_CODE = 64
# Spaces (NBSP and the other Unicode spaces included) and the invisible marks that copying
# from a receipt or a chat can bring along, at either end.
_AROUND = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+|[\s\u200b\u200c\u200d\u2060\ufeff]+$")


def next_code(agency: Agency, received_at: datetime) -> str:
    """Bump the agency's counter for the day with one upsert: concurrent requests each get
    their own number (the row is locked by the upsert until the request ends)."""
    day = received_at.astimezone(TZ).date()
    insert = postgresql.insert if is_postgresql() else sqlite.insert
    stmt = (
        insert(DossierSequence)
        .values(agency_id=agency.id, day=day, last=1)
        .on_conflict_do_update(
            index_elements=["agency_id", "day"], set_={"last": DossierSequence.last + 1}
        )
        .returning(DossierSequence.last)
    )
    seq = db.session.execute(stmt).scalar_one()
    pattern = current_app.config.get("DOSSIER_CODE_PATTERN", DEFAULT_PATTERN)
    return str(pattern.format(agency_code=agency.code, yymmdd=day.strftime("%y%m%d"), seq=seq,
                              yyyymmdd=day.strftime("%Y%m%d"))).upper()


def typed_code(raw: str) -> str:
    """A code as someone typed or pasted it, in the stored form: compatibility forms folded
    (full-width digits, NBSP), surrounding spaces and invisible marks dropped, upper case.
    Matching the stored column against this keeps its unique index usable."""
    return _AROUND.sub("", unicodedata.normalize("NFKC", raw)).upper()
