"""An API request's JSON body, read once before any view: a body nested past what the
parser follows is a 400 (webargs, which parses it again, does not expect RecursionError),
and a value no database stores (NUL, half a UTF-16 pair, NaN, an infinity) is a 422 naming
where it sits, before it reaches a query or a JSON column."""

from __future__ import annotations

from typing import Any

from flask import request

from motcua.errors import BadRequest, Invalid
from motcua.storable import unstorable

_CHECKED = "motcua.json_body_checked"


def json_body() -> Any:
    """The request's JSON, ``None`` when it is not JSON (Flask keeps it parsed, and the walk
    for what no database stores is made once per request)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise BadRequest("Nội dung JSON lồng nhau quá sâu") from None
    # Kept on the request itself: an app context, and its ``g``, may outlive one request.
    if request.environ.get(_CHECKED):
        return body
    request.environ[_CHECKED] = True
    if (bad := unstorable(body)) is not None:
        where = f"dòng {bad.line} có" if bad.line else "chứa"
        message = f"Nội dung {where} {bad.message}"
        raise Invalid(message, [{"field": bad.path or "json", "message": message,
                                 **({"line": bad.line} if bad.line else {})}])
    return body


def refuse_unreadable_body() -> None:
    if request.is_json:
        json_body()
