"""Part 3: worklist and lookups through the HTTP server on a PostgreSQL database filled
with 100,000 then 1,000,000 dossiers (see fill.py)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import explain
import fill
import khai_sinh
import pages
import proposals
from steps import APPLICANT, ASSIGN, RECEIVE
from util import Database, Http, Server, log, run_measured, setup_sample, summary

WORKLIST_USERS = {"cv.mai": "specialist", "tp.hung": "unit head", "mc.lan": "receiver",
                  "gd.son": "leader", "xa.hoa": "receiver + specialist (commune)"}
TARGET_P95_MS = 50.0
WARMUP = 3
MIN_SAMPLES = 15


def _templates(http: Http, db: Database) -> dict[int, tuple[str, str]]:
    """Real application data and workflow state, made through the API, for the fill."""
    from ours import Walker

    walker = Walker(http)
    created, _ms = walker.create()
    tasks = created["tasks"]
    for step in (RECEIVE, ASSIGN):
        answer, _ms = walker.complete(tasks, step)
        tasks = answer["next_tasks"]
    second, _ms = http.ok("POST", "/api/v1/dossiers", "xa.hoa", {
        "procedure": khai_sinh.PROCEDURE, "channel": "direct", "applicant": APPLICANT,
        "data": {}}, 201)
    out = {}
    for proc, code in ((1, created["code"]), (2, second["code"])):
        data, state = db.query("SELECT data::text, workflow_state::text FROM dossier "
                               "WHERE code = %s", (code,))[0]
        out[proc] = (str(data), str(state))
    return out


def _codes(db: Database, where: str, n: int) -> list[str]:
    rows = db.query(f"SELECT code FROM dossier d WHERE {where} ORDER BY random() LIMIT {n}")
    return [str(r[0]) for r in rows]


def _time(http: Http, user: str | None, paths: list[str], budget_s: float) -> dict[str, Any]:
    """Time GETs of ``paths`` after WARMUP unmeasured ones; a slow endpoint stops after
    ``budget_s`` seconds once it has MIN_SAMPLES samples."""
    samples: list[float] = []
    spent = 0.0
    for i, path in enumerate(paths):
        _answer, ms = http.ok("GET", path, user)
        if i >= WARMUP:
            samples.append(ms)
            spent += ms / 1000
            if spent > budget_s and len(samples) >= MIN_SAMPLES:
                break
    stats = summary(samples)
    stats["slow"] = stats.get("p95_ms", 0) > TARGET_P95_MS
    return stats


def measure(http: Http, db: Database, requests: int, budget_s: float) -> dict[str, Any]:
    """Median/p95 per endpoint and user, after a few warm-up requests."""
    n = requests + WARMUP
    ids = {u: db.query("SELECT id FROM user_account WHERE username = %s", (u,))[0][0]
           for u in ("gd.son", "cv.mai")}
    so_tu_phap = db.query("SELECT id FROM agency WHERE code = '000.00.12.H99'")[0][0]
    results: dict[str, Any] = {}
    for user, label in WORKLIST_USERS.items():
        first, _ms = http.ok("GET", "/api/v1/tasks", user)
        stats = _time(http, user, ["/api/v1/tasks"] * n, budget_s)
        results[f"GET /tasks as {user} ({label})"] = {**stats, "rows": len(first),
                                                     "path": "/api/v1/tasks", "user": user}
    # Filtered by procedure: the usual case, and one that matches nothing in the user's
    # queue (1.001193 is received at the commune desk, not at mc.lan's).
    for user, procedure in (("cv.mai", "2.000488"), ("xa.hoa", "1.001193"),
                            ("mc.lan", "1.001193")):
        path = f"/api/v1/tasks?procedure={procedure}"
        first, _ms = http.ok("GET", path, user)
        stats = _time(http, user, [path] * n, budget_s)
        results[f"GET /tasks?procedure={procedure} as {user}"] = {
            **stats, "rows": len(first), "path": path, "user": user}
    cases = [
        ("ks.nga", "auditor", "TRUE"),
        ("gd.son", "leader", f"d.agency_id = {so_tu_phap}"),
        ("cv.mai", "specialist", f"d.id IN (SELECT dossier_id FROM task WHERE "
                                 f"completed_by_id = {ids['cv.mai']} "
                                 f"OR assignee_id = {ids['cv.mai']})"),
    ]
    for user, label, where in cases:
        codes = _codes(db, where, n)
        stats = _time(http, user, [f"/api/v1/dossiers/{c}" for c in codes], budget_s)
        results[f"GET /dossiers/{{code}} as {user} ({label})"] = {
            **stats, "path": f"/api/v1/dossiers/{codes[-1]}", "user": user}
    codes = _codes(db, "TRUE", n)
    stats = _time(http, None, [f"/api/v1/lookup/{c}" for c in codes], budget_s)
    results["GET /lookup/{code} (public)"] = {**stats, "path": f"/api/v1/lookup/{codes[-1]}",
                                              "user": None}
    return results


def explain_all(http: Http, db: Database, results: dict[str, Any]) -> None:
    """Statements per request, and the plans of the slowest ones (all of them if slow)."""
    for stats in results.values():
        token = http.login(stats["user"]) if stats["user"] else None
        captured = explain.capture(db.url, stats["path"], token)
        stats["statements_per_request"] = captured["statements"]
        stats["sql"] = captured["sql"]
        stats["in_process_ms"] = captured["in_process_ms"]
        plans = captured["plans"]
        stats["slowest_statement_ms"] = plans[0]["execution_ms"] if plans else None
        stats["explain"] = plans if stats["slow"] else plans[:1]


def run(workdir: Path, sizes: list[int], requests: int, budget_s: float,
        out: dict[str, Any], what_if: bool = False, keep: bool = False) -> dict[str, Any]:
    """Fills ``out`` as it goes, so a failure keeps what was measured."""
    db = Database("postgresql", workdir, "scale")
    out.update({"database": db.name, "sizes": {}})
    server = None
    try:
        setup_sample(db, [(khai_sinh.PROCEDURE, khai_sinh.write(workdir / "khai-sinh"))])
        server = Server(db)
        http = Http(server.port)
        templates = _templates(http, db)
        # Dense enough that the largest size fits in this year's days since the process
        # versions took effect; 1,000,000 → 3,125 dossiers a day over 320 days.
        per_day = max(300, math.ceil(max(sizes) / 320))
        out["dossiers_per_day"] = per_day
        done = 0
        for size in sizes:
            log(f"scale: filling to {size:,} dossiers")
            timings = fill.fill(db.dsn, done, size, per_day, templates)
            done = size
            counts = fill.counts(db.dsn)
            log(f"scale: {counts}")
            log(f"scale: measuring at {size:,}")
            http.reconnect()
            results = measure(http, db, requests, budget_s)
            explain_all(http, db, results)
            log(f"scale: pages at {size:,}")
            page_results = pages.measure(http, db, WORKLIST_USERS, results, requests, budget_s)
            pages.explain_all(http, db, page_results)
            log(f"scale: pages, worst p95 ms: {pages.worst(page_results)}")
            proposed = None
            if what_if:
                cases = [(e["user"], e["path"].rsplit("/", 1)[1]) for name, e in results.items()
                         if name.startswith("GET /dossiers/") and e["user"] != "ks.nga"]
                proposed = proposals.run(db.dsn, list(WORKLIST_USERS), cases)
            out["sizes"][str(size)] = {"fill_seconds": timings, "counts": counts,
                                       "endpoints": results, "pages": page_results,
                                       "proposals": proposed,
                                       "server_rss_mib": round(server.rss() / 2**20, 1),
                                       "loadavg": os.getloadavg()}
        out["worker_once"] = run_measured(db, "worker", "--once")
        out["server_rss_mib"] = round(server.rss() / 2**20, 1)
        http.close()
    finally:
        explain.dispose()
        if server is not None:
            server.stop()
            out["server_peak_rss_mib"] = round((server.peak_rss or 0) / 2**20, 1)
        if keep:
            log(f"scale: kept {db.dsn}")
        else:
            db.drop()
    return out
