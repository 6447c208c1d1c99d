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
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
                 _context: Any, _many: bool) -> None:
        self.statements.append((statement, parameters))

    def __enter__(self) -> _Recorder:
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self)


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
    for label, (user, element_id, outcome, data) in zip(STEP_LABELS, WALK, strict=True):
        task_id = next(t["id"] for t in tasks if t["step"] == element_id)
        with _Recorder(engine) as recorder:
            start = time.perf_counter()
            answer = post(user, f"/api/v1/tasks/{task_id}/complete",
                          {"outcome": outcome, "data": data})
            ms = (time.perf_counter() - start) * 1000
        tasks = answer["next_tasks"]
        kinds: dict[str, int] = {}
        for statement, _p in recorder.statements:
            verb = statement.split(None, 1)[0].upper()
            kinds[verb] = kinds.get(verb, 0) + 1
        out.append({"step": label, "statements": len(recorder.statements), "by_verb": kinds,
                    "in_process_ms": round(ms, 2)})
    return out


def capture(url: str, path: str, token: str | None) -> dict[str, Any]:
    """Replay GET ``path`` in-process; return its statements with their plans."""
    from motcua.db import db

    app = _app(url)
    with app.app_context():
        engine = db.engine
        with _Recorder(engine) as recorder:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            start = time.perf_counter()
            response = app.test_client().get(path, headers=headers)
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
    return {"status": response.status_code, "statements": len(statements),
            "sql": [" ".join(st.split())[:160] for st, _p in statements],
            "in_process_ms": round(in_process_ms, 2), "plans": plans}


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
