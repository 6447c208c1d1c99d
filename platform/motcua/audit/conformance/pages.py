"""The conformance pages (under /audit)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit_conformance_pages", __name__, template_folder="../templates")
