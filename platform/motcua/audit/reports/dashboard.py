"""The leader's dashboard: this month's receptions, what is open and past due now, the
on-time rate of the year, the trend of the last twelve months, the ranking of the agencies
below, and the dossiers past due now (the first of them, oldest appointment first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from motcua.audit.reports.periodic import trend_period
from motcua.audit.reports.statistics import Row, Statistics, StatsQuery, statistics, today
from motcua.clock import now
from motcua.db import db
from motcua.documents.book import Period
from motcua.dossiers import timing
from motcua.dossiers.access import subtree
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency

PAST_DUE_LISTED = 20


@dataclass(frozen=True)
class Dashboard:
    agency: Agency | None
    year: Statistics  # 1 January to today, by agency below
    trend: Statistics  # the last twelve months, by month
    past_due: list[Dossier]

    @property
    def this_month(self) -> Row:
        return self.trend.rows[-1]

    @property
    def open_now(self) -> int:
        # The year's period ends today: its open dossiers are those open now.
        return self.year.total.figures["in_progress"]

    @property
    def past_due_now(self) -> int:
        return self.year.total.figures["in_progress_late"]


def dashboard(agency: Agency | None) -> Dashboard:
    day = today()
    year = statistics(StatsQuery(agency, None, Period(date(day.year, 1, 1), day), "agency"))
    trend = statistics(StatsQuery(agency, None, trend_period(day), "month"))
    return Dashboard(agency, year, trend, past_due(agency, PAST_DUE_LISTED))


def past_due(agency: Agency | None, limit: int) -> list[Dossier]:
    """Open dossiers past their appointment now, the longest overdue first."""
    moment = now()
    stmt = (select(Dossier).where(timing.handled_at().is_(None), timing.late_open_at(moment))
            .options(joinedload(Dossier.procedure), joinedload(Dossier.agency))
            .order_by(Dossier.first_due_at.is_(None), Dossier.first_due_at, Dossier.id)
            .limit(limit))
    if agency is not None:
        stmt = stmt.where(Dossier.agency_id.in_(subtree({agency.id})))
    return list(db.session.scalars(stmt))
