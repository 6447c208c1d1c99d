"""Execution conformance of one dossier: its history (one query, the task rows it names
joined in) replayed against the version it ran, and its hash chain's state."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select

from motcua.audit.execution.findings import Event, Facts, Finding, Names
from motcua.audit.execution.model import Models
from motcua.audit.execution.replay import replay
from motcua.audit.integrity.verify import chain_break
from motcua.audit.scope import require_auditor
from motcua.calendar.operations import load_calendar
from motcua.clock import now as clock_now
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.errors import NotFound
from motcua.history.chain import Break
from motcua.history.models import EventAction, HistoryEvent
from motcua.org.models import User
from motcua.tasks.models import Task

# What the replay reads; claims, overdue marks, other documents and errors judge nothing.
_REPLAYED = (EventAction.RECEIVED, EventAction.COMPLETED, EventAction.TIMER,
             EventAction.EXTENDED, EventAction.STOPPED)

FACT_COLUMNS = (Dossier.id, Dossier.code, Dossier.agency_id, Dossier.procedure_id,
                Dossier.process_version_id, Dossier.status, Dossier.received_at,
                Dossier.first_due_at, Dossier.finished_at, Dossier.result_at)


def events_query(*where: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The replayed events of the dossiers ``where`` selects (``Dossier`` is joined), in the
    order of each history, with the role, unit and document of the task a completion names
    (only a task of the same dossier)."""
    return (
        select(HistoryEvent.dossier_id, HistoryEvent.seq, HistoryEvent.at, HistoryEvent.action,
               HistoryEvent.step, HistoryEvent.step_name, HistoryEvent.to_steps,
               HistoryEvent.to_tasks, HistoryEvent.meaning, HistoryEvent.document,
               HistoryEvent.due_at, HistoryEvent.actor_id, HistoryEvent.actor_role,
               HistoryEvent.actor_unit_id, HistoryEvent.task_id, Task.role, Task.unit_id,
               Task.document)
        .join(Dossier, Dossier.id == HistoryEvent.dossier_id)
        .outerjoin(Task, and_(Task.id == HistoryEvent.task_id,
                              Task.dossier_id == HistoryEvent.dossier_id,
                              HistoryEvent.action == EventAction.COMPLETED))
        .where(or_(HistoryEvent.action.in_(_REPLAYED),
                   and_(HistoryEvent.action == EventAction.DOCUMENT,
                        HistoryEvent.document == "supplement")),
               *where)
        .order_by(HistoryEvent.dossier_id, HistoryEvent.seq, HistoryEvent.id))


def as_events(rows: Any) -> Iterator[Event]:
    for row in rows:
        yield Event(*row)


def facts_of(dossier: Dossier) -> Facts:
    return Facts(*(getattr(dossier, column.key) for column in FACT_COLUMNS))


def findings_for(dossier: Dossier, *, now: datetime | None = None) -> list[Finding]:
    """The findings of ``dossier``'s history on the version it ran (``Finding.as_dict`` is
    the API's shape), in the order of the history, the dossier's own ones last."""
    rows = db.session.execute(events_query(HistoryEvent.dossier_id == dossier.id))
    return replay(facts_of(dossier), as_events(rows), Models().get(dossier.process_version_id),
                  load_calendar(), now or clock_now(), Names())


def audited_dossier(user: User, code: str) -> Dossier:
    """A dossier of the province for an auditor (anyone else: 403, before anything is read)."""
    require_auditor(user)
    # No code holds a NUL, and PostgreSQL refuses to compare with one.
    dossier = (db.session.scalar(select(Dossier).where(Dossier.code == code.strip()))
               if "\x00" not in code else None)
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code[:64]}")
    return dossier


@dataclass(frozen=True)
class DossierCheck:
    dossier: Dossier
    findings: list[Finding]
    chain: Break | None

    @property
    def chain_state(self) -> str:
        return "broken" if self.chain is not None else "intact"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.dossier.code, "findings": [f.as_dict() for f in self.findings],
                "chain": self.chain_state}


def check_dossier(user: User, code: str) -> DossierCheck:
    dossier = audited_dossier(user, code)
    return DossierCheck(dossier, findings_for(dossier), chain_break(dossier.id))
