"""Who reads what in the audit: auditors (and system administrators) read the whole province;
a leader or admin reads the statistics and indicators of their agency and the agencies below
it. Everyone else gets 403 on the audit's pages and API."""

from __future__ import annotations

from sqlalchemy import select

from motcua.db import db
from motcua.dossiers.access import PROVINCE_WIDE, subtree
from motcua.errors import Forbidden, NotFound
from motcua.org.models import Agency, User

AGENCY_HEADS = ("leader", "admin")


def is_province_wide(user: User) -> bool:
    return user.has_role(*PROVINCE_WIDE)


def require_auditor(user: User) -> None:
    if not is_province_wide(user):
        raise Forbidden("Chỉ cán bộ kiểm soát thủ tục hành chính được xem nội dung này")


def readable_agencies(user: User) -> set[int] | None:
    """None: every agency (auditors); else the agencies whose figures ``user`` may read."""
    if is_province_wide(user):
        return None
    heads = user.agencies_with(*AGENCY_HEADS)
    if not heads:
        raise Forbidden("Chỉ kiểm soát TTHC và lãnh đạo cơ quan được xem số liệu thống kê")
    return subtree(heads)


def agency_in_scope(user: User, code: str | None) -> Agency | None:
    """The agency asked for (None: the whole province, for auditors; a leader's own agency
    when they lead one). An agency outside the reader's scope is absent (404)."""
    allowed = readable_agencies(user)
    if not code:
        if allowed is None:
            return None
        heads = sorted(user.agencies_with(*AGENCY_HEADS))
        return db.session.get(Agency, heads[0])
    # No code holds a NUL, and PostgreSQL refuses to compare with one.
    agency = (db.session.scalar(select(Agency).where(Agency.code == code.strip()))
              if "\x00" not in code else None)
    if agency is None or (allowed is not None and agency.id not in allowed):
        raise NotFound(f"Không tìm thấy cơ quan {code[:32]}")
    return agency
