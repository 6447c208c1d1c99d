"""``record``: the only way an event enters a dossier's history. It refuses to write for a
dossier whose lock the transaction does not hold, so events of one dossier are written one
transaction at a time, in order, each linked to the one before it by its hash
(``history.chain``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload

from motcua.db import db
from motcua.history.chain import GENESIS, event_fields, link
from motcua.history.models import EventAction, HistoryEvent, Timing
from motcua.org.models import User
from motcua.processes.meanings import Meaning

_LOCKED = "motcua_locked_dossiers"


@dataclass(frozen=True)
class Actor:
    """Who acted, and the membership (role at a unit) they acted in at that moment."""

    user: User
    role: str | None = None
    unit_id: int | None = None


def note_locked(dossier_id: int) -> None:
    """The caller holds the dossier's lock for the rest of the transaction."""
    db.session.info.setdefault(_LOCKED, set()).add(dossier_id)


def holds_lock(dossier_id: int) -> bool:
    return dossier_id in db.session.info.get(_LOCKED, ())


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _locks_end_with_the_transaction(session: Session) -> None:
    session.info.pop(_LOCKED, None)


def record(
    dossier_id: int,
    action: EventAction,
    at: datetime,
    *,
    actor: Actor | None = None,
    step: str | None = None,
    step_name: str | None = None,
    from_step: str | None = None,
    to_step: str | None = None,
    to_steps: Sequence[str] | None = None,
    to_tasks: Sequence[int] | None = None,
    unit_id: int | None = None,
    outcome: str | None = None,
    meaning: Meaning | None = None,
    document: str | None = None,
    note: str | None = None,
    timing: Timing | str | None = None,
    started_at: datetime | None = None,
    due_at: datetime | None = None,
    task_id: int | None = None,
) -> HistoryEvent:
    if not holds_lock(dossier_id):
        raise RuntimeError(f"history of dossier {dossier_id} written without its lock")
    row = HistoryEvent(
        dossier_id=dossier_id, at=at, action=action,
        actor_id=actor.user.id if actor else None,
        actor_role=actor.role if actor else None,
        actor_unit_id=actor.unit_id if actor else None,
        step=step, step_name=step_name, from_step=from_step, to_step=to_step,
        to_steps=list(to_steps) if to_steps is not None else None,
        to_tasks=list(to_tasks) if to_tasks is not None else None,
        unit_id=unit_id, outcome=outcome, meaning=meaning, document=document,
        note=note, timing=Timing(timing) if timing else None, started_at=started_at,
        due_at=due_at, task_id=task_id)
    row.seq, previous = _chain_head(dossier_id)
    row.seq += 1
    row.hash = link(previous, event_fields(row))
    db.session.add(row)
    return row


def _chain_head(dossier_id: int) -> tuple[int, str]:
    """The position and hash of the dossier's last event, events of this transaction
    included (the query flushes them first)."""
    last = db.session.execute(
        select(HistoryEvent.seq, HistoryEvent.hash).where(HistoryEvent.dossier_id == dossier_id)
        .order_by(HistoryEvent.seq.desc(), HistoryEvent.id.desc()).limit(1)).first()
    return (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)


def events_of(dossier_id: int) -> list[HistoryEvent]:
    """A dossier's history in the order it was written."""
    return list(db.session.scalars(
        select(HistoryEvent).where(HistoryEvent.dossier_id == dossier_id)
        .options(joinedload(HistoryEvent.actor), joinedload(HistoryEvent.unit),
                 joinedload(HistoryEvent.actor_unit))
        .order_by(HistoryEvent.seq, HistoryEvent.id)))
