"""The auditors' capability: checking processes and dossiers against the published
decisions, tamper evidence of the history, statistics, reports and Decision 766 indicators.
It only reads the other domains; its own tables are the access log, the signed tree heads
and its settings. Nothing imports it but ``app.py``."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Blueprint


def register_audit(app: Flask) -> tuple[Blueprint, ...]:
    """Mount the audit's pages and command line; answer its API blueprints for the API."""
    from motcua.audit.conformance import pages as conformance_pages
    from motcua.audit.conformance import views as conformance_views
    from motcua.audit.execution import pages as execution_pages
    from motcua.audit.execution import views as execution_views
    from motcua.audit.indicators import pages as indicator_pages
    from motcua.audit.indicators import views as indicator_views
    from motcua.audit.integrity import pages as integrity_pages
    from motcua.audit.integrity import views as integrity_views
    from motcua.audit.integrity.cli import audit_group
    from motcua.audit.integrity.seal import seal_yesterday
    from motcua.audit.pages import bp
    from motcua.audit.reports import pages as report_pages
    from motcua.audit.reports import views as report_views
    from motcua.audit.settings_pages import bp as settings_bp
    from motcua.audit.views import blp

    app.cli.add_command(audit_group)
    # Run by ``motcua worker`` each round; it seals yesterday's head once, when missing.
    app.extensions.setdefault("motcua_daily_jobs", []).append(seal_yesterday)
    app.register_blueprint(bp)
    app.register_blueprint(settings_bp)
    for module in (conformance_pages, execution_pages, indicator_pages, integrity_pages,
                   report_pages):
        app.register_blueprint(module.bp)
    return (blp, *(module.blp for module in (conformance_views, execution_views,
                                             indicator_views, integrity_views, report_views)))
