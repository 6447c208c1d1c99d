"""Browser-session helpers for page tests: sign in through the login form, read the CSRF
token a page carries."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from support.paths import SAMPLES, load_json, passwords

_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


class Isolated:
    """A test client whose every request runs in a thread of its own, so it gets its own
    application context (a fresh ``flask.g``) as in production. The database session stays
    the test's one (``support.database.rolled_back``), so the request sees the test's rows.

    Needed because the ``app`` fixture keeps one application context open in the test's
    thread: requests made from that thread reuse it, so ``g.user`` (set by the API's
    authentication hook and never reset) and Flask-WTF's cached ``g.csrf_token`` leak from
    one request to the next. An "unauthenticated" request after an authenticated one, or a
    login after another login, would then test the harness instead of the application."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def _run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        with ThreadPoolExecutor(max_workers=1) as pool:
            response = pool.submit(fn, *args, **kwargs).result(timeout=120)
        response.get_data()  # read the body now, and release what it streamed from
        response.close()
        return response

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._run(self.client.get, *args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        return self._run(self.client.post, *args, **kwargs)

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return self._run(self.client.open, *args, **kwargs)


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token hidden input on the page"
    return match.group(1)


def sign_in(client: FlaskClient | Isolated, username: str, password: str) -> str:
    """Log in with the form (as a browser does) and return a CSRF token for later posts."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "username": username,
                                           "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_from(client.get("/").get_data(as_text=True))


def as_form(data: Any, prefix: str = "data") -> dict[str, str]:
    """Flatten JSON data to the input names a browser posts: ``data.rows[0].name``."""
    fields: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            fields.update(as_form(value, f"{prefix}.{key}"))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            fields.update(as_form(value, f"{prefix}[{index}]"))
    elif isinstance(data, bool):
        fields[prefix] = "true" if data else "false"
    elif data is not None:
        fields[prefix] = str(data)
    return fields


# The shared sample province's accounts (the ``sample`` fixture publishes its procedure).
PASSWORDS = passwords(load_json(SAMPLES / "org.json")["users"])


class Browser:
    """One signed-in user of the sample province, with their own cookie jar."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client = Isolated(app.test_client())
        self.csrf = sign_in(self.client, username, PASSWORDS[username])

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


def text(response: Any) -> str:
    return response.get_data(as_text=True)
