"""Input no view should have to think about, refused in one place before any view runs.

- An integer path part (``<int:...>``) past the INTEGER columns every id lives in is a 404,
  like any id that names nothing, instead of PostgreSQL's "integer out of range" or SQLite's
  driver failing to bind past 2**63 - 1.
- NUL and half a UTF-16 pair (``motcua.storable.BAD_CHARACTER``) in the path, a query key or
  value, a form field's key or value, or an uploaded file's name: a 422 naming where it sits.
  No database stores them, and PostgreSQL refuses them even in a query's parameters.
- A query string whose bytes are not UTF-8 (werkzeug decodes it strictly): a 400 instead
  of a UnicodeDecodeError wherever it was first read.

The body (JSON or form) goes through ``motcua.api.bodies.refuse_unreadable_body``: here for
pages, and for the API after its user is known (an anonymous caller learns nothing about
its body first)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map
from werkzeug.utils import cached_property

from motcua.api.bodies import refuse_bad_characters, refuse_unreadable_body
from motcua.db import INTEGER_MAX
from motcua.errors import BadRequest, Invalid
from motcua.storable import BAD_CHARACTER, character_words

API_PREFIX = "/api/"
_DIGITS = len(str(INTEGER_MAX)) + 1  # a sign, or a leading zero


class IdConverter(IntegerConverter):
    """``<int:...>`` bounded to an INTEGER column (32 bits on PostgreSQL; SQLite's 64 bits
    hold every such id too). flask-smorest documents the bound as the parameter's maximum."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = INTEGER_MAX, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
        self.lowest = min if min is not None else -INTEGER_MAX - 1 if signed else 0
        self.highest = max if max is not None else INTEGER_MAX

    def to_python(self, value: str) -> Any:
        # NotFound, not werkzeug's ValidationError: that one makes the other methods of the
        # same path answer 405 instead. And no int() of thousands of digits (it raises).
        number = int(value) if len(value) <= _DIGITS else None
        if number is None or not self.lowest <= number <= self.highest:
            raise NotFound()
        return super().to_python(value)


class GuardedRequest(Request):
    """Flask's request, except that a query string whose bytes are not UTF-8 reads as
    empty and says so in ``undecodable_query`` (which ``refuse_bad_input`` refuses) instead
    of raising wherever it is first read, the error page included. (Werkzeug reads such a
    form body as an empty form, and such cookies as latin-1.)"""

    undecodable_query = False

    @cached_property
    def args(self) -> MultiDict[str, str]:
        try:
            return super().args
        except UnicodeDecodeError:
            self.undecodable_query = True
            return self.parameter_storage_class()


def refuse_bad_input() -> None:
    """Before any other hook: the path and the query string for every request, the body for
    pages (the API's waits for its user: ``motcua.api``)."""
    if (found := BAD_CHARACTER.search(request.path)) is not None:
        message = f"Địa chỉ chứa {character_words(found.group())}"
        raise Invalid(message, [{"field": "path", "message": message}])
    refuse_bad_characters(request.args.items(multi=True), "Tham số")
    if getattr(request, "undecodable_query", False):
        raise BadRequest("Địa chỉ có tham số không phải văn bản UTF-8")
    if not request.path.startswith(API_PREFIX):
        refuse_unreadable_body()


def register_input_guard(app: Flask) -> None:
    """Before the blueprints (their rules bind the converter when added) and before any
    other ``before_request`` hook (CSRF's reads the form)."""
    app.request_class = GuardedRequest
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_bad_input)
