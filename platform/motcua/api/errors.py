"""The API object: flask-smorest makes its ``handle_http_exception`` the handler for every
werkzeug ``HTTPException``, so it hands them to ``motcua.http_errors``, which decides between
the contract's JSON error and the error page."""

from __future__ import annotations

from flask import Response
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from motcua.http_errors import http_error_reply


class MotcuaApi(Api):
    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_error_reply(error)
