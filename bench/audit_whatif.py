"""The audit bench's what-if: the searches over target run again with the shapes the report
proposes, nothing in the platform changed:

- visibility as one correlated ``EXISTS`` per kind of task link (a probe of
  ``ix_task_dossier`` for each candidate dossier) where ``access.visible`` has
  ``dossier.id IN (SELECT dossier_id FROM task WHERE ...)``: a leader has completed ~570,000
  tasks, past ``work_mem`` the subquery is no longer hashed but rescanned for every candidate;
- the same with JIT off for the transaction: the EXISTS plans' cost estimates pass
  ``jit_above_cost`` and compiling takes longer than running them;
- a code prefix served by an index with ``varchar_pattern_ops``: the database's collation
  (C.UTF-8) is not "C", so ``code LIKE 'prefix%'`` cannot use the unique index on ``code``;
- a code prefix matched and ordered on an index of ``code COLLATE "C"`` (newest code first,
  which within one agency is the reception order): the page then reads 20 index entries.

The indexes are built for the run and dropped after."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from util import Database, log

INDEXES = {"pattern": ("ix_bench_dossier_code_pattern", "(code varchar_pattern_ops)"),
           "c": ("ix_bench_dossier_code_c", '((code COLLATE "C"))')}


@dataclass(frozen=True)
class Shape:
    """How a search is written: the platform's (all False), or with the proposals."""

    exists: bool = False
    jit_off: bool = False
    code_c: bool = False  # match and order a code prefix on code COLLATE "C"

    def label(self) -> str:
        parts = (["EXISTS"] if self.exists else []) + (["JIT off"] if self.jit_off else []) \
            + (['COLLATE "C" index, newest code first'] if self.code_c else [])
        return " + ".join(parts) or "as the platform"


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
            inner: Any = element.right.element
            return exists().where(Task.dossier_id == Dossier.id, inner.whereclause)
        return None

    return visitors.replacement_traverse(visible(user), {}, swap)


def _statements(user: Any, q: str, now: datetime, shape: Shape = Shape()) -> tuple[Any, Any]:
    """The search's page and count statements, as ``dossiers.search.search`` builds them,
    written in ``shape``."""
    from sqlalchemy import func, select

    from motcua.dossiers.models import Dossier
    from motcua.dossiers.search import (
        COUNT_CAP,
        DossierQuery,
        _like_escaped,
        _summaries,
        conditions,
    )

    where = conditions(user, DossierQuery(q=q, limit=20), now)
    if shape.exists:
        where[0] = visible_exists(user)
    code = Dossier.code.collate("C")
    if shape.code_c:
        where[1] = code.like(_like_escaped("".join(q.split())) + "%", escape="\\")
    page = _summaries(where, now)
    if shape.code_c:
        page = page.order_by(None).order_by(code.desc())
    count = select(func.count()).select_from(
        select(Dossier.id).where(*where).limit(COUNT_CAP + 1).subquery())
    return page.limit(20), count


def _case(user_id: int, q: str, shape: Shape, runs: int, label: str) -> dict[str, Any]:
    import audit_measure
    from sqlalchemy import text

    from motcua.db import db as sa
    from motcua.org.models import User

    now = datetime.now(UTC)

    def once() -> Any:
        if shape.jit_off:
            sa.session.execute(text("SET LOCAL jit = off"))
        user = sa.session.get(User, user_id)
        page, count = _statements(user, q, now, shape)
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
    statements, total = audit_measure._search_statements(user_id, q, now, shape)
    plans = audit_measure._explain(statements, f"whatif-{label}",
                                   ["SET jit = off"] if shape.jit_off else [])
    timed = sorted(samples[1:] or samples)
    return {"shape": shape.label(), "median_ms": round(timed[len(timed) // 2], 1),
            "max_ms": round(timed[-1], 1), "runs": len(timed), "timed_out": timed_out,
            "total": total, "plans_ms": [p["execution_ms"] for p in plans],
            "scans": sorted({s for p in plans for s in p["scans"]})}


def _index(db: Database, which: str, create: bool) -> float:
    name, columns = INDEXES[which]
    began = time.perf_counter()
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        if create:
            conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON dossier {columns}")
        else:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute("ANALYZE dossier")
    return round(time.perf_counter() - began, 1)


def run(app: Any, db: Database, cases: dict[str, Any], runs: int = 5) -> dict[str, Any]:
    """Each case over target again: a leader's or specialist's with EXISTS, then also with
    JIT off; a code prefix with each index (and, but for the auditor, EXISTS and JIT off)."""
    from sqlalchemy import select

    from motcua.db import db as sa
    from motcua.org.models import User

    slow = {name: c for name, c in cases.items() if c["over_target"]}
    out: dict[str, Any] = {}
    with app.app_context():
        ids = {u: int(sa.session.scalar(select(User.id).where(User.username == u)) or 0)
               for u in {c["user"] for c in slow.values()}}
        sa.session.remove()

        def measure(name: str, c: dict[str, Any], shape: Shape, suffix: str) -> None:
            key = f"{name}, {shape.label()}" + (f", {suffix}" if suffix else "")
            label = f"{c['user']}-{c['kind']}-{shape.label()}-{suffix}"
            out[key] = _case(ids[c["user"]], c["q"], shape, runs,
                             "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label))
            log(f"audit what-if: {key}: {out[key]['median_ms']} ms")

        for name, c in slow.items():
            if c["user"] != "ks.nga":
                measure(name, c, Shape(exists=True), "")
                measure(name, c, Shape(exists=True, jit_off=True), "")
        prefixes = {n: c for n, c in slow.items() if "prefix" in c["kind"]}
        for which, code_c in (("pattern", False), ("c", True)):
            if not prefixes:
                break
            out[f"{which} index build s"] = _index(db, which, create=True)
            try:
                for name, c in prefixes.items():
                    rewrite = c["user"] != "ks.nga"
                    shape = Shape(exists=rewrite, jit_off=rewrite, code_c=code_c)
                    measure(name, c, shape, "varchar_pattern_ops index" if not code_c else "")
            finally:
                _index(db, which, create=False)
    return out
