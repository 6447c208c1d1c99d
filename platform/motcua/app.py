"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, g
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.middleware.proxy_fix import ProxyFix

from motcua.audit.access import register_access_log
from motcua.config import load_settings
from motcua.db import db
from motcua.engine.runtime import VersionCache
from motcua.errors import Conflict
from motcua.extensions import csrf, migrate
from motcua.history.maintenance import register_sqlite_function
from motcua.http_errors import error_reply, register_error_handlers
from motcua.input_guard import register_input_guard
from motcua.security_headers import register_security_headers

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; raises ConfigError at once on missing or wrong settings."""
    settings = load_settings(config)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        static_folder=str(Path(__file__).resolve().parents[2] / "web" / "static"),
    )
    app.config.update(settings.flask_config())
    # First: its converter must be in place before any rule is added, its hook before CSRF's.
    register_input_guard(app)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # Only then is request.remote_addr (the login throttle's address) taken from
        # X-Forwarded-For; without it anyone could claim any address.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    # First, so that its after_request hook runs last, on the response finally sent.
    register_security_headers(app)
    app.extensions["motcua_versions"] = VersionCache()

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)

    _register_models()
    from motcua.api import register_api
    from motcua.audit import register_audit
    from motcua.cli import register_cli
    from motcua.design import register_design
    from motcua.web import register_web

    register_api(app, extra=register_design(app) + register_audit(app))
    register_web(app)
    from motcua.documents import register_documents
    register_documents(app)
    from motcua.dossiers.sweep import register_sweep
    register_sweep(app)
    register_cli(app)
    register_error_handlers(app)
    _one_transaction_per_request(app)
    # After the transaction's hooks, so that it runs before the commit.
    register_access_log(app)
    return app


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers go on while one request writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    register_sqlite_function(dbapi_connection)


def _register_models() -> None:
    # Import every model module so metadata (and Alembic) sees all tables.
    import motcua.audit.models
    import motcua.calendar.models
    import motcua.catalog.models
    import motcua.design.models
    import motcua.dossiers.models
    import motcua.history.models
    import motcua.org.models
    import motcua.processes.models
    import motcua.tasks.models  # noqa: F401


def _one_transaction_per_request(app: Flask) -> None:
    """Operations only flush; the request commits here, or rolls back on any error (files
    written meanwhile go with the rollback: see ``motcua.dossiers.attachments``)."""

    @app.after_request
    def commit(response: Response) -> Response:
        if response.status_code >= 400 or g.get("rollback_only"):
            db.session.rollback()
            _keep_after_rollback()
            return response
        try:
            db.session.commit()
        except (StaleDataError, IntegrityError):
            db.session.rollback()
            return error_reply(
                Conflict("Hồ sơ vừa được người khác cập nhật, vui lòng tải lại và thử lại")
            )
        return response

    def _keep_after_rollback() -> None:
        # Records a refused request must leave all the same (the auditors' access log).
        kept = g.pop("kept_after_rollback", [])
        if kept:
            db.session.add_all(kept)
            try:
                db.session.commit()
            except SQLAlchemyError:
                # The refusal itself is the answer; a database that failed the request may
                # fail this too, and must not turn the refusal into a 500.
                db.session.rollback()
                app.logger.exception("records of a refused request not kept")

    @app.teardown_request
    def rollback(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()
