"""The reports pages (under /audit)."""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from motcua.audit.charts import TEMPLATE_GLOBALS

bp = Blueprint("audit_reports_pages", __name__, template_folder="../templates")


@bp.record_once
def _chart_globals(state: BlueprintSetupState) -> None:
    # audit/_charts.html calls the chart functions; any audit page may import it.
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS)
