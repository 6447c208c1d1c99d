"""``kill -9`` of the real server (``motcua serve``) in the middle of a burst of completions and
uploads, once on each database. After a restart: every request that was answered with success
is durable (its task completed; its attachment row there, with its file and the uploaded
bytes' SHA-256), nothing is half-written (every row's file whole, the dossiers' file counters
right, every dossier able to go on, the history's hash chains intact by ``motcua audit
verify``), and once the worker has swept no file is left without its row."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from motcua.app import create_app
from motcua.db import db
from motcua.dossiers.attachments import store_root
from motcua.dossiers.models import Attachment, AttachmentKind, Dossier
from motcua.tasks.models import OPEN_STATES, Task, TaskState
from support.api import PROCEDURE, dossier_body
from support.database import database_of_its_own
from support.paths import SAMPLES, load_json, passwords
from support.sample import load_province

REPO = Path(__file__).resolve().parents[2]
MOTCUA = [sys.executable, "-c", "from motcua.cli import main; main()"]
DOSSIERS = 24
UPLOADS_PER_DOSSIER = 2
UPLOAD_BYTES = 768 * 1024
THREADS = 8
# What a client sees of a server killed under it: a refused or reset connection, a cut answer.
CUT_OFF = (OSError, http.client.HTTPException)
_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')

pytestmark = pytest.mark.slow


# ------------------------------------------------------------------ a server, over HTTP

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One HTTP client with its cookies (a browser, or an API caller with a token)."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token
        self.cookies: dict[str, str] = {}

    def call(self, method: str, path: str, body: bytes | None = None,
             content_type: str | None = None) -> tuple[int, dict[str, str], bytes]:
        headers: dict[str, str] = {}
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, dict(response.headers), data
        finally:
            conn.close()

    def json(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        body = None if payload is None else json.dumps(payload).encode()
        status, _headers, data = self.call(method, f"/api/v1{path}", body,
                                           "application/json" if body else None)
        return status, json.loads(data) if data else None

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        from urllib.parse import urlencode

        return self.call("POST", path, urlencode(fields).encode(),
                         "application/x-www-form-urlencoded")

    def csrf(self, path: str = "/") -> str:
        _status, _headers, page = self.call("GET", path)
        match = _CSRF.search(page.decode())
        assert match, page[:300]
        return match.group(1)


def api_client(port: int, username: str, password: str) -> Client:
    status, answer = Client(port).json("POST", "/auth/token",
                                       {"username": username, "password": password})
    assert status == 200, answer
    return Client(port, answer["token"])


def browser(port: int, username: str, password: str) -> tuple[Client, str]:
    client = Client(port)
    token = client.csrf("/login")
    status, _headers, _page = client.form("/login", {"csrf_token": token, "username": username,
                                                     "password": password})
    assert status == 302, status
    return client, client.csrf("/")


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
                 f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                 + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Server:
    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    starts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.port = _free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*MOTCUA, "serve", "--port", str(self.port), "--threads", str(THREADS)],
                env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if Client(self.port).call("GET", "/api/v1/openapi.json")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"the server did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MOTCUA, *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120)


# ------------------------------------------------------------------ an instance of its own

@pytest.fixture(params=["sqlite", "postgresql"])
def instance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    """The sample province on a fresh database: an app to check it with, and the
    environment a ``motcua`` process needs to serve it."""
    with database_of_its_own(request.param, tmp_path / "motcua.sqlite3") as url:
        yield from _instance_on(url, tmp_path / "instance")


def _instance_on(url: str, folder: Path) -> Iterator[tuple[Flask, dict[str, str]]]:
    secret = uuid.uuid4().hex
    app = create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(folder),
                      "SECRET_KEY": secret})
    with app.app_context():
        upgrade()
        load_province(load_json(SAMPLES / "org.json"))
        db.session.remove()
        db.engine.dispose()
    env = {**os.environ, "DATABASE_URL": url, "MOTCUA_INSTANCE": str(folder),
           "SECRET_KEY": secret, "MOTCUA_PUBLIC_URL": "http://127.0.0.1:8000",
           "MOTCUA_ARGON2_TIME_COST": "1", "MOTCUA_ARGON2_MEMORY_COST": "1024"}
    env.pop("MOTCUA_DEV", None)
    try:
        yield app, env
    finally:
        with app.app_context():
            db.engine.dispose()


# ------------------------------------------------------------------ the burst

@dataclass
class Answered:
    completed: list[int] = field(default_factory=list)  # task ids answered 200
    uploaded: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256, answered 302
    unanswered: int = 0
    refused: int = 0


def burst(server: Server, users: dict[str, str], receive_tasks: dict[str, int],
          kill_after: int) -> Answered:
    """Complete every dossier's receive task and upload files to each, from THREADS threads
    at once; ``kill -9`` the server once ``kill_after`` requests have been answered."""
    answered = Answered()
    lock = threading.Lock()
    enough = threading.Event()
    desk = api_client(server.port, "mc.lan", users["mc.lan"])
    sessions = [browser(server.port, "mc.lan", users["mc.lan"]) for _ in range(THREADS)]
    local = threading.local()
    slots = iter(range(THREADS))

    def session() -> tuple[Client, str]:
        if not hasattr(local, "slot"):
            with lock:
                local.slot = next(slots)
        return sessions[local.slot]

    def count(outcome: str, key: Any = None, value: Any = None) -> None:
        with lock:
            if outcome == "completed":
                answered.completed.append(key)
            elif outcome == "uploaded":
                answered.uploaded[key] = value
            elif outcome == "refused":
                answered.refused += 1
            else:
                answered.unanswered += 1
            if len(answered.completed) + len(answered.uploaded) + answered.refused >= kill_after:
                enough.set()

    def complete(task_id: int) -> None:
        try:
            status, _answer = desk.json("POST", f"/tasks/{task_id}/complete",
                                        {"outcome": "accept", "data": {}})
        except CUT_OFF:
            return count("unanswered")
        count("completed" if status == 200 else "refused", task_id)

    def upload(code: str, index: int) -> None:
        client, token = session()
        name = f"{code}-{index}.pdf"
        content = b"%PDF-1.4\n" + os.urandom(UPLOAD_BYTES) + b"\n%%EOF\n"
        body, content_type = multipart({"csrf_token": token, "kind": "dossier"}, name, content)
        try:
            status, headers, _page = client.call("POST", f"/dossiers/{code}/attachments", body,
                                                 content_type)
        except CUT_OFF:
            return count("unanswered")
        if status == 302 and f"/dossiers/{code}" in headers.get("Location", ""):
            count("uploaded", name, hashlib.sha256(content).hexdigest())
        else:
            count("refused")

    jobs: list[tuple[Any, ...]] = []
    for code, task_id in receive_tasks.items():
        jobs.append((complete, task_id))
        jobs.extend((upload, code, i) for i in range(UPLOADS_PER_DOSSIER))
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(job[0], *job[1:]) for job in jobs]
        assert enough.wait(timeout=120), "the burst did not get far enough"
        server.kill()
        for future in futures:
            future.result(timeout=120)
    return answered


# ------------------------------------------------------------------ the test

def test_killing_the_server_mid_burst_leaves_nothing_half_done(
        instance: tuple[Flask, dict[str, str]], tmp_path: Path) -> None:
    app, env = instance
    users = passwords(load_json(SAMPLES / "org.json")["users"])
    server = Server(env, tmp_path / "server.log")
    server.start()
    try:
        desk = api_client(server.port, "mc.lan", users["mc.lan"])
        receive_tasks: dict[str, int] = {}
        for _ in range(DOSSIERS):
            status, answer = desk.json("POST", "/dossiers", dossier_body())
            assert status == 201, answer
            receive_tasks[answer["code"]] = answer["tasks"][0]["id"]
        jobs = DOSSIERS * (1 + UPLOADS_PER_DOSSIER)
        answered = burst(server, users, receive_tasks, kill_after=jobs * 2 // 5)
        assert answered.completed and answered.uploaded, answered
        assert answered.unanswered, "the kill came after the burst: nothing was cut off"

        server.start()
        with app.app_context():
            _check_durable(answered)
            _check_whole(receive_tasks)
        _check_every_dossier_goes_on(server.port, users, receive_tasks)
        verify = run(env, "audit", "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        server.stop()

    time.sleep(1.1)  # past the grace period set below
    swept = run({**env, "MOTCUA_ATTACHMENT_ORPHAN_GRACE_SECONDS": "1"}, "worker", "--once")
    assert swept.returncode == 0, swept.stdout + swept.stderr
    with app.app_context():
        keys = set(db.session.scalars(select(Attachment.storage_key)))
        root = store_root()
        stored = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        assert stored == keys, f"orphans left: {sorted(stored - keys)}"
        db.session.remove()


def _check_durable(answered: Answered) -> None:
    """Every request answered with success is there after the restart."""
    for task_id in answered.completed:
        task = db.session.get(Task, task_id)
        assert task is not None and task.state == TaskState.COMPLETED, task_id
    rows = {row.filename: row for row in db.session.scalars(
        select(Attachment).where(Attachment.filename.in_(answered.uploaded)))}
    assert set(rows) == set(answered.uploaded)
    for name, digest in answered.uploaded.items():
        assert rows[name].sha256 == digest, name


def _check_whole(receive_tasks: dict[str, int]) -> None:
    """No row without its whole file; each dossier's counter is its rows; each dossier either
    still at its receive step or past it with exactly one open step."""
    root = store_root()
    for row in db.session.scalars(select(Attachment)):
        content = (root / row.storage_key).read_bytes()
        assert len(content) == row.size and hashlib.sha256(content).hexdigest() == row.sha256
    counts = dict(db.session.execute(
        select(Attachment.dossier_id, func.count()).where(
            Attachment.kind == AttachmentKind.DOSSIER).group_by(Attachment.dossier_id)).all())
    for dossier in db.session.scalars(select(Dossier).where(Dossier.code.in_(receive_tasks))):
        assert dossier.dossier_files == counts.get(dossier.id, 0), dossier.code
        receive = db.session.get(Task, receive_tasks[dossier.code])
        assert receive is not None
        others = [t for t in dossier.tasks if t.id != receive.id]
        if receive.state == TaskState.COMPLETED:
            assert [t.state in OPEN_STATES for t in others] == [True], dossier.code
        else:
            assert receive.state in OPEN_STATES and others == [], dossier.code
    db.session.remove()


def _check_every_dossier_goes_on(port: int, users: dict[str, str],
                                 receive_tasks: dict[str, int]) -> None:
    """The restarted server takes each dossier's next step: its workflow state, tasks and
    history agree."""
    desk = api_client(port, "mc.lan", users["mc.lan"])
    head = api_client(port, "tp.hung", users["tp.hung"])
    for code, task_id in receive_tasks.items():
        status, answer = desk.json("POST", f"/tasks/{task_id}/complete",
                                   {"outcome": "accept", "data": {}})
        if status == 409:  # completed before the kill
            status, answer = head.json("GET", f"/dossiers/{code}")
            assert status == 200, answer
            assign = [t for t in answer["tasks"] if t["state"] in ("ready", "claimed")]
        else:
            assert status == 200, answer
            assign = answer["next_tasks"]
        assert len(assign) == 1, (code, answer)
        status, answer = head.json("POST", f"/tasks/{assign[0]['id']}/complete", {
            "data": {"assignee": "cv.mai", "chi_dao": "Xử lý đúng hạn"}})
        assert status == 200, (code, answer)
    status, answer = Client(port).json("GET", f"/lookup/{next(iter(receive_tasks))}")
    assert status == 200 and answer["procedure"] == PROCEDURE, answer
