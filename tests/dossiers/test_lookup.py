"""The public lookup (API and page): a code found whatever its case and the spaces around it,
only the contract's fields answered, and a rate limit per client address that answers 429
with ``Retry-After`` and lets the address go on once its window has passed."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from motcua.dossiers.codes import typed_code
from support.api import Api, assert_error, new_dossier
from support.web import Isolated, text

LOOKUP_FIELDS = {"code", "procedure", "status", "received_at", "due_at", "current_step"}


def _as_typed(code: str) -> list[str]:
    """The code as people type or paste it: lower case, spaces, NBSP, ideographic space,
    a zero-width space from a chat, full-width digits."""
    full_width = code.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    return [code.lower(), f"  {code}  ", f"\u00a0{code.lower()}\u3000", f"\u200b {code}\t",
            f"\ufeff{code.swapcase()}\u200b", full_width]


def test_a_code_is_found_in_any_case_and_with_spaces_around(app: Flask, sample: Any,
                                                             api: Api) -> None:
    code = new_dossier(api)["code"]
    assert code == code.upper()
    client = Isolated(app.test_client())
    for typed in _as_typed(code):
        answer = client.get(f"/api/v1/lookup/{quote(typed)}")
        assert answer.status_code == 200, (typed, answer.get_json())
        assert answer.get_json()["code"] == code
        page = client.get(f"/lookup/{quote(typed)}")
        assert page.status_code == 200 and code in text(page), typed
        form = client.get("/lookup", query_string={"code": typed})
        assert form.status_code == 302 and form.headers["Location"] == f"/lookup/{code}", typed
    for other in (f"{code}1", f"{code[:-1]}", f"{code} x", "\ud800", "a" * 1000):
        assert_error(client.get(f"/api/v1/lookup/{quote(other, errors='surrogatepass')}"), 404)
        assert client.get(f"/lookup/{quote(other, errors='surrogatepass')}").status_code == 404


def test_typed_code_keeps_inner_characters() -> None:
    assert typed_code(" 000.00.12.h99-260302-0001\u00a0") == "000.00.12.H99-260302-0001"
    assert typed_code("a b") == "A B"  # inside the code, a space is not dropped


def test_the_lookup_answers_the_contract_fields_only(app: Flask, sample: Any, api: Api) -> None:
    code = new_dossier(api)["code"]
    answer = Isolated(app.test_client()).get(f"/api/v1/lookup/{code}").get_json()
    assert set(answer) == LOOKUP_FIELDS


@pytest.fixture
def tiny_window(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "LOOKUP_LIMITS_PER_ADDRESS", "2/second")
    app.extensions.pop("motcua_lookup_throttle", None)


def _from(address: str) -> dict[str, Any]:
    return {"environ_overrides": {"REMOTE_ADDR": address}}


def test_lookups_over_the_limit_answer_429_until_the_window_passes(
        app: Flask, sample: Any, api: Api, tiny_window: None) -> None:
    code = new_dossier(api)["code"]
    client = Isolated(app.test_client())
    started = time.monotonic()
    # Found or not, API or page: each lookup counts against the address.
    assert client.get(f"/api/v1/lookup/{code}", **_from("10.0.0.1")).status_code == 200
    assert client.get("/lookup/KHONG-CO", **_from("10.0.0.1")).status_code == 404
    refused = client.get(f"/api/v1/lookup/{code}", **_from("10.0.0.1"))
    error = assert_error(refused, 429)
    assert error["code"] == "too_many_requests" and "thử lại sau" in error["message"]
    assert refused.headers["Retry-After"] == "1"
    page = client.get(f"/lookup/{code}", **_from("10.0.0.1"))
    assert page.status_code == 429 and page.headers["Retry-After"] == "1"
    assert page.mimetype == "text/html" and "Tra cứu quá nhiều lần" in text(page)
    # Another address has its own budget.
    assert client.get(f"/api/v1/lookup/{code}", **_from("10.0.0.2")).status_code == 200
    assert time.monotonic() - started < 1, "too slow for a one-second window"
    time.sleep(1.05)
    assert client.get(f"/api/v1/lookup/{code}", **_from("10.0.0.1")).status_code == 200


def test_the_default_limit_is_read_from_the_environment() -> None:
    from motcua.config import ConfigError, load_settings

    settings = load_settings({"TESTING": True},
                             env={"MOTCUA_LOOKUP_LIMITS_PER_ADDRESS": "5/minute"})
    assert settings.flask_config()["LOOKUP_LIMITS_PER_ADDRESS"] == "5/minute"
    assert load_settings({"TESTING": True}, env={}).flask_config()[
        "LOOKUP_LIMITS_PER_ADDRESS"] == "30/minute;300/hour"
    with pytest.raises(ConfigError, match="LOOKUP_LIMITS_PER_ADDRESS"):
        load_settings({"TESTING": True}, env={"MOTCUA_LOOKUP_LIMITS_PER_ADDRESS": "often"})
