"""The API object: flask-smorest makes its ``handle_http_exception`` the handler for every
werkzeug ``HTTPException``, so it hands them to ``motcua.http_errors``, which decides between
the contract's JSON error and the error page.

It also keeps the OpenAPI document honest about errors: one component schema ``Error`` with
the contract's shape, and each operation lists the errors it can give (``ErrorResponses``
below for those every operation of its kind gives, ``may_answer`` on a view for its own)
instead of flask-smorest's ``default`` answer, which would make any status conform."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from apispec import BasePlugin
from flask import Response
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from motcua.api.fields import LocalDateTime
from motcua.http_errors import http_error_reply

F = TypeVar("F", bound=Callable[..., Any])

# The contract's error body (contract: api.md, *Errors*); ``details`` name the field (or the
# BPMN element) each message is about, some with more keys (line, severity, rule ...).
ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "details"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "description": "bad_request, unauthorized, forbidden, "
                     "not_found, conflict, too_large, invalid, too_many_requests ..."},
            "message": {"type": "string"},
            "details": {"type": "array", "items": {
                "type": "object",
                "required": ["message"],
                "properties": {
                    "field": {"type": "string",
                              "description": "tên trường, ví dụ applicant.name hoặc data.ho_ten"},
                    "element_id": {"type": "string",
                                   "description": "phần tử BPMN (lỗi kiểm tra quy trình)"},
                    "message": {"type": "string"},
                },
            }},
        },
    }},
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}

_DESCRIPTIONS = {
    400: "Không đọc được yêu cầu (JSON hoặc biểu mẫu sai định dạng, ký tự không hợp lệ)",
    401: "Chưa đăng nhập, token sai hoặc hết hạn",
    403: "Không có quyền (vai trò hoặc cơ quan)",
    404: "Không tìm thấy (hoặc không thuộc phạm vi được xem)",
    409: "Xung đột: dữ liệu vừa được người khác cập nhật",
    413: "Dữ liệu gửi lên quá lớn",
    415: "Kiểu nội dung không được hỗ trợ",
    422: "Dữ liệu không hợp lệ; details nêu từng trường",
    429: "Quá nhiều yêu cầu, thử lại sau",
}


def may_answer(*statuses: int) -> Callable[[F], F]:
    """Documents errors a view gives beyond those every operation of its kind gives
    (``ErrorResponses``): a 404 for a thing named in the query, a 429 from a throttle."""
    doc: Callable[[F], F] = Blueprint.doc(
        responses={str(s): HTTPStatus(s).name for s in statuses})
    return doc


class ErrorResponses(BasePlugin):
    """Lists on each operation the errors any operation like it can give: 400 (unreadable
    body, characters refused in any string), 401 (a wrong bearer token, even on public
    endpoints), 422 (a value refused); 403 once a user is needed; 404 with a path parameter;
    409 (a conflict found at commit) and 413 for writes. Public endpoints need no token."""

    def operation_helper(self, path: str | None = None,
                         operations: dict[str, Any] | None = None, **kwargs: Any) -> None:
        from motcua.api import PUBLIC_ENDPOINTS

        rule: Rule | None = kwargs.get("rule")
        public = rule is not None and rule.endpoint in PUBLIC_ENDPOINTS
        for method, operation in (operations or {}).items():
            statuses = {400, 401, 422}
            if not public:
                statuses.add(403)
            if rule is not None and rule.arguments:
                statuses.add(404)
            if method != "get":
                statuses |= {409, 413}
            if public:
                operation["security"] = []
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(str(status), HTTPStatus(status).name)


class MotcuaApi(Api):
    ERROR_SCHEMA = ERROR_REF
    # Each operation lists its errors; a ``default`` answer would make any status conform.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_error_reply(error)

    def _init_spec(self, **kwargs: Any) -> None:
        kwargs["extra_plugins"] = [*kwargs.get("extra_plugins", ()), ErrorResponses()]
        super()._init_spec(**kwargs)
        self.spec.components.schema("Error", ERROR_BODY)
        self.register_field(LocalDateTime, "string", "date-time")

    def _register_responses(self) -> None:
        """A response per status (flask-smorest's lazy ones, with the contract's error
        body and a Vietnamese description), each in the document only where referenced."""
        for status in HTTPStatus:
            response: dict[str, Any] = {
                "description": _DESCRIPTIONS.get(status.value, status.phrase)}
            if status >= 400:
                response["content"] = {"application/json": {"schema": ERROR_REF}}
            self.spec.components.response(status.name, response, lazy=True)

    def _register_doc_blueprint(self) -> None:
        """The document describes itself too: every rule under /api/v1 is in it."""
        super()._register_doc_blueprint()
        endpoint = f"{self._make_doc_blueprint_name()}.openapi_json"
        if endpoint in self._app.view_functions:  # not without OPENAPI_URL_PREFIX
            rule = next(self._app.url_map.iter_rules(endpoint))
            self.spec.path(rule=rule, operations={"get": {
                "summary": "Tài liệu OpenAPI này", "tags": ["api-docs"],
                "responses": {"200": {"description": "OK", "content": {
                    "application/json": {"schema": {"type": "object"}}}}}}})
