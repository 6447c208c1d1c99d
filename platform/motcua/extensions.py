"""The Flask extension instances, made here and bound to an application by ``create_app``.

Modules that need one (the API exempts its blueprints from CSRF and checks it for cookie
sessions) import it from here rather than from ``motcua.app``, which imports them. The
flask-smorest ``Api`` is not among them: it keeps one OpenAPI document for one application,
and a process may build several (the tests build one per database), so ``register_api``
makes one per application."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
migrate = Migrate()
