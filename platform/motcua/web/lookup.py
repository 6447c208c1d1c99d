"""Public lookup: a code typed in or read from the receipt's QR gives status and dates only,
never personal data."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from motcua.dossiers.codes import MAX_CODE, typed_code
from motcua.dossiers.lookup import lookup
from motcua.dossiers.lookup_throttle import refuse_if_throttled
from motcua.errors import NotFound
from motcua.web import bp


@bp.route("/lookup")
def lookup_form() -> Any:
    code = _shown(typed_code(request.args.get("code", "")))
    if code:
        return redirect(url_for("web.lookup_result", code=code))
    return render_template("web/lookup.html", dossier=None, code="")


@bp.route("/lookup/<code>")
def lookup_result(code: str) -> Any:
    refusal = refuse_if_throttled()
    if refusal is not None:
        return refusal
    try:
        dossier = lookup(code)
    except NotFound:
        return render_template("web/lookup.html", dossier=None, code=_shown(typed_code(code)),
                               missing=True), 404
    return render_template("web/lookup.html", dossier=dossier, code=dossier.code)


def _shown(code: str) -> str:
    """What the page may echo of a typed code: cut to a code's length, without what cannot
    be written out (a lone surrogate) or shown (control characters)."""
    code = code[:MAX_CODE].encode("utf-8", "replace").decode("utf-8")
    return "".join(ch for ch in code if ch.isprintable())
