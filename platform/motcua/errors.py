"""Domain errors: raised by operations, turned into the contract's JSON errors by the
API and into a one-line reason by the CLI."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class Invalid(AppError):
    """Readable input whose content is wrong; ``details`` says where."""

    status, code = 422, "invalid"


def field_error(field: str, message: str) -> Invalid:
    return Invalid(message, [{"field": field, "message": message}])


class TooManyRequests(AppError):
    status, code = 429, "too_many_requests"
