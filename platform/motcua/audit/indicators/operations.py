"""Decision 766 indicators for one agency (with every agency below it) or the whole province
over one period: every dossier figure in one aggregate query over the period's dossiers
(a ``FILTER`` count or sum per numerator and denominator), every procedure figure in a second
one over the catalogue in force at the period's end; and the rows behind a numerator.

Who reads what is ``audit.scope``'s: auditors any agency or the province, leaders and admins
their agency and the agencies below it; another agency is 404, any other officer 403."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from motcua.audit.indicators.formulas import (
    BY_KEY,
    INDICATORS,
    Counted,
    GroupScore,
    Indicator,
    Total,
    Window,
    group_scores,
    offered_online,
)
from motcua.audit.scope import agency_in_scope, readable_agencies
from motcua.audit.settings import setting
from motcua.calendar.working_time import TZ
from motcua.catalog.models import Procedure, ProcedureRevision
from motcua.db import db, without_jit
from motcua.documents.book import Period, parse_period
from motcua.dossiers.access import subtree
from motcua.dossiers.models import Dossier
from motcua.errors import NotFound, field_error
from motcua.org.models import Agency, User

# The agency a row belongs to, per kind of row counted.
_AGENCY = {Counted.DOSSIERS: Dossier.agency_id, Counted.PROCEDURES: ProcedureRevision.agency_id}
_TABLE = {Counted.DOSSIERS: Dossier, Counted.PROCEDURES: ProcedureRevision}


@dataclass(frozen=True)
class Scope:
    """The agency asked for (None: the whole province) and the agencies its figures cover
    (None: all)."""

    agency: Agency | None
    agency_ids: set[int] | None


def scope_for(user: User, agency_code: str | None) -> Scope:
    agency = agency_in_scope(user, agency_code)
    return Scope(agency, subtree({agency.id}) if agency is not None else None)


def period_of(start: str | None, end: str | None, now: datetime) -> Period:
    """The period from the query's ``from``/``to`` (default: the current month); 422 naming
    the field when a date cannot be read or the period has not begun."""
    period = parse_period(start, end, now.astimezone(TZ).date())
    if period.bounds[0] > now:
        raise field_error("from", "Kỳ đánh giá chưa bắt đầu")
    return period


def window(period: Period, now: datetime) -> Window:
    start, end = period.bounds
    online = frozenset(db.session.scalars(offered_online(period.end)))
    return Window(start, end, min(end, now), period.end, online)


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    numerator: int | None
    denominator: int | None
    value: float | None


@dataclass(frozen=True)
class Report:
    scope: Scope
    period: Period
    measured_at: datetime
    figures: list[Figure]
    groups: list[GroupScore]
    total: Total

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.indicator.key == key)


def report(user: User, agency_code: str | None, start: str | None, end: str | None,
           now: datetime) -> Report:
    scope = scope_for(user, agency_code)
    period = period_of(start, end, now)
    w = window(period, now)
    counted: dict[str, tuple[int, int]] = {}
    for kind in Counted:
        counted.update(_aggregate(kind, w, scope.agency_ids))
    figures = []
    for indicator in INDICATORS:
        numerator, denominator = counted.get(indicator.key, (None, None))
        figures.append(Figure(indicator, numerator, denominator,
                              indicator.value(numerator, denominator)))
    groups, total = group_scores({f.indicator.key: f.value for f in figures},
                                 setting("index_weights"))
    return Report(scope, period, w.measured_at, figures, groups, total)


def _aggregate(kind: Counted, w: Window, agency_ids: set[int] | None
               ) -> dict[str, tuple[int, int]]:
    """Numerator and denominator of every indicator counting ``kind``, in one query over the
    rows some denominator takes (each numerator's rows are among its denominator's)."""
    indicators = [i for i in INDICATORS if i.counts is kind]
    columns: list[ColumnElement[Any]] = []
    for indicator in indicators:
        assert indicator.numerator is not None and indicator.denominator is not None
        numerator = indicator.numerator(w)
        if indicator.summed is not None:
            columns.append(func.coalesce(func.sum(indicator.summed).filter(numerator), 0))
        else:
            columns.append(func.count().filter(numerator))
        columns.append(func.count().filter(indicator.denominator(w)))
    stmt = select(*columns).select_from(_TABLE[kind]).where(
        or_(*(i.denominator(w) for i in indicators if i.denominator is not None)))
    if agency_ids is not None:
        stmt = stmt.where(_AGENCY[kind].in_(agency_ids))
    # JIT compiled this wide aggregate (two FILTER clauses per indicator) for seconds.
    with without_jit():
        row = db.session.execute(stmt).one()
    return {indicator.key: (int(row[2 * n]), int(row[2 * n + 1]))
            for n, indicator in enumerate(indicators)}


# --- The rows behind a numerator ----------------------------------------------------------

@dataclass(frozen=True)
class Rows:
    indicator: Indicator
    scope: Scope
    period: Period
    items: list[dict[str, Any]]
    total: int


def indicator_for(key: str) -> Indicator:
    indicator = BY_KEY.get(key)
    if indicator is None:
        raise NotFound(f"Không có chỉ số {key}")
    return indicator


def numerator_rows(user: User, key: str, agency_code: str | None, start: str | None,
                   end: str | None, now: datetime, limit: int, offset: int) -> Rows:
    """The dossiers (or procedures) an indicator's numerator counts, oldest first."""
    scope = scope_for(user, agency_code)
    indicator = indicator_for(key)
    period = period_of(start, end, now)
    if indicator.counts is None or indicator.numerator is None:
        return Rows(indicator, scope, period, [], 0)
    condition = indicator.numerator(window(period, now))
    if scope.agency_ids is not None:
        condition = condition & _AGENCY[indicator.counts].in_(scope.agency_ids)
    stmt = (_dossier_rows(condition) if indicator.counts is Counted.DOSSIERS
            else _procedure_rows(condition))
    total = db.session.scalar(select(func.count()).select_from(_TABLE[indicator.counts])
                              .where(condition)) or 0
    items = [dict(row._mapping) for row in db.session.execute(stmt.limit(limit).offset(offset))]
    return Rows(indicator, scope, period, items, total)


def _dossier_rows(condition: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return (select(Dossier.code, Procedure.code.label("procedure"),
                   Procedure.name.label("procedure_name"),
                   Dossier.applicant_name.label("applicant"), Dossier.received_at,
                   Dossier.finished_at, Dossier.first_due_at, Dossier.status,
                   Dossier.clocked_minutes)
            .join(Procedure, Dossier.procedure_id == Procedure.id)
            .where(condition).order_by(Dossier.received_at, Dossier.id))


def _procedure_rows(condition: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return (select(Procedure.code, ProcedureRevision.name, ProcedureRevision.online_level,
                   Agency.name.label("agency"))
            .join(Procedure, ProcedureRevision.procedure_id == Procedure.id)
            .join(Agency, ProcedureRevision.agency_id == Agency.id)
            .where(condition).order_by(Procedure.code))


def agencies_readable(user: User) -> list[Agency]:
    """The agencies ``user`` may pick, by code (every agency for auditors)."""
    allowed = readable_agencies(user)
    stmt = select(Agency).order_by(Agency.code)
    if allowed is not None:
        stmt = stmt.where(Agency.id.in_(allowed))
    return list(db.session.scalars(stmt))
