"""The conformance API (under /api/v1/audit)."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("audit_conformance", __name__, description="Kiểm soát TTHC: conformance")
