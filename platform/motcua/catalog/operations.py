"""Catalogue verbs: import a published decision; read a procedure's state in force on a
date; find the procedures open for dossiers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager

from motcua.calendar.working_time import TZ
from motcua.catalog.decisions import check_decision, entry_state
from motcua.catalog.models import (
    STATE_FIELDS,
    Decision,
    Procedure,
    ProcedureRevision,
    RevisionStatus,
)
from motcua.clock import now as clock_now
from motcua.db import db, utcnow
from motcua.errors import Invalid, NotFound
from motcua.importing import ImportProblems, ImportReport, set_if_changed
from motcua.org.models import Agency


def import_decision(doc: Any, source: str) -> ImportReport:
    """Store the decision verbatim and record its version of each procedure it names; all or
    nothing. Nothing changes the state in force before the decision's effective date."""
    problems = check_decision(doc)
    sha = hashlib.sha256(source.encode()).hexdigest()
    head = doc.get("decision", {}) if isinstance(doc, dict) else {}
    decision = db.session.scalar(select(Decision).where(Decision.number == head.get("number")))
    if not problems and decision is not None and decision.source_sha256 != sha:
        problems.append({"field": "$.decision.number", "message":
                         f"Quyết định {decision.number} đã được nhập với nội dung khác"})
    if problems:
        raise ImportProblems(problems)
    report = ImportReport()
    if decision is None:
        decision = Decision(
            number=head["number"], date=date.fromisoformat(head["date"]),
            effective=date.fromisoformat(head["effective"]), issuer=head["issuer"],
            signer=head.get("signer", ""), title=head.get("title", ""), source=source,
            source_sha256=sha, imported_at=utcnow())
        db.session.add(decision)
        db.session.flush()
        report.count("decision", "created")
    else:
        report.count("decision", "unchanged")
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    _record(_plan(doc["procedures"], decision, agencies), decision, report)
    return report


@dataclass
class _Planned:
    """What the decision sets for one procedure."""

    state: dict[str, Any]
    status: RevisionStatus
    replaced_by: str | None = None


def _plan(entries: list[dict[str, Any]], decision: Decision, agencies: dict[str, Agency]
          ) -> dict[str, _Planned]:
    """Each named procedure's version under this decision. Entries apply in file order (an
    abolition after an amendment of the same code abolishes the amended state); replacements
    last, so the replaced procedure keeps whatever the file otherwise says of it."""
    plan: dict[str, _Planned] = {}
    for entry in entries:
        code = entry["code"]
        if entry["action"] == "abolished":
            state = plan[code].state if code in plan else _state_before(code, decision)
            plan[code] = _Planned(state or entry_state(entry, agencies),
                                  RevisionStatus.ABOLISHED)
        else:
            plan[code] = _Planned(entry_state(entry, agencies), RevisionStatus.ACTIVE)
    for entry in entries:
        if entry["action"] == "replaced":
            old = entry["replaces"]
            state = plan[old].state if old in plan else _state_before(old, decision)
            # The schema check guarantees the replaced code exists or is in the file.
            assert state is not None
            plan[old] = _Planned(state, RevisionStatus.REPLACED, replaced_by=entry["code"])
    return plan


