"""The reports pages (under /audit)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit_reports_pages", __name__, template_folder="../templates")
