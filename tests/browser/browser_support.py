"""Helpers for the headless-Chromium tests: the app served on a free port of its own (own
SQLite file, the shared sample province or the demo one, a fake clock), Chromium from Debian
(never a downloaded browser), one browser context per officer, and full-page screenshots."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from motcua.app import create_app
from motcua.clock import set_clock
from motcua.db import db
from support.clock import FakeClock
from support.paths import REPO, SAMPLES
from support.web import PASSWORDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run"]
DESK = {"width": 1366, "height": 768}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def screenshot_dir() -> Path:
    path = Path(os.environ.get("MOTCUA_SCREENSHOTS") or REPO / "test-artifacts" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def fresh_shots(folder: str = "") -> Shots:
    """The screenshot folder (a sub-folder of it for ``folder``), emptied of earlier shots."""
    directory = screenshot_dir() / folder if folder else screenshot_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("[0-9][0-9]-*.png"):
        old.unlink()
    return Shots(directory)


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


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable),
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(WSGIRequestHandler):
    """Keeps the access log out of the test output; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def load_sample(app: Flask) -> dict[str, str]:
    """The shared sample province (H99) and its process for 2.000488; the users' passwords."""
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
    return dict(PASSWORDS)


def load_demo_province(app: Flask) -> dict[str, str]:
    """The demo province (H42) with the project's own process library (bpmn/, forms/): long
    procedure names, nested application forms, several papers per procedure."""
    from motcua.demo.loader import DATA, load_demo

    with app.app_context():
        load_demo(date(2026, 3, 1))
        db.session.commit()
    org = json.loads((DATA / "org.json").read_text(encoding="utf-8"))
    return {u["username"]: u["password"] for u in org["users"]}


@dataclass
class LiveServer:
    app: Flask
    url: str
    clock: FakeClock
    passwords: dict[str, str]


@contextmanager
def live_server(tmp: Path, clock: FakeClock,
                load: Callable[[Flask], dict[str, str]] = load_sample) -> Iterator[LiveServer]:
    """A dedicated app on its own SQLite file, served by werkzeug in a daemon thread."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/browser.sqlite3",
                      "INSTANCE_PATH": str(tmp / "instance")})
    with app.app_context():
        upgrade()
    passwords = load(app)
    set_clock(app, clock)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True,
                                         request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server",
                              daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", clock, passwords)
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
    passwords: dict[str, str] = field(default_factory=lambda: dict(PASSWORDS))

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def shot(self, name: str) -> Path:
        return self.shots.take(self.page, f"{self.username}-{name}")

    def login(self, password: str | None = None) -> None:
        self.go("/login")
        self.page.fill("#username", self.username)
        self.page.fill("#password", password or self.passwords[self.username])
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
        scroll = page.evaluate("[window.scrollX, window.scrollY]")
        page.screenshot(path=str(path), full_page=True)
        # A full-page shot of a page taller than a few screens leaves Chromium scrolled where
        # its hit-testing no longer matches what Playwright measures: a click then lands on
        # the wrong element. Putting the scroll back where it was avoids that.
        page.evaluate("([x, y]) => window.scrollTo(x, y)", scroll)
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
        officer = Officer(context.new_page(), username, self.server.url, self.shots,
                          self.server.passwords)
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


def open_from_worklist(officer: Officer, code: str, step: str) -> None:
    """Worklist → claim the dossier's step from the list if nobody has → its task page."""
    page = officer.page
    click_and_wait(officer, "header nav >> text=Công việc")
    row = page.locator("table.worklist tbody tr", has_text=code).filter(has_text=step)
    assert row.count() == 1, f"{step} of {code} not in {officer.username}'s worklist"
    officer.shot("worklist")
    claim = row.locator("button", has_text="Nhận xử lý")
    if claim.count():
        with page.expect_navigation():
            claim.click()
        assert page.locator(".flash", has_text=f"Đã nhận xử lý hồ sơ {code}").count() == 1
        row = page.locator("table.worklist tbody tr", has_text=code).filter(has_text=step)
        assert "Tôi đang xử lý" in row.inner_text()
    with page.expect_navigation():
        row.locator("a", has_text=code).click()
    assert page.locator("h1").inner_text() == step
    officer.shot("task")


def finish(officer: Officer, outcome: str | None = None) -> None:
    """The step's outcome button (its only button without ``outcome``): done, or the standard
    document it issued, opened to be printed."""
    selector = (f"form.eform button[name=outcome][value={outcome}]" if outcome
                else "form.eform .outcomes button[type=submit]")
    click_and_wait(officer, selector)
    if "/documents/" in officer.page.url:
        officer.shot(f"done-{outcome or 'step'}-document")
        return
    done = officer.page.locator(".flash.success", has_text="Đã hoàn thành")
    assert done.count() == 1, officer.page.content()
    officer.shot(f"done-{outcome or 'step'}")


def send_back(officer: Officer, outcome: str = "back") -> None:
    """A send-back outcome, confirmed in the browser's dialog."""
    officer.page.once("dialog", lambda dialog: dialog.accept())
    click_and_wait(officer, f"form.eform button[name=outcome][value={outcome}]")
    assert officer.page.locator(".flash.success", has_text="Đã trả lại hồ sơ").count() == 1, (
        officer.page.content())
    officer.shot(f"done-{outcome}")
