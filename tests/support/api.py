"""Driving the HTTP API: a client that logs in as any user (``Api``), valid application data
for the sample procedure (2.000488, Cấp Phiếu lý lịch tư pháp), walking a dossier through its
steps, the contract's error checks, and running requests from several threads at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from motcua.db import db
from support.web import Isolated


class Api:
    """Calls the HTTP API as a given user (bearer tokens, cached per user)."""

    def __init__(self, client: FlaskClient, passwords: dict[str, str]) -> None:
        self.client = client
        self.passwords = passwords
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/v1/auth/token", json={
                "username": username, "password": self.passwords[username]})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, username: str | None, path: str, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if username is not None:
            headers["Authorization"] = f"Bearer {self.token(username)}"
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, username: str | None, path: str, **kwargs: Any) -> Any:
        return self.call("GET", username, path, **kwargs)

    def post(self, username: str | None, path: str, **kwargs: Any) -> Any:
        return self.call("POST", username, path, **kwargs)


PROCEDURE = "2.000488"
ABOLISHED_PROCEDURE = "2.000505"
AGENCY = "000.00.12.H99"  # Sở Tư pháp: competent agency, prefixes the dossier code
UNIT = "000.12.12.H99"  # Phòng Hành chính tư pháp: handling unit
DESK = "000.00.31.H99"  # Trung tâm Phục vụ hành chính công tỉnh: the one-stop desk
COMMUNE_DESK = "000.31.20.H99"

APPLICANT_NAME = "Nguyễn Văn An"
APPLICANT_ID = "001090012345"
APPLICANT_PHONE = "0912345678"
APPLICANT_EMAIL = "nguyen.van.an@example.vn"
APPLICANT_ADDRESS = "Số 7 phố Hàng Bài, phường Mẫu Sơn"
APPLICANT_BIRTH = "1990-05-12"


def application(**overrides: Any) -> dict[str, Any]:
    """Data that passes the start form ``to-khai-ly-lich-tu-phap``."""
    data: dict[str, Any] = {
        "ho_ten": APPLICANT_NAME, "ngay_sinh": APPLICANT_BIRTH, "gioi_tinh": "Nam",
        "so_dinh_danh": APPLICANT_ID, "noi_cu_tru": APPLICANT_ADDRESS,
        "dien_thoai": APPLICANT_PHONE, "email": APPLICANT_EMAIL, "loai_phieu": "Phiếu số 1",
        "so_luong": 1, "muc_dich": "Bổ sung hồ sơ xin việc",
        "nhan_ket_qua": "Tại Bộ phận Một cửa",
    }
    data.update(overrides)
    return data


def applicant() -> dict[str, Any]:
    return {"name": APPLICANT_NAME, "id_number": APPLICANT_ID, "phone": APPLICANT_PHONE,
            "email": APPLICANT_EMAIL, "address": APPLICANT_ADDRESS}


def dossier_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"procedure": PROCEDURE, "channel": "direct", "desk": DESK,
                            "applicant": applicant(), "data": application()}
    body.update(overrides)
    return body


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """The contract's error shape with exactly ``status``; returns the inner error object."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert isinstance(body, dict), response.get_data(as_text=True)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], list), error
    for detail in error["details"]:
        assert isinstance(detail, dict) and "message" in detail, detail
        assert "field" in detail or "element_id" in detail, detail
    return error


def fields_of(error: dict[str, Any]) -> set[str]:
    return {d["field"] for d in error["details"] if "field" in d}


def new_dossier(api: Any, username: str = "mc.lan", **overrides: Any) -> dict[str, Any]:
    response = api.post(username, "/dossiers", json=dossier_body(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def complete(api: Any, username: str, task_id: int, outcome: str | None = None,
             data: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data or {}}
    if outcome is not None:
        body["outcome"] = outcome
    response = api.post(username, f"/tasks/{task_id}/complete", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def only_task(answer: dict[str, Any], key: str = "next_tasks") -> dict[str, Any]:
    tasks = answer[key]
    assert len(tasks) == 1, tasks
    return tasks[0]


def received(api: Any, receiver: str = "mc.lan") -> tuple[str, dict[str, Any]]:
    """A new dossier at the desk: (code, the ready receive task)."""
    dossier = new_dossier(api, receiver)
    task = only_task(dossier, "tasks")
    assert task["step"] == "Task_Receive", task
    return dossier["code"], task


def at_assignment(api: Any) -> tuple[str, dict[str, Any]]:
    """Accepted at the desk: (code, the unit head's assign task)."""
    code, receive = received(api)
    assign = only_task(complete(api, "mc.lan", receive["id"], "accept"))
    assert assign["step"] == "Task_Assign", assign
    return code, assign


def at_examination(api: Any, specialist: str = "cv.mai") -> tuple[str, dict[str, Any]]:
    """Assigned by the unit head to ``specialist``: (code, the examine task)."""
    code, assign = at_assignment(api)
    examine = only_task(complete(api, "tp.hung", assign["id"], None,
                                 {"assignee": specialist, "chi_dao": "Xử lý đúng hạn"}))
    assert examine["step"] == "Task_Examine", examine
    assert examine["assignee"] == specialist, examine
    return code, examine


def task_ids(api: Any, username: str) -> set[int]:
    response = api.get(username, "/tasks")
    assert response.status_code == 200, response.get_json()
    return {t["id"] for t in response.get_json()}


def history(api: Any, code: str, username: str = "ks.nga") -> list[dict[str, Any]]:
    response = api.get(username, f"/dossiers/{code}/history")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def dossier(api: Any, code: str, username: str = "ks.nga") -> dict[str, Any]:
    response = api.get(username, f"/dossiers/{code}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def count(model: Any) -> int:
    db.session.rollback()  # read what is committed now, not a stale snapshot
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def issue_token(client: FlaskClient | Isolated, username: str, password: str) -> str:
    """A fresh token (the Api helper caches one per user; races want one per thread)."""
    response = client.post("/api/v1/auth/token",
                           json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


Call = Callable[[FlaskClient], Any]


def run_together(app: Flask, calls: list[Call], timeout: float = 120) -> list[tuple[int, Any]]:
    """Run each call in its own thread with its own test client, released together by a
    barrier; returns (status, json) per call, in order. Exceptions are re-raised here.

    The requests really run at once, each on a connection of its own: only for tests marked
    ``committed`` (in a rolled-back test they would all share the test's one session)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[int, Any] | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            client = app.test_client()
            barrier.wait(timeout=timeout)
            response = calls[index](client)
            results[index] = (response.status_code, response.get_json(silent=True))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True)
               for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request thread hung"
    if errors:
        raise errors[0]
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]
