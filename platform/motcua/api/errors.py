"""The contract's error shape: {"error": {"code", "message", "details"}} for every API error."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from motcua.errors import AppError

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported",
          422: "invalid", 429: "too_many_requests"}


def error_response(exc: AppError) -> Response:
    response = jsonify(exc.as_dict())
    response.status_code = exc.status
    return response


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


class MotcuaApi(Api):
    def handle_http_exception(self, error: HTTPException) -> Any:
        status = error.code or 500
        if not request.path.startswith("/api/") \
                and request.accept_mimetypes.best != "application/json":
            from motcua.web import render_http_error

            return render_http_error(status)
        details: list[dict[str, Any]] = []
        data = getattr(error, "data", None)
        if data and "messages" in data:
            messages = data["messages"]
            # Drop the location level ("json", "form", "files", "query").
            if isinstance(messages, dict) and len(messages) == 1:
                messages = next(iter(messages.values()))
            details = _flatten(messages)
        message = (
            "Dữ liệu không hợp lệ" if status == 422 else (error.description or error.name)
        )
        if status == 400 and not details:
            message = "Không đọc được yêu cầu (JSON hoặc biểu mẫu sai định dạng)"
        body = {"error": {"code": _CODES.get(status, "error"), "message": message,
                          "details": details}}
        response = jsonify(body)
        response.status_code = status
        return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def app_error(exc: AppError) -> Any:
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return error_response(exc)
        from motcua.web import render_error

        return render_error(exc)
