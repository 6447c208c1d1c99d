"""What-if: the worklist and dossier-visibility queries rewritten, measured on the filled
bench database next to the platform's own (EXPLAIN ANALYZE only; the platform is untouched).

- Worklist: one index-ordered branch per way a task can be eligible (assigned to the user;
  unassigned for each of their role+unit memberships), each ``LIMIT offset+limit``, merged;
  ``ORDER BY due_at NULLS LAST, id`` instead of ``due_at IS NULL, due_at, id`` so the
  order is the index's, with the two partial indexes below.
- Visibility: correlated ``EXISTS`` on ``task.dossier_id`` (index ``ix_task_dossier``)
  instead of ``dossier.id IN (SELECT task.dossier_id ...)``, which PostgreSQL runs as a
  hashed subplan over every matching task of the user.

The indexes are created after the platform's queries were measured and dropped again.
"""

from __future__ import annotations

import statistics
from typing import Any

import psycopg

OPEN = "state IN ('ready', 'claimed')"
INDEXES = [
    ("bench_ix_task_open_assignee_due",
     f"CREATE INDEX bench_ix_task_open_assignee_due ON task (assignee_id, due_at, id) "
     f"WHERE {OPEN}"),
    ("bench_ix_task_open_unit_due",
     f"CREATE INDEX bench_ix_task_open_unit_due ON task (role, unit_id, due_at, id) "
     f"WHERE {OPEN} AND assignee_id IS NULL"),
]


def worklist_sql(user_id: int, pairs: list[tuple[str, int]], limit: int = 50) -> str:
    branches = [f"(SELECT * FROM task WHERE {OPEN} AND assignee_id = {user_id} "
                f"ORDER BY due_at NULLS LAST, id LIMIT {limit})"]
    branches += [f"(SELECT * FROM task WHERE {OPEN} AND assignee_id IS NULL "
                 f"AND role = '{role}' AND unit_id = {unit} "
                 f"ORDER BY due_at NULLS LAST, id LIMIT {limit})" for role, unit in pairs]
    return (f"SELECT t.*, d.code FROM ({' UNION ALL '.join(branches)}) t "
            f"JOIN dossier d ON d.id = t.dossier_id "
            f"ORDER BY t.due_at NULLS LAST, t.id LIMIT {limit}")


def visibility_sql(code: str, user_id: int, pairs: list[tuple[str, int]],
                   desks: list[int], heads: list[int]) -> str:
    clauses = [f"d.created_by_id = {user_id}"]
    if heads:
        clauses.insert(0, f"d.agency_id IN ({', '.join(map(str, heads))})")
    if desks:
        clauses.insert(0, f"d.desk_id IN ({', '.join(map(str, desks))})")
    clauses.append(f"EXISTS (SELECT 1 FROM task t WHERE t.dossier_id = d.id "
                   f"AND (t.assignee_id = {user_id} OR t.completed_by_id = {user_id}))")
    if pairs:
        tuples = ", ".join(f"('{r}', {u})" for r, u in pairs)
        clauses.append(f"EXISTS (SELECT 1 FROM task t WHERE t.dossier_id = d.id AND "
                       f"t.{OPEN} AND t.assignee_id IS NULL AND (t.role, t.unit_id) IN "
                       f"({tuples}))")
    return f"SELECT d.* FROM dossier d WHERE d.code = '{code}' AND ({' OR '.join(clauses)})"


def _explain(conn: psycopg.Connection[Any], sql: str, runs: int = 5) -> dict[str, Any]:
    times = []
    plan = ""
    for _ in range(runs):
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql).fetchall()
        plan = "\n".join(r[0] for r in rows)
        line = next(r for r in reversed(plan.splitlines()) if "Execution Time" in r)
        times.append(float(line.split(":")[1].split()[0]))
    return {"sql": sql, "execution_ms_median": round(statistics.median(times), 3),
            "plan": plan}


def _user(conn: psycopg.Connection[Any], username: str) -> tuple[int, list[tuple[str, int]]]:
    uid = conn.execute("SELECT id FROM user_account WHERE username = %s",
                       (username,)).fetchone()[0]  # type: ignore[index]
    pairs = [(str(r), int(a)) for r, a in conn.execute(
        "SELECT role, agency_id FROM membership WHERE user_id = %s ORDER BY id", (uid,))]
    return int(uid), pairs


def run(dsn: str, worklist_users: list[str], dossier_cases: list[tuple[str, str]]
        ) -> dict[str, Any]:
    """``dossier_cases``: (username, a code that user may see)."""
    out: dict[str, Any] = {"indexes": [d for _n, d in INDEXES], "worklist": {},
                           "dossier": {}}
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _name, ddl in INDEXES:
            conn.execute(ddl)
        conn.execute("ANALYZE task")
        try:
            for username in worklist_users:
                uid, pairs = _user(conn, username)
                out["worklist"][username] = _explain(conn, worklist_sql(uid, pairs))
            for username, code in dossier_cases:
                uid, pairs = _user(conn, username)
                desks = [a for r, a in pairs if r == "receiver"]
                heads = [a for r, a in pairs if r in ("leader", "admin")]
                out["dossier"][username] = _explain(
                    conn, visibility_sql(code, uid, pairs, desks, heads))
        finally:
            for name, _ddl in INDEXES:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
            conn.execute("ANALYZE task")
    return out
