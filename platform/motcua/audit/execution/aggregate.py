"""Execution conformance over many dossiers, per agency, procedure or officer: the period's
dossiers (one query) and their histories (one streamed query, the task rows joined in),
each dossier replayed in Python on its version's model, built once per run.

Counting: a dossier is one *with findings* when it has an error or a warning (a supplement's
clock stop alone is information). ``late_minutes`` sums the working minutes of the late
steps. When an officer is chosen (the ``officer`` filter, or grouping by officer) only the
findings about that officer count — the steps they completed late, the hand-overs they made,
the supplements they asked for — and a dossier counts for each officer who received it or
completed one of its steps; lateness and apologies belong to the dossier, not to one officer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import select

from motcua.audit.execution.filters import Filters
from motcua.audit.execution.findings import Event, Facts, Finding, Names, Rule
from motcua.audit.execution.model import Models
from motcua.audit.execution.operations import FACT_COLUMNS, as_events, events_query
from motcua.audit.execution.replay import replay
from motcua.calendar.operations import load_calendar
from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.errors import Invalid
from motcua.history.models import EventAction
from motcua.org.models import Agency, User

STREAM_ROWS = 2000
# A run replays about 10,000 dossiers a second (bench on 20,000, see the module's report):
# more than this is refused rather than kept waiting for.
MAX_DOSSIERS = 100_000


@dataclass
class Row:
    key: str
    name: str
    dossiers: int = 0
    with_findings: int = 0
    late_steps: int = 0
    late_minutes: int = 0
    outside_model: int = 0
    outside_lane: int = 0
    late_without_apology: int = 0
    clock_stops: int = 0
    multi_supplement: int = 0

    def add(self, findings: list[Finding]) -> None:
        self.dossiers += 1
        self.with_findings += any(f.counts for f in findings)
        for finding in findings:
            rule = finding.rule
            if rule is Rule.LATE_STEP:
                self.late_steps += 1
                self.late_minutes += finding.minutes or 0
            elif rule in (Rule.OUTSIDE_MODEL, Rule.BACK_OUTSIDE_MODEL):
                self.outside_model += 1
            elif rule is Rule.OUTSIDE_LANE:
                self.outside_lane += 1
            elif rule is Rule.LATE_WITHOUT_APOLOGY:
                self.late_without_apology += 1
            elif rule is Rule.CLOCK_STOP:
                self.clock_stops += 1
            elif rule is Rule.MULTI_SUPPLEMENT:
                self.multi_supplement += 1

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIGURES = tuple(f.name for f in fields(Row))[2:]


@dataclass
class Checked:
    """One dossier of the run, the row it counts in (an agency's, procedure's or officer's
    id) and the findings that count there."""

    facts: Facts
    key: int
    findings: list[Finding] = field(default_factory=list)


Visit = Callable[[Checked], None]


def _run(filters: Filters, now: datetime, visit: Visit) -> None:
    """Replay every dossier ``filters`` select; ``visit`` gets each (dossier, row key) with
    the findings that count for that key."""
    where = filters.where()
    facts = {row.id: Facts._make(row) for row in db.session.execute(
        select(*FACT_COLUMNS).where(*where).limit(MAX_DOSSIERS + 1))}
    if len(facts) > MAX_DOSSIERS:
        limit = f"{MAX_DOSSIERS:,}".replace(",", ".")
        raise Invalid(f"Quá {limit} hồ sơ cho một lần kiểm soát", [{
            "field": "from", "message": f"Hơn {limit} hồ sơ: thu hẹp khoảng thời gian hoặc "
                                        "chọn cơ quan, thủ tục"}])
    if not facts:
        return
    models, names, calendar = Models(), Names(), load_calendar()
    # Core rows on the session's own connection (nothing is pending: this only reads):
    # streamed, and without the ORM's per-row bookkeeping, which doubled the fetch's cost.
    db.session.flush()
    rows = db.session.connection().execute(
        events_query(*where).execution_options(yield_per=STREAM_ROWS))
    seen: set[int] = set()
    for dossier_id, group in groupby(as_events(rows), key=lambda e: e.dossier_id):
        events = list(group)
        seen.add(dossier_id)
        _visit(facts[dossier_id], events, filters, models, names, calendar, now, visit)
    for dossier_id in facts.keys() - seen:
        _visit(facts[dossier_id], [], filters, models, names, calendar, now, visit)


def _visit(facts: Facts, events: list[Event], filters: Filters, models: Models, names: Names,
           calendar: Any, now: datetime, visit: Visit) -> None:
    findings = replay(facts, events, models.get(facts.process_version_id), calendar, now, names)
    if filters.group == "officer":
        officers = [filters.officer.id] if filters.officer is not None else _officers(events)
        for officer in officers:
            visit(Checked(facts, officer, _about(findings, officer)))
        return
    if filters.officer is not None:
        findings = _about(findings, filters.officer.id)
    key = facts.agency_id if filters.group == "agency" else facts.procedure_id
    visit(Checked(facts, key, findings))


def _about(findings: Iterable[Finding], officer: int) -> list[Finding]:
    return [f for f in findings if f.officer_id == officer]


def _officers(events: Iterable[Event]) -> list[int]:
    return list(dict.fromkeys(
        e.actor_id for e in events if e.actor_id is not None and e.actor_role != "applicant"
        and e.action in (EventAction.RECEIVED, EventAction.COMPLETED)))


def aggregate(filters: Filters, now: datetime) -> list[Row]:
    """One row per agency, procedure or officer, most dossiers with findings first."""
    rows: dict[int, Row] = {}

    def count(checked: Checked) -> None:
        row = rows.get(checked.key)
        if row is None:
            row = rows[checked.key] = Row("", "")
        row.add(checked.findings)

    _run(filters, now, count)
    for ident, (key, name) in _labels(filters.group, rows).items():
        rows[ident].key, rows[ident].name = key, name
    return sorted(rows.values(), key=lambda r: (-r.with_findings, -r.dossiers, r.key))


@dataclass(frozen=True)
class Listed:
    """A dossier of a row, with the findings that count for that row."""

    code: str
    facts: Facts
    findings: list[Finding]


def dossiers_of(filters: Filters, key: str, now: datetime, limit: int = 500
                ) -> tuple[list[Listed], int]:
    """The dossiers with findings (errors or warnings) of one row (``key``: the agency's,
    procedure's code or the officer's username), at most ``limit``, and how many in all."""
    ident = _ident(filters.group, key)
    found: list[Listed] = []
    total = 0

    def keep(checked: Checked) -> None:
        nonlocal total
        if checked.key != ident:
            return
        if any(f.counts for f in checked.findings):
            total += 1
            if len(found) < limit:
                found.append(Listed(checked.facts.code, checked.facts, checked.findings))

    if ident is not None:
        _run(filters, now, keep)
    return found, total


_LABELS: dict[str, tuple[Any, Any, Any]] = {
    "agency": (Agency.id, Agency.code, Agency.name),
    "procedure": (Procedure.id, Procedure.code, Procedure.name),
    "officer": (User.id, User.username, User.full_name),
}


def _labels(group: str, rows: Iterable[int]) -> dict[int, tuple[str, str]]:
    ident, key, name = _LABELS[group]
    ids = sorted(rows)
    if not ids:
        return {}
    return {r[0]: (r[1], r[2]) for r in db.session.execute(
        select(ident, key, name).where(ident.in_(ids)))}


def _ident(group: str, key: str) -> int | None:
    ident, column, _ = _LABELS[group]
    if "\x00" in key:  # no key holds one, and PostgreSQL refuses to compare with it
        return None
    found: int | None = db.session.scalar(select(ident).where(column == key.strip()))
    return found


def totals(rows: Iterable[Row]) -> Row:
    """The figures of ``rows`` summed (a dossier in two officers' rows counts twice)."""
    total = Row("", "Tổng cộng")
    for row in rows:
        for name in FIGURES:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total
