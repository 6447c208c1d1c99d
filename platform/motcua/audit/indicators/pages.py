"""The indicators pages (under /audit)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit_indicators_pages", __name__, template_folder="../templates")
