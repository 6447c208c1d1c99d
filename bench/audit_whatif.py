"""The audit bench's what-if: the searches over target run again with the shapes the report
proposes, nothing in the platform changed:

- visibility as one correlated ``EXISTS`` per kind of task link (a probe of
  ``ix_task_dossier`` for each candidate dossier) where ``access.visible`` has
  ``dossier.id IN (SELECT dossier_id FROM task WHERE ...)``: a leader has completed ~570,000
  tasks, past ``work_mem`` the subquery is no longer hashed but rescanned for every candidate;
- a code prefix served by an index with ``varchar_pattern_ops`` (created here, dropped after):
  the database's collation (C.UTF-8) is not "C", so ``code LIKE 'prefix%'`` cannot use the
  unique index on ``code``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import psycopg
from util import Database, log

PATTERN_INDEX = "ix_bench_dossier_code_pattern"


def visible_exists(user: Any) -> Any:
    """``access.visible(user)`` with each ``dossier.id IN (SELECT task.dossier_id FROM task
    WHERE …)`` turned into ``EXISTS (SELECT 1 FROM task WHERE task.dossier_id = dossier.id
    AND …)``: the platform's rule itself, rewritten, so the what-if follows it as it changes."""
    from sqlalchemy import exists
    from sqlalchemy.sql import operators, visitors
    from sqlalchemy.sql.elements import BinaryExpression
    from sqlalchemy.sql.selectable import ScalarSelect

    from motcua.dossiers.access import visible
    from motcua.dossiers.models import Dossier
    from motcua.tasks.models import Task

    def swap(element: Any, **_kw: Any) -> Any:
        if (isinstance(element, BinaryExpression) and element.operator is operators.in_op
                and isinstance(element.right, ScalarSelect)
                and element.left.compare(Dossier.__table__.c.id)):
            inner = element.right.element
            return exists().where(Task.dossier_id == Dossier.id, inner.whereclause)
        return None

    return visitors.replacement_traverse(visible(user), {}, swap)


def _statements(user: Any, q: str, now: datetime, rewrite: bool) -> tuple[Any, Any]:
    """The search's page and count statements, as ``dossiers.search.search`` builds them,
    with the visibility rule rewritten when ``rewrite``."""
    from sqlalchemy import func, select

    from motcua.dossiers.models import Dossier
    from motcua.dossiers.search import COUNT_CAP, DossierQuery, _summaries, conditions

    where = conditions(user, DossierQuery(q=q, limit=20), now)
    if rewrite:
        where[0] = visible_exists(user)
    page = _summaries(where, now).limit(20)
    count = select(func.count()).select_from(
        select(Dossier.id).where(*where).limit(COUNT_CAP + 1).subquery())
    return page, count


def _case(user_id: int, q: str, rewrite: bool, runs: int, label: str) -> dict[str, Any]:
    import audit_measure

    from motcua.db import db as sa
    from motcua.org.models import User

    now = datetime.now(UTC)

    def once() -> Any:
        user = sa.session.get(User, user_id)
        page, count = _statements(user, q, now, rewrite)
        sa.session.execute(page).all()
        return sa.session.scalar(count)

    samples = []
    timed_out = False
    for _ in range(runs + 1):
        began = time.perf_counter()
        try:
            audit_measure._capped(once)
        except audit_measure.TimedOut:
            timed_out = True
        samples.append((time.perf_counter() - began) * 1000)
        if timed_out:
            break
    statements, total = audit_measure._search_statements(user_id, q, now, rewrite)
    plans = audit_measure._explain(statements, f"whatif-{label}")
    timed = sorted(samples[1:] or samples)
    return {"median_ms": round(timed[len(timed) // 2], 1), "max_ms": round(timed[-1], 1),
            "runs": len(timed), "timed_out": timed_out, "total": total,
            "plans_ms": [p["execution_ms"] for p in plans],
            "scans": sorted({s for p in plans for s in p["scans"]})}


def run(app: Any, db: Database, cases: dict[str, Any], runs: int = 5) -> dict[str, Any]:
    """Each case over target again: with EXISTS for leaders and specialists, and with the
    pattern index for code prefixes (both for a leader's or specialist's code prefix)."""
    from sqlalchemy import select

    from motcua.db import db as sa
    from motcua.org.models import User

    slow = {name: c for name, c in cases.items() if c["over_target"]}
    out: dict[str, Any] = {}
    with app.app_context():
        ids = {u: int(sa.session.scalar(select(User.id).where(User.username == u)) or 0)
               for u in {c["user"] for c in slow.values()}}
        sa.session.remove()
        for name, c in slow.items():
            if c["user"] != "ks.nga":
                label = f"{c['user']}-{c['kind']}-exists"
                out[f"{name}, EXISTS"] = _case(ids[c["user"]], c["q"], True, runs, label)
                log(f"audit what-if: {name}, EXISTS: {out[f'{name}, EXISTS']['median_ms']} ms")
        prefixes = {n: c for n, c in slow.items() if "prefix" in c["kind"]}
        if prefixes:
            with psycopg.connect(db.dsn, autocommit=True) as conn:
                began = time.perf_counter()
                conn.execute(f"CREATE INDEX IF NOT EXISTS {PATTERN_INDEX} ON dossier "
                             "(code varchar_pattern_ops)")
                conn.execute("ANALYZE dossier")
                out["pattern index build s"] = round(time.perf_counter() - began, 1)
            try:
                for name, c in prefixes.items():
                    rewrite = c["user"] != "ks.nga"
                    key = f"{name}, pattern index" + (" + EXISTS" if rewrite else "")
                    out[key] = _case(ids[c["user"]], c["q"], rewrite, runs,
                                     f"{c['user']}-{c['kind']}-pattern")
                    log(f"audit what-if: {key}: {out[key]['median_ms']} ms")
            finally:
                with psycopg.connect(db.dsn, autocommit=True) as conn:
                    conn.execute(f"DROP INDEX IF EXISTS {PATTERN_INDEX}")
                    conn.execute("ANALYZE dossier")
    return out
