"""How an error reaches the client, decided in one place: the contract's JSON error
``{"error": {"code", "message", "details"}}`` under /api/ or for a client that asks for JSON,
the Vietnamese error page otherwise. Domain errors, werkzeug's own (unknown page, wrong method,
too large, unreadable body), a missing CSRF token and a conflict found at commit all come
through ``error_reply``.

The page is the template ``web/error.html``, rendered by name: the page shell lives in
``web/``, which nothing below it imports."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from motcua.errors import AppError, BadRequest

ERROR_PAGE = "web/error.html"

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported",
          422: "invalid", 429: "too_many_requests"}

# What the page says for werkzeug's errors; the API keeps werkzeug's own description.
_PAGE_MESSAGES = {
    400: "Yêu cầu không hợp lệ", 403: "Bạn không có quyền truy cập trang này",
    404: "Không tìm thấy trang", 405: "Trang này không nhận thao tác đó",
    413: "Dữ liệu gửi lên quá lớn: mỗi lần gửi tối đa 20 MB, hãy chia nhỏ tệp đính kèm",
    429: "Quá nhiều yêu cầu, vui lòng thử lại sau",
}
_PAGE_FALLBACK = "Hệ thống gặp lỗi, vui lòng thử lại"


class HttpError(AppError):
    """An error with any status, for werkzeug's exceptions that have no domain class."""

    def __init__(self, status: int, message: str,
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, details)
        self.status = status
        self.code = _CODES.get(status, "error")


def wants_json() -> bool:
    """The API always answers JSON; a page answers JSON only to a client that asks for it."""
    return (request.path.startswith("/api/")
            or request.accept_mimetypes.best == "application/json")


def error_response(exc: AppError) -> Response:
    """The contract's JSON error."""
    response = jsonify(exc.as_dict())
    response.status_code = exc.status
    return response


def error_page(exc: AppError) -> Response:
    """The error page, with the error's status."""
    return make_response(render_template(ERROR_PAGE, error=exc), exc.status)


def error_reply(exc: AppError, page_message: str | None = None) -> Response:
    """JSON or the page, as the request wants; ``page_message`` words it for a person
    at a browser when the API's message is meant for a program."""
    if wants_json():
        return error_response(exc)
    if page_message is not None:
        exc = HttpError(exc.status, page_message)
    return error_page(exc)


def http_error_reply(error: HTTPException) -> Response:
    """Werkzeug's exceptions (and webargs' 422 with its messages) in the same shapes."""
    status = error.code or 500
    details: list[dict[str, Any]] = []
    data = getattr(error, "data", None)
    if data and "messages" in data:
        messages = data["messages"]
        # Drop the location level ("json", "form", "files", "query").
        if isinstance(messages, dict) and len(messages) == 1:
            messages = next(iter(messages.values()))
        details = _flatten(messages)
    message = "Dữ liệu không hợp lệ" if status == 422 else (error.description or error.name)
    if status == 400 and not details:
        message = "Không đọc được yêu cầu (JSON hoặc biểu mẫu sai định dạng)"
    return error_reply(HttpError(status, message, details),
                       page_message=_PAGE_MESSAGES.get(status, _PAGE_FALLBACK))


def _flatten(messages: Any, prefix: str = "") -> list[dict[str, Any]]:
    """webargs/marshmallow nest messages by location and field; the contract wants a flat
    list of {field, message}."""
    details: list[dict[str, Any]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            details.extend(_flatten(value, name))
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            details.extend({"field": prefix or "_body", "message": m} for m in messages)
        else:
            for index, value in enumerate(messages):
                details.extend(_flatten(value, f"{prefix}[{index}]"))
    else:
        details.append({"field": prefix or "_body", "message": str(messages)})
    return details


def register_error_handlers(app: Flask) -> None:
    """Domain errors and CSRF failures; werkzeug's other exceptions reach
    ``http_error_reply`` through the API object (``motcua.api.errors.MotcuaApi``), which
    flask-smorest makes the handler for every ``HTTPException``."""

    @app.errorhandler(AppError)
    def app_error(exc: AppError) -> Response:
        return error_reply(exc)

    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> Response:
        return error_reply(BadRequest("Thiếu hoặc sai mã CSRF"),
                           page_message="Phiên làm việc đã hết hạn hoặc biểu mẫu đã cũ: vui "
                                        "lòng tải lại trang rồi gửi lại.")
