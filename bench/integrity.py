"""Tamper evidence at scale, on PostgreSQL: the daily seal over every dossier's chain head,
and ``audit verify`` of every history, in events per second.

    .venv/bin/python bench/integrity.py                          # 1,000,000 dossiers × 3 events
    .venv/bin/python bench/integrity.py --dossiers 100000 --events 5

A database of its own (``motcua_integrity_bench_*``, dropped at the end unless ``--keep``):
the schema by the migrations, then histories written straight with COPY, each event linked
by ``history.chain.link`` exactly as ``record`` links it (hashed on every core). Only the
history and the audit's tables are exercised, so the foreign keys from them to ``dossier``
are dropped in this database rather than filling dossiers nobody reads here.

Timed: day 1's seal (every dossier a new leaf), day 2's seal after one dossier in ten got one
more event, and ``verify_all`` over both days. Figures only."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "platform"))

from motcua.history.chain import GENESIS, link  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
STEPS = [("received", None, None), ("completed", "Task_Receive", "Tiếp nhận hồ sơ"),
         ("completed", "Task_Assign", "Phân công thụ lý"),
         ("completed", "Task_Examine", "Thẩm định hồ sơ"),
         ("completed", "Task_Review", "Xem xét kết quả")]
COLUMNS = ("dossier_id", "at", "action", "step", "step_name", "note", "seq", "hash")


def _event(dossier_id: int, seq: int) -> dict[str, Any]:
    action, step, name = STEPS[(seq - 1) % len(STEPS)]
    return {"dossier_id": dossier_id, "seq": seq, "action": action, "step": step,
            "step_name": name, "note": f"Ghi chú {seq} của hồ sơ {dossier_id}",
            "at": BASE + timedelta(seconds=dossier_id * 7 + seq * 3600)}


def _chains(span: tuple[int, int, int]) -> list[tuple[Any, ...]]:
    """Events 1..k of dossiers [start, end), linked."""
    start, end, per = span
    rows = []
    for dossier_id in range(start, end):
        previous = GENESIS
        for seq in range(1, per + 1):
            fields = _event(dossier_id, seq)
            previous = link(previous, fields)
            rows.append((*(fields[c] for c in COLUMNS[:-1]), previous))
    return rows


def _copy(dsn: str, rows: list[tuple[Any, ...]]) -> None:
    with psycopg.connect(dsn) as conn, conn.cursor() as cur, cur.copy(
            f"COPY history_event ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _fill(dsn: str, dossiers: int, per: int) -> float:
    started = time.perf_counter()
    chunk = 20_000
    spans = [(s, min(s + chunk, dossiers + 1), per) for s in range(1, dossiers + 1, chunk)]
    with Pool(2) as pool:
        for rows in pool.imap(_chains, spans):
            _copy(dsn, rows)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) history_event")
    return time.perf_counter() - started


def _grow(dsn: str, every: int) -> int:
    """One more event, linked to its head, for one dossier in ``every``."""
    with psycopg.connect(dsn) as conn:
        heads = conn.execute(
            "SELECT dossier_id, seq, hash FROM history_event e WHERE dossier_id %% %s = 0 "
            "AND seq = (SELECT max(seq) FROM history_event x WHERE x.dossier_id = e.dossier_id)",
            (every,)).fetchall()
    rows = []
    for dossier_id, seq, previous in heads:
        fields = _event(dossier_id, seq + 1)
        rows.append((*(fields[c] for c in COLUMNS[:-1]), link(previous, fields)))
    _copy(dsn, rows)
    return len(rows)


def _timed(label: str, fn: Any, results: dict[str, Any]) -> Any:
    started = time.perf_counter()
    value = fn()
    results[label] = round(time.perf_counter() - started, 2)
    print(f"  {label}: {results[label]} s", file=sys.stderr)
    return value


def run(dossiers: int, per: int, keep: bool) -> dict[str, Any]:
    from flask_migrate import upgrade

    from motcua.app import create_app
    from motcua.audit.integrity.seal import seal
    from motcua.audit.integrity.verify import verify_all
    from motcua.db import db

    name = f"motcua_integrity_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    results: dict[str, Any] = {"dossiers": dossiers, "events_per_dossier": per,
                               "database": name}
    try:
        app = create_app({"TESTING": True, "DATABASE_URL": dsn,
                          "INSTANCE_PATH": tempfile.mkdtemp(prefix="integrity-bench-")})
        with app.app_context():
            upgrade()
            for table, fk in (("history_event", "fk_history_event_dossier_id_dossier"),
                              ("tree_leaf", "fk_tree_leaf_dossier_id_dossier")):
                db.session.execute(db.text(f'ALTER TABLE {table} DROP CONSTRAINT "{fk}"'))
            db.session.commit()
        print(f"filling {dossiers} dossiers × {per} events", file=sys.stderr)
        results["fill_s"] = round(_fill(dsn, dossiers, per), 1)
        with app.app_context():
            day_1 = _timed("seal_day_1_s", lambda: seal(date(2026, 3, 16), datetime.now(UTC)),
                           results)
            db.session.commit()
            results["tree_size"], results["day_1_leaves"] = day_1.head.size, day_1.changed
            results["grown"] = _grow(dsn, 10)
            day_2 = _timed("seal_day_2_s", lambda: seal(date(2026, 3, 17), datetime.now(UTC)),
                           results)
            db.session.commit()
            results["day_2_leaves"] = day_2.changed
            report = _timed("verify_both_days_s", verify_all, results)
            db.session.rollback()
            results.update(verify_events=report.events,
                           verify_events_per_s=round(report.rate), verify_intact=report.intact,
                           verify_heads=report.heads)
            db.session.remove()
            db.engine.dispose()
        results["peak_rss_mib"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    finally:
        if not keep:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=3, help="events per dossier")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    print(json.dumps(run(args.dossiers, args.events, args.keep), indent=2))


if __name__ == "__main__":
    main()
