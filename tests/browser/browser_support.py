"""Helpers for the headless-Chromium tests: the app served on a free port of its own (own
SQLite file, the shared sample province, a fake clock), Chromium from Debian (never a
downloaded browser), one browser context per officer, and full-page screenshots."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from conftest import REPO, SAMPLES, FakeClock
from motcua.app import create_app
from motcua.clock import set_clock
from motcua.db import db
from webutil import PASSWORDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run"]
DESK = {"width": 1366, "height": 768}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def screenshot_dir() -> Path:
    path = Path(os.environ.get("MOTCUA_SCREENSHOTS") or REPO / "test-artifacts" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def require_chromium() -> Path:
    """Debian's Chromium, or fail (skip only when MOTCUA_SKIP_BROWSER=1 says so)."""
    executable = CHROMIUM if CHROMIUM.exists() else None
    if executable is None:
        found = shutil.which("chromium")
        executable = Path(found) if found else None
    if executable is None:
        message = "Chromium is missing (/usr/bin/chromium): run `make system-packages`"
        if os.environ.get("MOTCUA_SKIP_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    return executable


class _QuietHandler(WSGIRequestHandler):
    """Keeps the access log out of the test output; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _load_sample(app: Flask) -> None:
    from motcua.catalog.operations import import_decision
    from motcua.org.operations import import_org
    from motcua.processes.operations import FormFile, upload_and_publish

    with app.app_context():
        import_org(json.loads((SAMPLES / "org.json").read_text(encoding="utf-8")))
        text = (SAMPLES / "decision.json").read_text(encoding="utf-8")
        import_decision(json.loads(text), text)
        forms = [FormFile(p.name, p.read_bytes())
                 for p in sorted((SAMPLES / "forms").glob("*.json"))]
        bpmn = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"
        upload_and_publish("2.000488", bpmn.read_bytes(), bpmn.name, forms,
                           datetime(2026, 1, 1, tzinfo=UTC).date())
        db.session.commit()


@dataclass
class LiveServer:
    app: Flask
    url: str
    clock: FakeClock


@contextmanager
def live_server(tmp: Path, clock: FakeClock) -> Iterator[LiveServer]:
    """A dedicated app on its own SQLite file, served by werkzeug in a daemon thread."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/browser.sqlite3",
                      "INSTANCE_PATH": str(tmp / "instance")})
    with app.app_context():
        upgrade()
    _load_sample(app)
    set_clock(app, clock)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True,
                                         request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server",
                              daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", clock)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@dataclass
class Officer:
    """One user in a browser context of their own (own cookies), numbering screenshots."""

    page: Any
    username: str
    base: str
    shots: Shots

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def shot(self, name: str) -> Path:
        return self.shots.take(self.page, f"{self.username}-{name}")

    def login(self, password: str | None = None) -> None:
        self.go("/login")
        self.page.fill("#username", self.username)
        self.page.fill("#password", password or PASSWORDS[self.username])
        self.shot("login")
        with self.page.expect_navigation():
            self.page.click("form.card button[type=submit]")


@dataclass
class Shots:
    """Full-page PNGs named NN-user-page.png, numbered in the order they were taken."""

    directory: Path
    taken: list[Path] = field(default_factory=list)

    def take(self, page: Any, name: str) -> Path:
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


def scroll_overflow(page: Any) -> int:
    """How far the page is wider than its viewport (0 when nothing overflows sideways)."""
    return int(page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def small_pdf() -> bytes:
    """A minimal but well-formed one-page PDF (a scanned form's stand-in)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


class Actors:
    """Opens a fresh browser context (own cookies) per officer and closes them all."""

    def __init__(self, browser: Any, server: LiveServer, shots: Shots) -> None:
        self.browser, self.server, self.shots = browser, server, shots
        self.contexts: list[Any] = []

    def new(self, username: str, *, phone: bool = False, javascript: bool = True,
            login: bool = True) -> Officer:
        options: dict[str, Any] = dict(PHONE) if phone else {"viewport": DESK}
        context = self.browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                           java_script_enabled=javascript, **options)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        officer = Officer(context.new_page(), username, self.server.url, self.shots)
        if login:
            officer.login()
        return officer

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def click_and_wait(officer: Officer, selector: str) -> None:
    with officer.page.expect_navigation():
        officer.page.click(selector)


def add_row(page: Any, path: str, *, javascript: bool = True) -> None:
    """"Thêm dòng" of an e-form list: forms.js adds the row in the page; without JavaScript
    the button posts the form and the server draws it again with the row added."""
    button = f"button[value='add:{path}']"
    if javascript:
        page.click(button)
        return
    with page.expect_navigation():
        page.click(button)
