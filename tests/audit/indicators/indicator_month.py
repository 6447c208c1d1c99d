"""A small, explicit month of dossiers (March 2026) for the indicators' arithmetic: every
case the formulas tell apart, once, and the figures expected of them worked out by hand
(``EXPECTED``), not by the code. ``conftest.month`` makes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from support.clock import local

SO_TU_PHAP = "000.00.12.H99"
PHONG = "000.12.12.H99"  # under Sở Tư pháp
XA = "000.00.20.H99"
MARCH = "from=2026-03-01&to=2026-03-31"

# Two more procedures of Sở Tư pháp in force from 1 March: one partly online, one not at all.
EXTRA_DECISION = {
    "decision": {"number": "102/QĐ-UBND", "date": "2026-02-20", "effective": "2026-03-01",
                 "issuer": "UBND tỉnh Mẫu"},
    "procedures": [
        {"action": "new", "code": "9.000001", "name": "Thủ tục một phần trực tuyến",
         "agency": SO_TU_PHAP, "handling_unit": PHONG, "time_limit": "5d",
         "online_level": "partial"},
        {"action": "new", "code": "9.000002", "name": "Thủ tục không trực tuyến",
         "agency": SO_TU_PHAP, "handling_unit": PHONG, "time_limit": "5d",
         "online_level": "none"},
    ],
}


@dataclass(frozen=True)
class Case:
    """One dossier as the indicators should see it (local times; None: not set)."""

    received: datetime
    due: datetime | None
    finished: datetime | None
    status: str
    minutes: int = 0
    supplements: int = 0
    channel: str = "direct"
    agency: str = SO_TU_PHAP
    procedure: str = "2.000488"
    files: tuple[str, ...] = ()


D = 480  # working minutes a day
CASES: dict[str, Case] = {
    # Finished in March with an appointment: early, on time (same day), late, and one
    # finished before its appointment but after two supplement requests (late).
    "early": Case(local(2026, 3, 2, 9), local(2026, 3, 16, 17), local(2026, 3, 10, 10),
                  "returned", 5 * D, channel="online", files=("dossier", "result")),
    "on_time": Case(local(2026, 3, 3, 9), local(2026, 3, 17, 10), local(2026, 3, 17, 9),
                    "returned", 10 * D, files=("dossier",)),
    "late": Case(local(2026, 3, 4, 9), local(2026, 3, 18, 10), local(2026, 3, 19, 15),
                 "returned", 12 * D, files=("dossier", "dossier")),
    "two_supplements": Case(local(2026, 3, 4, 10), local(2026, 3, 25, 10),
                            local(2026, 3, 20, 10), "returned", 8 * D, supplements=2),
    # Received in February, finished early in March.
    "from_february": Case(local(2026, 2, 20, 9), local(2026, 3, 6, 17), local(2026, 3, 5, 9),
                          "returned", 10 * D, files=("result",)),
    # Still open at the end of March: past its appointment (received in March, and in
    # January), and not yet due.
    "open_late": Case(local(2026, 3, 5, 9), local(2026, 3, 20, 9), None, "processing",
                      channel="online"),
    "open_late_january": Case(local(2026, 1, 15, 9), local(2026, 1, 29, 9), None,
                              "processing"),
    "open_in_time": Case(local(2026, 3, 25, 9), local(2026, 4, 8, 9), None, "processing",
                         files=("result",)),
    # Refused at the desk: no appointment, not judged.
    "refused": Case(local(2026, 3, 6, 9), None, local(2026, 3, 6, 10), "refused"),
    # Received and finished in February: outside the month.
    "february": Case(local(2026, 2, 10, 9), local(2026, 2, 25, 9), local(2026, 2, 20, 9),
                     "returned", 8 * D, files=("dossier", "result")),
    # A procedure not offered online (2.000505's revision is "none").
    "offline_procedure": Case(local(2026, 3, 9, 9), None, None, "received",
                              procedure="2.000505"),
    # Another agency (the commune): counts for the province, not for Sở Tư pháp.
    "commune_late": Case(local(2026, 3, 10, 9), local(2026, 3, 11, 9), local(2026, 3, 12, 9),
                         "returned", 2 * D, agency=XA),
}

# By hand, for Sở Tư pháp over March, measured at the end of March:
# settled (finished in March with an appointment): early, on_time, late, two_supplements,
#   from_february = 5; of which in time: early, on_time, from_february = 3;
#   open past due at the end: open_late, open_late_january = 2 → on time 3 / 7.
# handling time: (5 + 10 + 12 + 8 + 10) days / 5 settled = 9 days.
# received in March: early, on_time, late, two_supplements, open_late, open_in_time,
#   refused, offline_procedure = 8; of procedures offered online: 7 (not offline_procedure);
#   online: early, open_late = 2 → 2 / 7.
# digitised dossiers (≥1 "dossier" file, received in March): early, on_time, late = 3 / 8.
# results (finished in March, returned): early, on_time, late, two_supplements,
#   from_february = 5; with a "result" file: early, from_february = 2 → 2 / 5.
# procedures in force (active) on 31 March: 2.000488 full, 9.000001 partial, 9.000002 none
#   → online 2 / 3, full 1 / 3.
EXPECTED = {
    "on_time": (3, 7), "handling_days": (45 * D, 5), "online_submission": (2, 7),
    "digitised_dossiers": (3, 8), "digitised_results": (2, 5), "procedures_online": (2, 3),
    "procedures_full_online": (1, 3),
}
# The province adds the commune: its late dossier (settled, not in time; received in
# March, online procedure 1.001193, direct), and 1.001193 (full) in force.
EXPECTED_PROVINCE = {
    "on_time": (3, 8), "handling_days": (47 * D, 6), "online_submission": (2, 8),
    "digitised_dossiers": (3, 9), "digitised_results": (2, 6), "procedures_online": (3, 4),
    "procedures_full_online": (2, 4),
}
NUMERATOR_ROWS = {
    "on_time": {"early", "on_time", "from_february"},
    "online_submission": {"early", "open_late"},
    "digitised_dossiers": {"early", "on_time", "late"},
    "digitised_results": {"early", "from_february"},
    "handling_days": {"early", "on_time", "late", "two_supplements", "from_february"},
}
