"""Shared bits: statistics, paths, databases, the CLI set-up and the serve subprocess."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from http.client import HTTPConnection, HTTPResponse, RemoteDisconnected
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil
import psycopg

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
SAMPLES = REPO.parent / "shared" / "samples"
BPMN = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"
FORMS = SAMPLES / "forms"
MOTCUA = str(Path(sys.executable).with_name("motcua"))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PROCEDURE = "2.000488"
PASSWORDS = {u["username"]: u["password"]
             for u in json.loads((SAMPLES / "org.json").read_text(encoding="utf-8"))["users"]}


# --- the code under test ----------------------------------------------------------------

SNAPSHOT: Path | None = None


def snapshot_code(workdir: Path) -> dict[str, Any]:
    """Copy ``platform/`` and ``web/static`` into ``workdir`` and run everything from the
    copy (the CLI and serve subprocesses by ``PYTHONPATH``, the in-process replays by
    ``sys.path``): others keep editing the working tree during a run, and a server whose
    Python predates a template it loads later fails. Returns the commit and whether the
    copied tree had uncommitted changes."""
    global SNAPSHOT
    target = workdir / "code"
    shutil.copytree(REPO / "platform", target / "platform",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(REPO / "web" / "static", target / "web" / "static")
    SNAPSHOT = target / "platform"
    sys.path.insert(0, str(SNAPSHOT))
    git = ["git", "-C", str(REPO)]
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=False).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "platform", "web"],
                           capture_output=True, text=True, check=False).stdout.split("\n")
    return {"commit": commit, "uncommitted_files": len([d for d in dirty if d.strip()])}


# --- statistics ------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def median_ms(fn: Callable[[], object], runs: int, *, warm: bool = False
              ) -> tuple[float, float]:
    """The median and the fastest of ``runs`` calls of ``fn``, in milliseconds; ``warm``
    calls it once first (what is built once per process is no part of the figure)."""
    if warm:
        fn()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), min(times)


def summary(samples_ms: list[float]) -> dict[str, Any]:
    if not samples_ms:
        return {"n": 0}
    return {"n": len(samples_ms), "median_ms": round(statistics.median(samples_ms), 3),
            "p95_ms": round(percentile(samples_ms, 95), 3),
            "min_ms": round(min(samples_ms), 3), "max_ms": round(max(samples_ms), 3)}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- databases -------------------------------------------------------------------------

class Database:
    """A fresh database for one part of the run: a SQLite file or a PostgreSQL database."""

    def __init__(self, backend: str, workdir: Path, label: str) -> None:
        self.backend = backend
        self.workdir = workdir
        self.label = label
        if backend == "sqlite":
            self.path = workdir / f"{label}.sqlite3"
            self.url = f"sqlite:///{self.path}"
            self.name = self.path.name
        else:
            self.name = f"motcua_bench_{label}_{uuid.uuid4().hex[:6]}"
            self.url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.name}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:5432/{self.name}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"DATABASE_URL": self.url, "MOTCUA_INSTANCE": str(self.workdir / "instance"),
                    "MOTCUA_DEV": "1"})
        if SNAPSHOT is not None:
            env["PYTHONPATH"] = str(SNAPSHOT)
        return env

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.backend == "sqlite":
            import sqlite3

            with sqlite3.connect(self.path) as conn:
                return list(conn.execute(sql.replace("%s", "?"), params))
        with psycopg.connect(self.dsn) as conn:
            return list(conn.execute(sql, params))  # type: ignore[arg-type]

    def drop(self) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def drop_leftover_databases() -> list[str]:
    """Drop motcua_bench_* databases left by an interrupted run."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'motcua\\_bench\\_%'")]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return names


def cli(db: Database, *args: str) -> str:
    result = subprocess.run([MOTCUA, *args], env=db.env(), capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise RuntimeError(f"motcua {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def setup_sample(db: Database, extra_processes: list[tuple[str, Path]] | None = None) -> None:
    """Schema, sample org + decision and the sample process, all through the CLI."""
    cli(db, "db", "upgrade")
    cli(db, "import", "org", str(SAMPLES / "org.json"))
    cli(db, "import", "decision", str(SAMPLES / "decision.json"))
    cli(db, "process", "publish", "--procedure", PROCEDURE, str(BPMN), "--forms", str(FORMS),
        "--effective", "2026-01-01")
    for code, path in extra_processes or []:
        cli(db, "process", "publish", "--procedure", code, str(path), "--effective", "2026-01-01")


# --- the server ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``motcua serve`` as a subprocess on a free localhost port."""

    def __init__(self, db: Database, threads: int = 8) -> None:
        self.db = db
        self.port = free_port()
        self.log_path = RESULTS / f"serve-{db.backend}-{db.label}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [MOTCUA, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--threads", str(threads)],
            env=db.env(), stdout=self._log, stderr=subprocess.STDOUT)
        self.peak_rss: int | None = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"motcua serve exited: see {self.log_path}")
            try:
                conn = HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/lookup/none")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("motcua serve did not answer within 60 s")

    def rss(self) -> int:
        return int(psutil.Process(self.proc.pid).memory_info().rss)

    def pg_backends(self) -> list[int]:
        """PIDs of the PostgreSQL backends serving this server's connection pool."""
        if self.db.backend != "postgresql":
            return []
        ports = [c.laddr.port for c in psutil.Process(self.proc.pid).net_connections("tcp")
                 if c.raddr and c.raddr.port == 5432]
        rows = self.db.query("SELECT pid FROM pg_stat_activity WHERE client_port = ANY(%s)",
                             (ports,))
        return [int(r[0]) for r in rows]

    def cpu(self) -> dict[int, float]:
        """CPU seconds (user + system) of the server and its database backends, by pid."""
        out = {}
        for pid in [self.proc.pid, *self.pg_backends()]:
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            out[pid] = times.user + times.system
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                _pid, _status, usage = os.wait4(self.proc.pid, 0)
                self.peak_rss = usage.ru_maxrss * 1024
                self.proc.returncode = 0
            except ChildProcessError:
                self.proc.wait(timeout=10)
        self._log.close()


