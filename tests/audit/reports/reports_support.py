"""The month of dossiers the reports' tests count by hand: each dossier of ``SHAPES`` is
received through the API, then its dates, status, channel, agency and counters are shaped
directly on its row (``shape``); ``MARCH`` holds its figures for March 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency
from support.clock import local

SO_TU_PHAP = "000.00.12.H99"
PHONG = "000.12.12.H99"  # below Sở Tư pháp
XA = "000.00.20.H99"  # UBND xã Đông Hải, beside Sở Tư pháp under the province
OTHER_PROCEDURE = "1.001193"


@dataclass(frozen=True)
class Shape:
    received: datetime
    finished: datetime | None = None
    due: datetime | None = None
    status: str = "processing"
    channel: str = "direct"
    supplements: int = 0
    apologies: int = 0
    agency: str = SO_TU_PHAP
    procedure: str | None = None


# The dossiers, and what each one is in March 2026 (period 01/03–31/03, local days).
SHAPES: dict[str, Shape] = {
    # carried over from February, finished 05/03, a day before its appointment: early
    "A": Shape(local(2026, 2, 20, 9), local(2026, 3, 5, 10), local(2026, 3, 6, 17), "returned"),
    # online, finished on its appointment's day: on time
    "B": Shape(local(2026, 3, 2, 9), local(2026, 3, 10, 15), local(2026, 3, 10, 17), "returned",
               "online"),
    # by post, finished after its appointment: late, with an apology
    "C": Shape(local(2026, 3, 3, 9), local(2026, 3, 20, 10), local(2026, 3, 12, 17), "returned",
               "postal", apologies=1),
    # two supplement requests: late though finished well before its appointment
    "D": Shape(local(2026, 3, 4, 9), local(2026, 3, 9, 10), local(2026, 3, 30, 17), "returned",
               supplements=2),
    # refused at reception, no appointment: handled, not judged; another procedure
    "E": Shape(local(2026, 3, 5, 9), local(2026, 3, 5, 11), None, "refused",
               procedure=OTHER_PROCEDURE),
    # stopped before its appointment: early
    "F": Shape(local(2026, 3, 6, 9), local(2026, 3, 25, 10), local(2026, 4, 20, 17), "stopped"),
    # open at the end of March, past its appointment; handled by the unit below Sở Tư pháp
    "G": Shape(local(2026, 3, 10, 9), None, local(2026, 3, 25, 17), agency=PHONG),
    # received 23:30 local on the last day: March's; open and within its appointment
    "H": Shape(local(2026, 3, 31, 23, 30), None, local(2026, 4, 14, 17), supplements=1),
    # received 00:10 local on 1 April: not March's
    "I": Shape(local(2026, 4, 1, 0, 10), None, None, "received"),
    # received and finished in February: not in March at all
    "J": Shape(local(2026, 2, 10, 9), local(2026, 2, 25, 10), local(2026, 2, 26, 17), "returned"),
    # carried over, still open and past due; the commune's
    "K": Shape(local(2026, 2, 25, 9), None, local(2026, 3, 10, 17), agency=XA),
}

MARCH = {
    "carried_over": 2,  # A, K
    "received": 7, "received_online": 1, "received_postal": 1, "received_direct": 5,
    "handled": 6,  # A B C D E F
    "early": 2, "on_time": 1, "late": 2, "unjudged": 1,
    "returned": 4, "refused": 1, "stopped": 1,
    "in_progress": 3, "in_progress_on_time": 1, "in_progress_late": 2,  # G H K
    "supplements": 3, "apologies": 1,
}
NOW = local(2026, 4, 10, 10, 0)


def shape(dossier: Dossier, how: Shape) -> None:
    agency = db.session.scalar(select(Agency).where(Agency.code == how.agency))
    assert agency is not None
    dossier.agency_id = agency.id
    if how.procedure:
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == how.procedure))
        assert procedure is not None
        dossier.procedure_id = procedure.id
    dossier.received_at, dossier.finished_at = how.received, how.finished
    dossier.first_due_at = dossier.due_at = how.due
    dossier.status, dossier.channel = how.status, how.channel  # type: ignore[assignment]
    dossier.supplement_count, dossier.apology_count = how.supplements, how.apologies
