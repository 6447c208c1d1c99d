"""Public lookup: a code typed in or read from the receipt's QR gives status and dates only,
never personal data."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from motcua.dossiers.operations import lookup
from motcua.errors import NotFound
from motcua.web import bp

MAX_CODE = 64


@bp.route("/lookup")
def lookup_form() -> Any:
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("web.lookup_result", code=code[:MAX_CODE]))
    return render_template("web/lookup.html", dossier=None, code="")


@bp.route("/lookup/<code>")
def lookup_result(code: str) -> Any:
    try:
        dossier = lookup(code[:MAX_CODE])
    except NotFound:
        return render_template("web/lookup.html", dossier=None, code=code, missing=True), 404
    return render_template("web/lookup.html", dossier=dossier, code=dossier.code)