def run_measured(db: Database, *args: str) -> dict[str, Any]:
    """Run a motcua command, sampling its RSS; the peak comes from wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen([MOTCUA, *args], env=db.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    last = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            last = max(last, ps.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.01)
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
        peak = usage.ru_maxrss * 1024
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
    except ChildProcessError:
        code = proc.wait()
        peak = last
    out = (proc.stdout.read() if proc.stdout else b"").decode()
    err = (proc.stderr.read() if proc.stderr else b"").decode()
    return {"exit": code, "seconds": round(time.perf_counter() - start, 3),
            "peak_rss_mib": round(peak / 2**20, 1), "sampled_rss_mib": round(last / 2**20, 1),
            "output": (out + err).strip()[-500:]}


CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


class Http:
    """One kept-alive connection; times a request from send to the last byte read.

    The API is called with bearer tokens (``call``/``ok``), the server-rendered pages with
    the ``session`` cookie of a form login (``page``), one cookie per user."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = HTTPConnection("127.0.0.1", port, timeout=300)
        self.tokens: dict[str, str] = {}
        self.cookies: dict[str, str] = {}

    def reconnect(self) -> None:
        """A fresh connection (waitress drops connections idle for 120 s)."""
        self.conn.close()
        self.conn = HTTPConnection("127.0.0.1", self.port, timeout=300)

    def _send(self, method: str, path: str, payload: bytes | None,
              headers: dict[str, str]) -> tuple[HTTPResponse, bytes, float]:
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
        except (RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed the kept-alive connection while we were idle: once more.
            self.reconnect()
            start = time.perf_counter()
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
        raw = response.read()
        return response, raw, (time.perf_counter() - start) * 1000

    def login(self, username: str) -> str:
        if username not in self.tokens:
            status, body, _ms = self.call("POST", "/api/v1/auth/token", None,
                                          {"username": username,
                                           "password": PASSWORDS[username]})
            if status != 200:
                raise RuntimeError(f"login {username}: {status} {body}")
            self.tokens[username] = body["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str | None = None,
             body: Any = None) -> tuple[int, Any, float]:
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if user is not None:
            headers["Authorization"] = f"Bearer {self.login(user)}"
        response, raw, elapsed = self._send(method, path, payload, headers)
        return response.status, json.loads(raw) if raw else None, elapsed

    def ok(self, method: str, path: str, user: str | None = None, body: Any = None,
           expect: int = 200) -> tuple[Any, float]:
        status, answer, ms = self.call(method, path, user, body)
        if status != expect:
            raise RuntimeError(f"{method} {path} as {user}: {status} {answer}")
        return answer, ms

    # --- the browser UI: session cookie -----------------------------------------------

    def _browse(self, method: str, path: str, cookie: str | None,
                form: dict[str, str] | None = None) -> tuple[HTTPResponse, str, str | None, float]:
        """One request as a browser would send it; returns the ``session`` cookie the
        answer sets (or the one sent, if it sets none)."""
        headers = {"Accept": "text/html"}
        payload = None
        if form is not None:
            payload = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookie:
            headers["Cookie"] = f"session={cookie}"
        response, raw, elapsed = self._send(method, path, payload, headers)
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _eq, rest = header.partition("=")
            if name.strip() == "session":
                cookie = rest.split(";", 1)[0] or None
        return response, raw.decode("utf-8", "replace"), cookie, elapsed

    def web_login(self, username: str) -> str:
        """Form login (``GET /login`` for the CSRF token, then ``POST /login``): the
        ``session`` cookie of ``username``."""
        if username not in self.cookies:
            response, html, cookie, _ms = self._browse("GET", "/login", None)
            found = CSRF_INPUT.search(html)
            if response.status != 200 or not found or not cookie:
                raise RuntimeError(f"GET /login: {response.status}, no CSRF token or cookie")
            response, html, cookie, _ms = self._browse(
                "POST", "/login", cookie, {"csrf_token": found.group(1), "username": username,
                                           "password": PASSWORDS[username]})
            if response.status != 302 or not cookie:
                raise RuntimeError(f"POST /login as {username}: {response.status} {html[:300]}")
            self.cookies[username] = cookie
        return self.cookies[username]

    def page(self, path: str, user: str) -> tuple[str, float]:
        """GET a page as ``user``; it must answer 200 with HTML (a redirect to /login
        would mean the session cookie was not taken)."""
        response, html, cookie, ms = self._browse("GET", path, self.web_login(user))
        if cookie:
            self.cookies[user] = cookie
        kind = response.getheader("Content-Type") or ""
        if response.status != 200 or not kind.startswith("text/html"):
            where = response.getheader("Location") or html[:300]
            raise RuntimeError(f"GET {path} as {user}: {response.status} {kind} {where}")
        return html, ms

    def close(self) -> None:
        self.conn.close()
