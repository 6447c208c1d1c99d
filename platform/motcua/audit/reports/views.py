"""The reports API (under /api/v1/audit)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("audit_reports", __name__, description="Kiểm soát TTHC: reports")
