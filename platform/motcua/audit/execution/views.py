"""The execution API (under /api/v1/audit)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("audit_execution", __name__, description="Kiểm soát TTHC: execution")
