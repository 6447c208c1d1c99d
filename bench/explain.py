"""Which SQL a request runs, and EXPLAIN ANALYZE for it.

The request is replayed in-process through the real application (Flask test client, same
database, same bearer token) with a cursor listener recording every statement; each SELECT
is then run again under EXPLAIN (ANALYZE, BUFFERS) with the same parameters. Nothing in the
platform is changed.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from sqlalchemy import event

_APPS: dict[str, Any] = {}
_INSTANCE = tempfile.mkdtemp(prefix="motcua-bench-instance-")


def _app(url: str) -> Any:
    if url not in _APPS:
        os.environ.setdefault("MOTCUA_DEV", "1")
        from motcua.app import create_app

        _APPS[url] = create_app({"DATABASE_URL": url, "INSTANCE_PATH": _INSTANCE})
    return _APPS[url]


class _Recorder:
    """Every statement with its parameters, and the time spent in the driver (execute,
    round trip included; rows fetched later by the ORM are not in it)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []
        self.sql_ms = 0.0
        self._started = 0.0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
                 _context: Any, _many: bool) -> None:
        self.statements.append((statement, parameters))
        self._started = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        self.sql_ms += (time.perf_counter() - self._started) * 1000

    def __enter__(self) -> _Recorder:
        event.listen(self.engine, "before_cursor_execute", self)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self)
        event.remove(self.engine, "after_cursor_execute", self._after)


def count_walk(url: str, tokens: dict[str, str]) -> list[dict[str, Any]]:
    """Walk one dossier in-process; the SQL statements each completion runs."""
    from steps import STEP_LABELS, WALK, create_body

    from motcua.db import db

    app = _app(url)
    client = app.test_client()

    def post(user: str, path: str, body: Any) -> Any:
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[user]}"})
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {response.status_code} {response.get_json()}")
        return response.get_json()

    out = []
    with app.app_context():
        engine = db.engine
    tasks = post("mc.lan", "/api/v1/dossiers", create_body())["tasks"]
    for label, step in zip(STEP_LABELS, WALK, strict=True):
        task_id = next(t["id"] for t in tasks if t["step"] == step.element_id)
        with _Recorder(engine) as recorder:
            start = time.perf_counter()
            answer = post(step.user, f"/api/v1/tasks/{task_id}/complete", step.body())
            ms = (time.perf_counter() - start) * 1000
        tasks = answer["next_tasks"]
        kinds: dict[str, int] = {}
        for statement, _p in recorder.statements:
            verb = statement.split(None, 1)[0].upper()
            kinds[verb] = kinds.get(verb, 0) + 1
        out.append({"step": label, "statements": len(recorder.statements), "by_verb": kinds,
                    "in_process_ms": round(ms, 2)})
    return out


def capture(url: str, path: str, token: str | None, cookie: str | None = None,
            warm: bool = False, profile: bool = False) -> dict[str, Any]:
    """Replay GET ``path`` in-process (bearer ``token`` or ``session`` ``cookie``); return
    its statements with their plans. ``warm``: one unrecorded request first (caches of
    compiled processes and templates filled, as in the long-running server); ``profile``:
    the request once more under cProfile, its top functions by own and cumulative time."""
    from motcua.db import db

    app = _app(url)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if cookie:
        client.set_cookie("session", cookie)
    with app.app_context():
        engine = db.engine
        if warm:
            client.get(path, headers=headers)
        with _Recorder(engine) as recorder:
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            in_process_ms = (time.perf_counter() - start) * 1000
        statements = recorder.statements
        plans = []
        with engine.connect() as conn:
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                rows = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + statement, parameters).all()
                text = "\n".join(r[0] for r in rows)
                plans.append({"sql": statement, "params": _plain(parameters),
                              "execution_ms": _execution_ms(text), "plan": text})
            conn.rollback()
    plans.sort(key=lambda p: -(p["execution_ms"] or 0))
    shapes: dict[str, int] = {}
    for statement, _p in statements:
        shapes[statement] = shapes.get(statement, 0) + 1
    repeated = sorted(((n, s) for s, n in shapes.items() if n > 1), key=lambda r: -r[0])
    out = {"status": response.status_code, "statements": len(statements),
           "sql": [" ".join(st.split())[:160] for st, _p in statements],
           # The same statement text with other parameters: lazy loads, one per row (N+1).
           "repeated": [[n, " ".join(s.split())[-160:]] for n, s in repeated],
           "in_process_ms": round(in_process_ms, 2), "sql_ms": round(recorder.sql_ms, 2),
           "plans": plans}
    if profile:
        out["profile"] = _profile(app, client, path, headers)
    return out


def _profile(app: Any, client: Any, path: str, headers: dict[str, str],
             top: int = 15) -> dict[str, Any]:
    """Where the Python time of one request goes (cProfile adds overhead to every call, so
    compare the functions with each other, not with the wall time)."""
    import cProfile
    import pstats

    with app.app_context():
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path, headers=headers)
        profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in \
            stats.stats.items():  # type: ignore[attr-defined]
        where = filename.split("site-packages/")[-1].split("platform/")[-1]
        rows.append({"function": f"{where}:{line}({name})", "calls": calls,
                     "own_ms": round(own * 1000, 2), "cumulative_ms": round(cumulative * 1000, 2)})
    by_cumulative = sorted(rows, key=lambda r: -r["cumulative_ms"])
    return {"total_ms": round(stats.total_tt * 1000, 2),  # type: ignore[attr-defined]
            "by_own": sorted(rows, key=lambda r: -r["own_ms"])[:top],
            "by_cumulative_motcua": [r for r in by_cumulative
                                     if r["function"].startswith("motcua/")][:top]}


def _execution_ms(plan: str) -> float | None:
    for line in reversed(plan.splitlines()):
        if line.strip().startswith("Execution Time:"):
            return float(line.split(":")[1].split()[0])
    return None


def _plain(parameters: Any) -> Any:
    if isinstance(parameters, dict):
        return {k: _plain(v) for k, v in parameters.items()}
    if isinstance(parameters, list | tuple):
        return [_plain(v) for v in parameters]
    if isinstance(parameters, int | float | str | bool) or parameters is None:
        return parameters
    return str(parameters)


def dispose() -> None:
    import shutil

    from motcua.db import db

    for app in _APPS.values():
        with app.app_context():
            db.engine.dispose()
    _APPS.clear()
    shutil.rmtree(_INSTANCE, ignore_errors=True)
