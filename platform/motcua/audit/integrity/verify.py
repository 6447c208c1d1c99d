"""Checking the history's hash chains: a dossier's events recomputed in their positions."""

from __future__ import annotations

from sqlalchemy import select

from motcua.db import db
from motcua.history.chain import Break, first_break
from motcua.history.models import HistoryEvent


def chain_break(dossier_id: int) -> Break | None:
    """The first event of the dossier's chain that is edited, missing or inserted."""
    events = db.session.scalars(
        select(HistoryEvent).where(HistoryEvent.dossier_id == dossier_id)
        .order_by(HistoryEvent.seq, HistoryEvent.id))
    return first_break(events)