def _state_before(code: str, decision: Decision) -> dict[str, Any] | None:
    """The procedure's state just before ``decision`` takes effect: what an abolition or a
    replacement carries over (name, agency ... stay readable)."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        return None
    earlier = or_(ProcedureRevision.effective < decision.effective,
                  and_(ProcedureRevision.effective == decision.effective,
                       Decision.date <= decision.date))
    previous = db.session.scalar(
        _revisions_of(procedure).where(ProcedureRevision.decision_id != decision.id, earlier)
        .order_by(*LATEST_FIRST).limit(1))
    if previous is not None:
        return previous.state()
    return {key: getattr(procedure, key) for key in STATE_FIELDS}


def _record(plan: dict[str, _Planned], decision: Decision, report: ImportReport) -> None:
    procedures = {p.code: p for p in db.session.scalars(
        select(Procedure).where(Procedure.code.in_(list(plan))))}
    created = set(plan) - set(procedures)
    for code in sorted(created):
        planned = plan[code]
        procedures[code] = Procedure(code=code, decision=decision,
                                     status=planned.status.value, **planned.state)
        db.session.add(procedures[code])
    db.session.flush()
    recorded = {r.procedure_id: r for r in db.session.scalars(
        select(ProcedureRevision).where(ProcedureRevision.decision_id == decision.id))}
    for code, planned in plan.items():
        procedure = procedures[code]
        values = {**planned.state, "effective": decision.effective, "status": planned.status,
                  "replaced_by_id": procedures[planned.replaced_by].id
                  if planned.replaced_by else None}
        revision = recorded.get(procedure.id)
        if revision is None:
            db.session.add(ProcedureRevision(procedure=procedure, decision=decision, **values))
            changed = True
        else:
            changed = set_if_changed(revision, values)
        report.count("procedure", "created" if code in created
                     else "updated" if changed else "unchanged")
    db.session.flush()
    for procedure in procedures.values():
        _cache_latest(procedure)
    db.session.flush()


def _cache_latest(procedure: Procedure) -> None:
    latest = db.session.scalar(_revisions_of(procedure).order_by(*LATEST_FIRST).limit(1))
    if latest is not None:
        set_if_changed(procedure, {**latest.state(), "status": latest.status.value,
                                   "decision_id": latest.decision_id,
                                   "replaced_by_id": latest.replaced_by_id})


# Which revision wins on a date: the latest effective; for one effective date, the later
# decision; for one decision date, the one imported last.
LATEST_FIRST = (ProcedureRevision.effective.desc(), Decision.date.desc(),
                ProcedureRevision.id.desc())
EARLIEST_FIRST = (ProcedureRevision.effective, Decision.date, ProcedureRevision.id)


def _revisions_of(procedure: Procedure) -> Select[ProcedureRevision]:
    return (select(ProcedureRevision)
            .join(Decision, ProcedureRevision.decision_id == Decision.id)
            .where(ProcedureRevision.procedure_id == procedure.id))


def local_date(on: date | datetime) -> date:
    """The province's calendar date of an instant (a date is taken as it is): decisions take
    effect on local dates."""
    return on.astimezone(TZ).date() if isinstance(on, datetime) else on


def get_procedure(code: str) -> Procedure:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        raise NotFound(f"Không có thủ tục {code}")
    return procedure


def revisions(procedure: Procedure) -> list[ProcedureRevision]:
    """Every decision's version of the procedure, in the order they take effect."""
    return list(db.session.scalars(_revisions_of(procedure).order_by(*EARLIEST_FIRST)))


def procedure_in_force(procedure: Procedure, on: date | datetime) -> ProcedureRevision | None:
    """The procedure's revision in force on ``on`` (a local date, or an instant), or None
    when no decision about it has taken effect yet."""
    return db.session.scalar(
        _revisions_of(procedure).where(ProcedureRevision.effective <= local_date(on))
        .order_by(*LATEST_FIRST).limit(1))


def upcoming_revision(procedure: Procedure, on: date | datetime) -> ProcedureRevision | None:
    """The next revision to take effect after ``on``, if any."""
    return db.session.scalar(
        _revisions_of(procedure).where(ProcedureRevision.effective > local_date(on))
        .order_by(*EARLIEST_FIRST).limit(1))


