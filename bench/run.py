"""``make bench``: raw SpiffWorkflow vs our HTTP API, cost vs history, worklist and lookups at
scale in PostgreSQL, resident memory. Prints a markdown report; writes
bench/results/latest.json. Figures only: nothing here asserts on time.

    .venv/bin/python bench/run.py                 # full run (~15-20 min on 2 cores)
    .venv/bin/python bench/run.py --quick         # smoke run, small sizes (< 2 min)
    .venv/bin/python bench/run.py --sizes 100000,1000000 --parts 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import explain
import floor
import ours
import report
import scale
from util import (
    RESULTS,
    Database,
    Http,
    Server,
    drop_leftover_databases,
    log,
    run_measured,
    setup_sample,
    snapshot_code,
)

FULL = {"dossiers": 100, "loops": [10, 100], "window": 10, "sizes": [100_000, 1_000_000],
        "requests": 100, "budget_s": 20.0}
QUICK = {"dossiers": 5, "loops": [10, 30], "window": 5, "sizes": [2_000, 5_000],
         "requests": 15, "budget_s": 3.0}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--sizes", help="dossier counts for part 3, e.g. 100000,1000000")
    parser.add_argument("--dossiers", type=int, help="dossiers walked per backend in part 1")
    parser.add_argument("--parts", default="1,2,3,4",
                        help="which parts to run (1 completion, 2 growth, 3 scale, 4 memory)")
    parser.add_argument("--what-if", action="store_true",
                        help="part 3: also EXPLAIN the rewritten queries of proposals.py")
    parser.add_argument("--keep", action="store_true",
                        help="part 3: keep the filled database for a look afterwards (the "
                             "next run drops it with the other leftovers)")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    return parser.parse_args()


def _backend(backend: str, workdir: Path, cfg: dict[str, Any], parts: set[int],
             out: dict[str, Any]) -> None:
    """Parts 1, 2 and 4 for one backend: one fresh database, one server."""
    db = Database(backend, workdir, backend)
    server = None
    try:
        setup_sample(db)
        server = Server(db)
        http = Http(server.port)
        if 1 in parts:
            log(f"{backend}: walking {cfg['dossiers']} dossiers over HTTP")
            out["completion"] = ours.completion(http, cfg["dossiers"], server)
            out["completion"]["loadavg"] = os.getloadavg()
            out["completion"]["sql_per_completion"] = explain.count_walk(db.url, http.tokens)
        if 2 in parts:
            log(f"{backend}: send-back loop x{max(cfg['loops'])}")
            out["growth"] = ours.growth(http, db, cfg["loops"], cfg["window"], server)
        http.close()
        out["server_rss_mib"] = round(server.rss() / 2**20, 1)
        if 4 in parts:
            out["worker_once"] = run_measured(db, "worker", "--once")
    finally:
        explain.dispose()
        if server is not None:
            server.stop()
            out["server_peak_rss_mib"] = round((server.peak_rss or 0) / 2**20, 1)
        db.drop()


def main() -> int:
    args = _args()
    cfg = dict(QUICK if args.quick else FULL)
    if args.sizes:
        cfg["sizes"] = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.dossiers:
        cfg["dossiers"] = args.dossiers
    parts = {int(p) for p in args.parts.split(",") if p.strip()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    left = drop_leftover_databases()
    if left:
        log(f"dropped databases left by an earlier run: {left}")
    started = time.perf_counter()
    result: dict[str, Any] = {"meta": {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full", "config": cfg, "parts": sorted(parts),
        "cpus": os.cpu_count(), "loadavg_start": os.getloadavg(),
        "python": platform.python_version(), "spiffworkflow": version("SpiffWorkflow"),
        "waitress": version("waitress"), "sqlalchemy": version("SQLAlchemy")}}
    status = 0
    try:
        _run(result, cfg, parts, args.what_if, args.keep)
    except Exception:
        result["error"] = traceback.format_exc()
        log(result["error"])
        status = 1
    result["meta"]["postgresql"] = _pg_version()
    result["meta"]["loadavg_end"] = os.getloadavg()
    result["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str),
                           encoding="utf-8")
    print(report.markdown(result))
    log(f"wrote {args.output} in {result['meta']['seconds']} s")
    return status


def _run(result: dict[str, Any], cfg: dict[str, Any], parts: set[int], what_if: bool,
         keep: bool = False) -> None:
    """Each part adds its figures to ``result`` as soon as it has them."""
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        workdir = Path(tmp)
        result["meta"]["code"] = snapshot_code(workdir)
        if parts & {1, 2}:
            result["floor"] = {}
            if 1 in parts:
                log(f"floor: raw SpiffWorkflow, {cfg['dossiers']} dossiers")
                floor.completion(2)  # warm-up
                result["floor"]["completion"] = floor.completion(cfg["dossiers"])
            if 2 in parts:
                result["floor"]["growth"] = floor.growth(cfg["loops"], cfg["window"])
        if parts & {1, 2, 4}:
            for backend in ("sqlite", "postgresql"):
                result[backend] = {}
                _backend(backend, workdir, cfg, parts, result[backend])
        if 3 in parts:
            result["scale"] = {}
            scale.run(workdir, cfg["sizes"], cfg["requests"], cfg["budget_s"], result["scale"],
                      what_if, keep)


def _pg_version() -> str:
    import psycopg
    from util import PG_ADMIN

    with psycopg.connect(PG_ADMIN) as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]


if __name__ == "__main__":
    sys.exit(main())
