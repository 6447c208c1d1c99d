"""Ours: the same walk through ``motcua serve`` over HTTP, one kept-alive connection."""

from __future__ import annotations

from typing import Any

from steps import ASSIGN, LOOP, RECEIVE, WALK, Step, create_body
from util import Database, Http, Server, summary

USERS = sorted({step.user for step in WALK})


def _task_id(tasks: list[dict[str, Any]], element_id: str) -> int:
    for task in tasks:
        if task["step"] == element_id:
            return int(task["id"])
    raise RuntimeError(f"no new task {element_id} in {[t['step'] for t in tasks]}")


class Walker:
    def __init__(self, http: Http) -> None:
        self.http = http
        for user in USERS:
            http.login(user)

    def create(self) -> tuple[dict[str, Any], float]:
        answer, ms = self.http.ok("POST", "/api/v1/dossiers", "mc.lan", create_body(), 201)
        return answer, ms

    def complete(self, tasks: list[dict[str, Any]], step: Step
                 ) -> tuple[dict[str, Any], float]:
        task_id = _task_id(tasks, step.element_id)
        answer, ms = self.http.ok("POST", f"/api/v1/tasks/{task_id}/complete", step.user,
                                  step.body())
        return answer, ms

    def walk(self) -> tuple[str, float, list[float], str]:
        created, create_ms = self.create()
        tasks = created["tasks"]
        timings = []
        status = created["status"]
        for step in WALK:
            answer, ms = self.complete(tasks, step)
            tasks = answer["next_tasks"]
            status = answer["dossier"]["status"]
            timings.append(ms)
        return created["code"], create_ms, timings, status


def _cpu_ms(before: dict[int, float], after: dict[int, float], server_pid: int
            ) -> tuple[float, float]:
    """CPU ms spent by the server process and by its database backends in between."""
    server = (after.get(server_pid, 0) - before.get(server_pid, 0)) * 1000
    backends = sum(t - before.get(pid, 0) for pid, t in after.items() if pid != server_pid)
    return server, backends * 1000


def completion(http: Http, n: int, server: Server) -> dict[str, Any]:
    walker = Walker(http)
    walker.walk()  # warm-up: caches, connections, the spec
    walker.walk()
    cpu_before = server.cpu()
    samples: list[float] = []
    creates: list[float] = []
    per_step: list[list[float]] = [[] for _ in WALK]
    statuses = set()
    for _ in range(n):
        _code, create_ms, timings, status = walker.walk()
        creates.append(create_ms)
        samples.extend(timings)
        for i, ms in enumerate(timings):
            per_step[i].append(ms)
        statuses.add(status)
    server_ms, backend_ms = _cpu_ms(cpu_before, server.cpu(), server.proc.pid)
    if statuses != {"returned"}:
        raise RuntimeError(f"walks ended with statuses {statuses}")
    requests = n * (len(WALK) + 1)  # the creates are in the CPU figures too
    return {"all": summary(samples), "per_step": [summary(s) for s in per_step],
            "create": summary(creates),
            "cpu_ms_per_request": {"server": round(server_ms / requests, 2),
                                   "database": round(backend_ms / requests, 2)}}


def _state_size(db: Database, code: str) -> dict[str, int]:
    if db.backend == "sqlite":
        rows = db.query("SELECT length(workflow_state), length(workflow_state), "
                        "(SELECT count(*) FROM task t WHERE t.dossier_id = d.id), "
                        "(SELECT count(*) FROM history_event h WHERE h.dossier_id = d.id) "
                        "FROM dossier d WHERE code = %s", (code,))
    else:
        rows = db.query("SELECT octet_length(workflow_state::text), "
                        "pg_column_size(workflow_state), "
                        "(SELECT count(*) FROM task t WHERE t.dossier_id = d.id), "
                        "(SELECT count(*) FROM history_event h WHERE h.dossier_id = d.id) "
                        "FROM dossier d WHERE code = %s", (code,))
    text_bytes, stored_bytes, tasks, events = rows[0]
    return {"state_bytes": int(text_bytes), "stored_bytes": int(stored_bytes),
            "task_rows": int(tasks), "history_rows": int(events)}


def growth(http: Http, db: Database, loops: list[int], window: int, server: Server
           ) -> dict[str, Any]:
    """One dossier sent back examine → review ``max(loops)`` times."""
    walker = Walker(http)
    created, _ms = walker.create()
    code = created["code"]
    tasks = created["tasks"]
    for step in (RECEIVE, ASSIGN):
        answer, _ms = walker.complete(tasks, step)
        tasks = answer["next_tasks"]
    per_loop: list[float] = []
    marks: dict[str, Any] = {}
    starts = {mark - window + 1: mark for mark in loops}
    cpu_before: dict[int, dict[int, float]] = {}
    for loop in range(1, max(loops) + 1):
        if loop in starts:
            cpu_before[starts[loop]] = server.cpu()
        for step in LOOP:
            answer, ms = walker.complete(tasks, step)
            tasks = answer["next_tasks"]
            per_loop.append(ms)
        if loop in loops:
            last = per_loop[-window * len(LOOP):]
            server_ms, backend_ms = _cpu_ms(cpu_before[loop], server.cpu(), server.proc.pid)
            marks[str(loop)] = {"completion": summary(last),
                                "cpu_ms_per_completion": {
                                    "server": round(server_ms / len(last), 2),
                                    "database": round(backend_ms / len(last), 2)},
                                **_state_size(db, code)}
    return marks
