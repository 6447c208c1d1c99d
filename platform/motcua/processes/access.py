"""Who may configure a procedure's process: its agency's designers (or an ancestor's)."""

from __future__ import annotations

from motcua.catalog.models import Procedure
from motcua.errors import Forbidden
from motcua.org.models import Agency, User


def can_design(user: User, procedure: Procedure) -> bool:
    if user.has_role("sysadmin"):
        return True
    designer_at = user.agencies_with("designer")
    cursor: Agency | None = procedure.agency
    while cursor is not None:
        if cursor.id in designer_at:
            return True
        cursor = cursor.parent
    return False


def require_designer(user: User, procedure: Procedure) -> None:
    if not can_design(user, procedure):
        raise Forbidden(f"Bạn không phải cán bộ cấu hình quy trình của {procedure.agency.name}")