def require_open(procedure: Procedure, on: date | datetime) -> ProcedureRevision:
    """The revision in force on ``on`` if it accepts new dossiers; else Invalid (422)."""
    day = local_date(on)
    revision = procedure_in_force(procedure, day)
    if revision is None:
        upcoming = upcoming_revision(procedure, day)
        since = (f", áp dụng từ ngày {upcoming.effective:%d/%m/%Y}"
                 if upcoming is not None and upcoming.accepts_dossiers else "")
        raise Invalid(f"Thủ tục {procedure.code} chưa có hiệu lực{since}; chưa tiếp nhận hồ sơ",
                      [{"field": "procedure", "message": f"Thủ tục chưa có hiệu lực{since}"}])
    since = f"từ ngày {revision.effective:%d/%m/%Y}"
    if revision.status is RevisionStatus.ABOLISHED:
        raise Invalid(f"Thủ tục {procedure.code} đã bị bãi bỏ {since}, không tiếp nhận hồ sơ mới",
                      [{"field": "procedure", "message": f"Thủ tục đã bị bãi bỏ {since}"}])
    if revision.status is RevisionStatus.REPLACED:
        by = f" bởi thủ tục {revision.replaced_by.code}" if revision.replaced_by else ""
        raise Invalid(f"Thủ tục {procedure.code} đã được thay thế{by} {since}, "
                      "không tiếp nhận hồ sơ mới",
                      [{"field": "procedure", "message": f"Thủ tục đã được thay thế{by} {since}"}])
    return revision


def _first_ranked(condition: ColumnElement[bool], order: tuple[Any, ...]
                  ) -> Select[int]:
    """Per procedure, the id of the first revision meeting ``condition`` in ``order``."""
    rank = func.row_number().over(partition_by=ProcedureRevision.procedure_id, order_by=order)
    ranked = (select(ProcedureRevision.id, rank.label("rank"))
              .join(Decision, ProcedureRevision.decision_id == Decision.id)
              .where(condition).subquery())
    return select(ranked.c.id).where(ranked.c.rank == 1)


def _in_force_ids(day: date) -> Select[int]:
    return _first_ranked(ProcedureRevision.effective <= day, LATEST_FIRST)


def revision_ids_in_force(on: date | datetime) -> Select[int]:
    """The ids of every procedure's revision in force on ``on``, as a subquery to filter by."""
    return _in_force_ids(local_date(on))


@dataclass(frozen=True)
class ProcedureState:
    """A procedure as the catalogue shows it on ``on``: the revision in force, or, when none
    is yet, the next one to take effect (``in_force`` False)."""

    procedure: Procedure
    revision: ProcedureRevision
    in_force: bool
    on: date

    @property
    def status(self) -> str:
        return self.revision.status.value if self.in_force else "pending"


def catalogue(on: date | datetime) -> list[ProcedureState]:
    """Every procedure's state on ``on``, by code."""
    day = local_date(on)
    in_force = {r.procedure_id: r for r in db.session.scalars(
        select(ProcedureRevision).where(ProcedureRevision.id.in_(_in_force_ids(day))))}
    pending = {r.procedure_id: r for r in db.session.scalars(
        select(ProcedureRevision).where(ProcedureRevision.id.in_(
            _first_ranked(ProcedureRevision.effective > day, EARLIEST_FIRST))))}
    states = []
    for procedure in db.session.scalars(select(Procedure).order_by(Procedure.code)):
        if procedure.id in in_force:
            states.append(ProcedureState(procedure, in_force[procedure.id], True, day))
        elif procedure.id in pending:
            states.append(ProcedureState(procedure, pending[procedure.id], False, day))
    return states


def search_procedures(query: str, on: date | datetime | None = None, limit: int = 50
                      ) -> list[ProcedureRevision]:
    """Procedures in force and accepting dossiers on ``on`` (default: today on the platform
    clock) whose code or name contains ``query`` (case-insensitive), by code."""
    day = local_date(on if on is not None else clock_now())
    stmt = (select(ProcedureRevision)
            .join(Procedure, ProcedureRevision.procedure_id == Procedure.id)
            .options(contains_eager(ProcedureRevision.procedure))
            .where(ProcedureRevision.id.in_(_in_force_ids(day)),
                   ProcedureRevision.status == RevisionStatus.ACTIVE)
            .order_by(Procedure.code))
    text = query.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Procedure.code.ilike(pattern, escape="\\")
                          | ProcedureRevision.name.ilike(pattern, escape="\\"))
    return list(db.session.scalars(stmt.limit(limit)))
