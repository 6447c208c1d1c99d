"""A request's body, read once before any view. JSON: nested past what the parser follows,
or with an integer literal past Python's 4,300 digits, is a 400 (webargs, which parses it
again, expects neither RecursionError nor that ValueError); a value no database stores (NUL,
half a UTF-16 pair, NaN, an infinity) is a 422 naming where it sits, before it reaches a
query or a JSON column. A form: NUL or half a UTF-16 pair in a field's key or value, or in
an uploaded file's name, is a 422 naming the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest as UnreadableJson

from motcua.errors import BadRequest, Invalid
from motcua.storable import BAD_CHARACTER, character_words, escaped, unstorable

_CHECKED = "motcua.json_body_checked"


def json_body() -> Any:
    """The request's JSON, ``None`` when it is not JSON (Flask keeps it parsed, and the walk
    for what no database stores is made once per request)."""
    # A JSON content type with no body at all (a browser's fetch of a POST without one)
    # is no body, as it was before the parse became strict.
    if not request.is_json or not request.get_data(cache=True):
        return None
    try:
        body = request.get_json()
    except RecursionError:
        raise BadRequest("Nội dung JSON lồng nhau quá sâu") from None
    except UnreadableJson:
        raise BadRequest("Không đọc được nội dung JSON: sai cú pháp, hoặc có số nguyên dài "
                         "quá 4.300 chữ số") from None
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


def refuse_bad_characters(pairs: Iterable[tuple[str | None, str]], where: str) -> None:
    """A 422 naming the first key that holds, or whose value holds, NUL or half a UTF-16
    pair; ``where`` words the place ("Tham số", "Trường biểu mẫu")."""
    for named, value in pairs:
        # Werkzeug gives a multipart part whose name it cannot read the name None.
        key = named or ""
        for text in (key, value):
            if (found := BAD_CHARACTER.search(text)) is not None:
                field = BAD_CHARACTER.sub(lambda m: escaped(m.group()), key)
                message = f"{where} {field} chứa {character_words(found.group())}"
                raise Invalid(message, [{"field": field, "message": message}])


def refuse_unreadable_body() -> None:
    if request.is_json:
        json_body()
        return
    refuse_bad_characters(request.form.items(multi=True), "Trường biểu mẫu")
    files = request.files.items(multi=True)
    refuse_bad_characters(((key, file.filename or "") for key, file in files),
                          "Tên tệp tải lên ở trường")
