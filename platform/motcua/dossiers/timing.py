"""What "early", "on time" and "late" mean for a whole dossier, written once as SQL over the
dossier's own columns, for the statistics, the indicators and the search filter alike.

A dossier is judged when it was handled (``handled_at``: its result was ready, or it ended
without one: refused, stopped; returning the result to the applicant is not counted in the
legal time limit) against ``first_due_at``, the appointment printed on its latest receipt
(an apology never moves it; after a complete supplement the clock restarted from zero, so the
citizen's supplement time is not counted). As in ``WorkingCalendar.timing``: finished after
it is late; on an earlier local day than it, early; else on time. More than one supplement
request makes a dossier late whatever its dates (Decision 766, as a public specification
reads it: see ``indicators.formulas``), even with no appointment left: one stopped or refused
while waiting for its second supplement has none (the clock stopped) and is late, as it was
while open. A dossier still open is late once its appointment has passed; any other dossier
with no appointment (no time limit, or refused before it had one) is not judged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, literal, or_

from motcua.db import is_postgresql
from motcua.dossiers.models import Dossier, DossierStatus
from motcua.history.models import Timing

# Statuses of a dossier whose handling is over (done: the result is ready).
HANDLED = (DossierStatus.DONE, DossierStatus.RETURNED, DossierStatus.REFUSED,
           DossierStatus.STOPPED)


def local_date(column: Any) -> ColumnElement[object]:
    """The local (Asia/Ho_Chi_Minh, UTC+7 all year) calendar day of a UTC timestamp."""
    if is_postgresql():
        return cast(func.timezone("Asia/Ho_Chi_Minh", column), Date)
    return func.date(column, "+7 hours")


def handled_at() -> ColumnElement[datetime | None]:
    """When the dossier was handled: its result ready, else its end."""
    return func.coalesce(Dossier.result_at, Dossier.finished_at)


def too_many_supplements() -> ColumnElement[bool]:
    return Dossier.supplement_count > 1


def finished_late() -> ColumnElement[bool]:
    return and_(handled_at().is_not(None), or_(
        too_many_supplements(),
        and_(Dossier.first_due_at.is_not(None), handled_at() > Dossier.first_due_at)))


def judged() -> ColumnElement[bool]:
    """A finished dossier that is early, on time or late (see the module's rules)."""
    return or_(Dossier.first_due_at.is_not(None), too_many_supplements())


def finished_early() -> ColumnElement[bool]:
    return and_(handled_at().is_not(None), Dossier.first_due_at.is_not(None),
                ~too_many_supplements(), handled_at() <= Dossier.first_due_at,
                local_date(handled_at()) < local_date(Dossier.first_due_at))


def finished_on_time() -> ColumnElement[bool]:
    return and_(handled_at().is_not(None), Dossier.first_due_at.is_not(None),
                ~too_many_supplements(), handled_at() <= Dossier.first_due_at,
                local_date(handled_at()) >= local_date(Dossier.first_due_at))


def open_at(moment: datetime) -> ColumnElement[bool]:
    """Received before ``moment`` and not handled by then."""
    return and_(Dossier.received_at < moment,
                or_(handled_at().is_(None), handled_at() >= moment))


def late_open_at(moment: datetime) -> ColumnElement[bool]:
    """Open at ``moment`` with its appointment passed (or more than one supplement request)."""
    return and_(open_at(moment), or_(
        and_(Dossier.first_due_at.is_not(None), Dossier.first_due_at < moment),
        too_many_supplements()))


def is_late(moment: datetime) -> ColumnElement[bool]:
    """Late as of ``moment``: finished late, or still open past its appointment."""
    return or_(and_(handled_at().is_not(None), handled_at() < moment,
                    finished_late()),
               late_open_at(moment))


def timing_of_finished() -> ColumnElement[str | None]:
    """``early`` / ``on_time`` / ``late`` for a finished dossier that is ``judged()``."""
    return case((finished_late(), literal(Timing.LATE.value)),
                (finished_early(), literal(Timing.EARLY.value)),
                (finished_on_time(), literal(Timing.ON_TIME.value)),
                else_=None)
