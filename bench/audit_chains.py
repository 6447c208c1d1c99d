"""The hash chains at scale: every event read in chain order (the baseline), then
``motcua audit seal`` and ``motcua audit verify`` as the operators run them; or, where the
verify command does not exist yet, ``history.chain.first_break`` over every chain."""

from __future__ import annotations

import time
from typing import Any

import psycopg
from audit_measure import _load
from util import Database, log, run_measured


def measure(db: Database, out: dict[str, Any]) -> None:
    """``motcua audit verify`` over every history, against the baseline of reading the same
    events in the same order without checking them."""
    events = db.query("SELECT count(*) FROM history_event")[0][0]
    out["events"] = events
    load = _load()
    began = time.perf_counter()
    read = 0
    with psycopg.connect(db.dsn) as conn, conn.cursor(name="all_events") as cur:
        cur.itersize = 20_000
        cur.execute("SELECT * FROM history_event ORDER BY dossier_id, seq, id")
        for _row in cur:
            read += 1
    seconds = time.perf_counter() - began
    out["baseline_read"] = {"what": "psycopg: every event read in chain order, not checked",
                            "events": read, "seconds": round(seconds, 1),
                            "events_per_s": round(read / seconds), "loadavg": [load, _load()]}
    log(f"audit: read {read:,} events in {seconds:.1f} s")
    if _has_verify_cli():
        # The day's signed head first, so that verify checks leaves and heads too.
        load = _load()
        sealed = run_measured(db, "audit", "seal")
        out["seal"] = {**sealed, "loadavg": [load, _load()]}
        log(f"audit: motcua audit seal: exit {sealed['exit']}, {sealed['seconds']} s")
        load = _load()
        ran = run_measured(db, "audit", "verify")
        ran["events_per_s"] = round(events / ran["seconds"]) if ran["seconds"] else None
        ran["x_baseline"] = round(out["baseline_read"]["events_per_s"]
                                  / ran["events_per_s"], 1) if ran["events_per_s"] else None
        out["cli"] = {**ran, "loadavg": [load, _load()]}
        log(f"audit: motcua audit verify: exit {ran['exit']}, {ran['seconds']} s, "
            f"{ran['events_per_s']} events/s")
    else:
        out["cli"] = None
        out["own_loop"] = _own_verify(db)


def _has_verify_cli() -> bool:
    from importlib.util import find_spec

    return find_spec("motcua.audit.integrity.cli") is not None


def _own_verify(db: Database) -> dict[str, Any]:
    """Until ``motcua audit verify`` exists: ``history.chain.first_break`` over every chain,
    streamed one dossier at a time."""
    from types import SimpleNamespace

    from motcua.history.chain import CHAINED_FIELDS, first_break

    columns = list(dict.fromkeys(["id", "seq", "hash", *CHAINED_FIELDS]))
    load = _load()
    began = time.perf_counter()
    events = broken = chains = 0
    with psycopg.connect(db.dsn) as conn, conn.cursor(name="chains") as cur:
        cur.itersize = 20_000
        cur.execute(f"SELECT {', '.join(columns)} FROM history_event "
                    "ORDER BY dossier_id, seq, id")
        current: int | None = None
        chain: list[Any] = []
        for row in cur:
            event = SimpleNamespace(**dict(zip(columns, row, strict=True)))
            events += 1
            if event.dossier_id != current:
                if chain:
                    chains += 1
                    broken += first_break(chain) is not None
                current, chain = event.dossier_id, []
            chain.append(event)
        if chain:
            chains += 1
            broken += first_break(chain) is not None
    seconds = time.perf_counter() - began
    log(f"audit: own chain check: {events:,} events, {broken} broken, {seconds:.1f} s")
    return {"what": "first_break over every chain (motcua audit verify not there yet)",
            "events": events, "chains": chains, "broken": broken, "seconds": round(seconds, 1),
            "events_per_s": round(events / seconds), "loadavg": [load, _load()]}
