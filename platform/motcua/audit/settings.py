"""The province's audit settings: each has a default here and may be overridden by a row of
``audit_setting`` (set by an auditor or a system administrator on the settings page)."""

from __future__ import annotations

from typing import Any

from motcua.audit.models import AuditSetting
from motcua.db import db
from motcua.org.models import User

DEFAULTS: dict[str, Any] = {
    # Working days a province allows between a decision taking effect and the electronic
    # process being updated to it (Hà Tĩnh 3, Thanh Hóa 5).
    "process_update_days": 5,
    # The periodic report's calendar: "weekly", "monthly", "quarterly", "half_year" or
    # "dates" with "report_dates" (day/month the period ends: Hậu Giang 30/6 and 30/11).
    "report_period": "monthly",
    "report_dates": ["30/6", "30/11"],
    # Decision 766's five groups, in points out of 100 (as seen in practice, 18/20/22/22/18).
    "index_weights": {"publicity": 18, "progress": 20, "digitisation": 22, "online": 22,
                      "satisfaction": 18},
}


def setting(key: str) -> Any:
    row = db.session.get(AuditSetting, key)
    return row.value if row is not None else DEFAULTS[key]


def put_setting(key: str, value: Any, user: User, at: Any) -> None:
    """Callers validate ``value`` first (see the settings page)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(AuditSetting, key)
    if row is None:
        row = AuditSetting(key=key)
        db.session.add(row)
    row.value, row.updated_at, row.updated_by_id = value, at, user.id
    db.session.flush()
