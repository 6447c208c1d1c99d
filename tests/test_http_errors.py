"""One decision for every kind of error: the contract's JSON under /api/ or for a client
asking for JSON, the Vietnamese error page otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm.exc import StaleDataError

from motcua.db import db
from support.web import Browser, Isolated

JSON = {"Accept": "application/json"}


def _is_contract_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error: dict[str, Any] = response.get_json()["error"]
    assert error["code"] == code and error["message"] and isinstance(error["details"], list)
    return error


def _is_page(response: Any, status: int, phrase: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert phrase in response.get_data(as_text=True)


def test_werkzeug_errors(app: Flask) -> None:
    client = Isolated(app.test_client())
    _is_page(client.get("/no-such-page"), 404, "Không tìm thấy trang")
    _is_contract_error(client.get("/no-such-page", headers=JSON), 404, "not_found")
    _is_contract_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_domain_errors(app: Flask, sample: Any) -> None:
    browser = Browser(app, "mc.lan")
    _is_page(browser.get("/dossiers/KHONG-CO"), 404, "Không có hồ sơ KHONG-CO")
    _is_contract_error(browser.get("/dossiers/KHONG-CO", headers=JSON), 404, "not_found")


def test_csrf_failures(app: Flask, sample: Any) -> None:
    client = Isolated(app.test_client())
    form = {"username": "mc.lan", "password": "x"}
    _is_page(client.post("/login", data=form), 400, "Phiên làm việc đã hết hạn")
    error = _is_contract_error(client.post("/login", data=form, headers=JSON), 400,
                               "bad_request")
    assert error["message"] == "Thiếu hoặc sai mã CSRF"


def test_a_conflict_found_at_commit(app: Flask, sample: Any,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def changed_meanwhile() -> None:
        raise StaleDataError("changed meanwhile")

    monkeypatch.setattr(db.session, "commit", changed_meanwhile)
    client = Isolated(app.test_client())
    _is_page(client.get("/login"), 409, "vừa được người khác cập nhật")
    error = _is_contract_error(client.get("/api/v1/openapi.json"), 409, "conflict")
    assert "vừa được người khác cập nhật" in error["message"]
