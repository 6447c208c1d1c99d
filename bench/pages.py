"""Part 3, pages: the server-rendered officer pages (worklist, task, home, dossier) at scale,
through the same ``motcua serve`` as the API figures, signed in with the login form's
session cookie. Each page is compared with an API endpoint measured in the same run."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

import explain
from util import Database, Http, summary

TARGET_P95_MS = 100.0
WARMUP = 3
MIN_SAMPLES = 15
ROWS = re.compile(r'data-label="Mã hồ sơ"')
TOTAL = re.compile(r'role="status">(Hơn )?([\d.]+) công việc')
# Pages whose Python time is profiled in-process (cProfile) when they miss the target.
PROFILED = ("worklist", "task page", "home")


def _open_tasks(db: Database, user: str, n: int) -> list[tuple[int, str, str]]:
    """(task id, dossier code, applicant name) of up to ``n`` random open tasks ``user``
    may work on: theirs, or unassigned at one of their role+units (as the worklist)."""
    rows = db.query(
        "SELECT t.id, d.code, d.applicant_name FROM task t JOIN dossier d ON d.id = t.dossier_id "
        "JOIN user_account u ON u.username = %s "
        "WHERE t.state IN ('ready', 'claimed') AND (t.assignee_id = u.id OR "
        "(t.assignee_id IS NULL AND (t.role, t.unit_id) IN "
        "(SELECT m.role, m.agency_id FROM membership m WHERE m.user_id = u.id))) "
        "ORDER BY random() LIMIT %s", (user, n))
    return [(int(i), str(c), str(a)) for i, c, a in rows]


def _check(kind: str, html: str, path: str) -> dict[str, Any]:
    """What the answer shows: worklist rows and total; the page must be the one asked for."""
    markers = {"worklist": "Danh sách công việc", "task page": 'class="summary card"',
               "home": 'class="counts"', "dossier page": 'id="tasks-title"'}
    marker = markers["worklist" if kind.startswith("worklist") else kind]
    if marker not in html:
        raise RuntimeError(f"GET {path}: 200 but not the {kind} page: {html[:300]}")
    out: dict[str, Any] = {"bytes": len(html.encode())}
    if kind.startswith("worklist"):
        out["rows"] = len(ROWS.findall(html))
        found = TOTAL.search(html)
        if found:
            out["total"] = int(found.group(2).replace(".", ""))
            out["capped"] = bool(found.group(1))
    return out


def _time(http: Http, user: str, kind: str, paths: list[str], budget_s: float
          ) -> dict[str, Any]:
    """GET ``paths`` in turn after WARMUP unmeasured ones; a slow page stops after
    ``budget_s`` seconds once it has MIN_SAMPLES samples. Every answer is checked."""
    samples: list[float] = []
    spent = 0.0
    seen: dict[str, Any] = {}
    rows: list[int] = []
    for i, path in enumerate(paths):
        html, ms = http.page(path, user)
        shown = _check(kind, html, path)
        if i == WARMUP:
            seen = shown
        if "rows" in shown:
            rows.append(shown["rows"])
        if i >= WARMUP:
            samples.append(ms)
            spent += ms / 1000
            if spent > budget_s and len(samples) >= MIN_SAMPLES:
                break
    stats = summary(samples)
    stats.update(seen)
    if rows:
        stats["rows_min_max"] = [min(rows), max(rows)]
    stats["slow"] = stats.get("p95_ms", 0) > TARGET_P95_MS
    return stats


def _cases(db: Database, user: str, n: int) -> list[tuple[str, list[str], str | None]]:
    """(page, the paths requested in turn, the API figure it is compared with)."""
    sample = _open_tasks(db, user, n)
    if not sample:
        return []
    ids = [t for t, _c, _a in sample]
    codes = [c for _t, c, _a in sample]
    names = [a for _t, _c, a in sample]
    api = "worklist"

    def q(text: str) -> str:
        return "/tasks?" + urlencode({"q": text})

    return [
        ("worklist", ["/tasks"] * n, api),
        ("worklist ?page=40", ["/tasks?page=40"] * n, api),
        ("worklist ?state=overdue", ["/tasks?state=overdue"] * n, api),
        ("worklist ?sort=-received", ["/tasks?sort=-received"] * n, api),
        ("worklist ?sort=-due", ["/tasks?sort=-due"] * n, api),
        # A full name (~1 in 2,816 dossiers) and one given name (~1 in 22), each taken from
        # one of the user's own open tasks, a different one per request.
        ("worklist ?q=full name", [q(a) for a in names], api),
        ("worklist ?q=given name", [q(a.rsplit(" ", 1)[-1]) for a in names], api),
        ("worklist ?q=code", [q(c) for c in codes], api),
        ("task page", [f"/tasks/{t}" for t in ids], "task"),
        ("home", ["/"] * n, api),
    ]


def measure(http: Http, db: Database, users: dict[str, str], api: dict[str, Any],
            requests: int, budget_s: float, dossier_user: str = "cv.mai") -> dict[str, Any]:
    """Median/p95 per page and user; ``api`` holds the same run's API figures (scale.py),
    keyed as ``GET /tasks as {user} ({label})`` and ``GET /dossiers/{code} as ...``."""
    n = requests + WARMUP
    results: dict[str, Any] = {}
    for user, label in users.items():
        for kind, paths, base in _cases(db, user, n):
            name = f"{kind} as {user}"
            stats = _time(http, user, kind.split(" ?")[0], paths, budget_s)
            if base == "worklist":
                baseline = api.get(f"GET /tasks as {user} ({label})")
                baseline_name = "GET /api/v1/tasks"
            else:
                # The task page's own API twin, over the same task ids.
                baseline = _api_time(http, user, [p.replace("/tasks/", "/api/v1/tasks/")
                                                  for p in paths], budget_s)
                baseline_name = "GET /api/v1/tasks/{id}"
            results[name] = {**stats, "page": kind, "user": user, "path": paths[-1],
                             **_ratio(stats, baseline, baseline_name)}
    # The dossier page for one user, next to GET /api/v1/dossiers/{code} of the same run.
    sample = _open_tasks(db, dossier_user, n)
    paths = [f"/dossiers/{quote(c)}" for _t, c, _a in sample]
    stats = _time(http, dossier_user, "dossier page", paths, budget_s)
    baseline = next((e for k, e in api.items()
                     if k.startswith(f"GET /dossiers/{{code}} as {dossier_user} ")), None)
    results[f"dossier page as {dossier_user}"] = {
        **stats, "page": "dossier page", "user": dossier_user, "path": paths[-1],
        **_ratio(stats, baseline, "GET /api/v1/dossiers/{code}")}
    return results


def _api_time(http: Http, user: str, paths: list[str], budget_s: float) -> dict[str, Any]:
    samples: list[float] = []
    for i, path in enumerate(paths):
        _answer, ms = http.ok("GET", path, user)
        if i >= WARMUP:
            samples.append(ms)
            if sum(samples) / 1000 > budget_s and len(samples) >= MIN_SAMPLES:
                break
    return summary(samples)


def _ratio(stats: dict[str, Any], baseline: dict[str, Any] | None, name: str
           ) -> dict[str, Any]:
    if not baseline or not baseline.get("n") or not stats.get("n"):
        return {"api": name, "api_median_ms": None, "api_p95_ms": None}
    return {"api": name, "api_median_ms": baseline["median_ms"],
            "api_p95_ms": baseline["p95_ms"],
            "ratio_median": round(stats["median_ms"] / baseline["median_ms"], 2),
            "ratio_p95": round(stats["p95_ms"] / baseline["p95_ms"], 2)}


def explain_all(http: Http, db: Database, results: dict[str, Any]) -> None:
    """Each page replayed in-process with its session cookie: statements, time in SQL vs
    the whole request, statements repeated (N+1), plans (all of them for a slow page) and,
    for a slow worklist/task/home page, a cProfile of the request."""
    for stats in results.values():
        slow = stats["slow"]
        captured = explain.capture(db.url, stats["path"], None,
                                   cookie=http.web_login(stats["user"]), warm=True,
                                   profile=slow and stats["page"].split(" ?")[0] in PROFILED)
        if captured["status"] != 200:
            raise RuntimeError(f"in-process GET {stats['path']}: {captured['status']}")
        plans = captured.pop("plans")
        stats.update(statements_per_request=captured["statements"], sql=captured["sql"],
                     repeated=captured["repeated"], in_process_ms=captured["in_process_ms"],
                     sql_ms=captured["sql_ms"],
                     slowest_statement_ms=plans[0]["execution_ms"] if plans else None,
                     explain=plans if slow else plans[:1])
        if "profile" in captured:
            stats["profile"] = captured["profile"]


def worst(results: dict[str, Any]) -> dict[str, Any]:
    """The largest p95 per page over the users (for the log)."""
    out: dict[str, float] = {}
    for e in results.values():
        if e.get("n"):
            out[e["page"]] = max(out.get(e["page"], 0.0), e["p95_ms"])
    return {k: round(v, 1) for k, v in out.items()}

