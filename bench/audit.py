"""``make bench-audit``: finding dossiers, the Decision 766 indicators and ``audit verify``
on 1,000,000 dossiers in PostgreSQL (issue 10). Prints a markdown report; writes
bench/results/audit.json and the search plans beside it. Figures only: nothing asserts on
time.

    .venv/bin/python bench/audit.py                     # fill 1,000,000, measure, drop
    .venv/bin/python bench/audit.py --keep              # ... and keep the filled database
    .venv/bin/python bench/audit.py --reuse --keep      # measure again on the kept one
    .venv/bin/python bench/audit.py --size 20000        # a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from util import (
    PG_ADMIN,
    RESULTS,
    Database,
    Http,
    Server,
    log,
    setup_sample,
    snapshot_code,
)

KEPT = "motcua_audit_bench"  # not motcua_bench_*: run.py's clean-up leaves it alone
FINISHED = 85  # per cent of dossiers drawn finished: a year of a province's dossiers


class KeptDatabase(Database):
    """The audit bench's database under a fixed name, so a later run can reuse it."""

    def __init__(self, workdir: Path, name: str, create: bool) -> None:
        self.backend = "postgresql"
        self.workdir = workdir
        self.label = "audit"
        self.name = name
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        if create:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')

    def env(self) -> dict[str, str]:
        # The instance folder (the audit's signing key) lives as long as the database, so
        # the heads sealed in one run verify in the next.
        env = super().env()
        env["MOTCUA_INSTANCE"] = str(RESULTS / f"{self.name}-instance")
        return env

    @property
    def state(self) -> Path:
        """What the database holds (size, fill, mix), for a later ``--reuse``."""
        return RESULTS / f"{self.name}.json"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="dossiers to fill")
    parser.add_argument("--finished", type=float, default=FINISHED,
                        help="per cent of dossiers drawn finished (default %(default)s)")
    parser.add_argument("--database", default=KEPT,
                        help="the database's name (default %(default)s)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure on the database kept by an earlier --keep")
    parser.add_argument("--keep", action="store_true", help="keep the filled database")
    parser.add_argument("--fill-only", action="store_true", help="fill, measure nothing")
    parser.add_argument("--requests", type=int, default=100, help="samples per search case")
    parser.add_argument("--parts", default="search,http,indicators,whatif,verify",
                        help="which measurements (default %(default)s)")
    parser.add_argument("--cases", type=Path,
                        help="--parts whatif alone: the cases over target from this JSON")
    parser.add_argument("--output", type=Path, default=RESULTS / "audit.json")
    return parser.parse_args()


def _exists(name: str) -> bool:
    with psycopg.connect(PG_ADMIN) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone() is not None


def prepare(workdir: Path, args: argparse.Namespace) -> tuple[KeptDatabase, dict[str, Any]]:
    """The filled database: the kept one (``--reuse``), or a new one set up by the CLI and
    filled (``fill.py``). Returns it with what it holds."""
    import fill
    import khai_sinh
    import scale

    db = KeptDatabase(workdir, args.database, create=False)
    if args.reuse:
        if not _exists(db.name) or not db.state.exists():
            raise SystemExit(f"--reuse: no kept database {db.name} (run with --keep first)")
        state = json.loads(db.state.read_text(encoding="utf-8"))
        log(f"audit: reusing {db.name} ({state['size']:,} dossiers, filled "
            f"{state['filled_at']})")
        return db, state
    db.state.unlink(missing_ok=True)
    db = KeptDatabase(workdir, args.database, create=True)
    setup_sample(db, [(khai_sinh.PROCEDURE, khai_sinh.write(workdir / "khai-sinh"))])
    server = Server(db)
    try:
        http = Http(server.port)
        templates = scale._templates(http, db)
        http.close()
    finally:
        server.stop()
    # As part 3 does: everything within the year since the process versions took effect.
    per_day = max(300, -(-args.size // 320))
    log(f"audit: filling {args.size:,} dossiers ({args.finished}% drawn finished)")
    started = time.time()
    load = os.getloadavg()
    timings = fill.fill(db.dsn, 0, args.size, per_day, templates, finished=args.finished)
    state = {"size": args.size, "finished_pct": args.finished, "dossiers_per_day": per_day,
             "filled_at": datetime.now(UTC).isoformat(timespec="seconds"),
             "fill_seconds": timings, "loadavg": [load, os.getloadavg()],
             "wall_s": round(time.time() - started, 1), "counts": fill.counts(db.dsn),
             "mix": fill.mix(db.dsn)}
    db.state.write_text(json.dumps(state, indent=1, ensure_ascii=False, default=str),
                        encoding="utf-8")
    log(f"audit: filled in {timings['total']} s: {state['counts']}")
    return db, state


def main() -> int:
    args = _args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"meta": {
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(), "args": {k: str(v) for k, v in vars(args).items()}}}
    status = 0
    db: KeptDatabase | None = None
    with tempfile.TemporaryDirectory(prefix="motcua-bench-audit-") as tmp:
        workdir = Path(tmp)
        result["meta"]["code"] = snapshot_code(workdir)
        try:
            db, result["fill"] = prepare(workdir, args)
            if not args.fill_only:
                import audit_measure

                audit_measure.run(db, result, args.requests,
                                  {p.strip() for p in args.parts.split(",") if p.strip()},
                                  args.cases)
        except Exception:
            result["error"] = traceback.format_exc()
            log(result["error"])
            status = 1
        finally:
            if db is not None and not args.keep:
                db.drop()
                db.state.unlink(missing_ok=True)
                shutil.rmtree(RESULTS / f"{db.name}-instance", ignore_errors=True)
    result["meta"]["loadavg_end"] = os.getloadavg()
    args.output.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str),
                           encoding="utf-8")
    if not args.fill_only and "error" not in result:
        print(markdown(result))
    log(f"wrote {args.output}")
    return status


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join("" if c is None else str(c) for c in cells) + " |"


def _ms(stats: dict[str, Any]) -> str:
    if stats.get("timed_out"):
        return f"> {stats['median_ms'] / 1000:.0f} s (stopped)"
    return f"{stats['median_ms']:.1f} / {stats['p95_ms']:.1f}"


def _total(total: int | None) -> str:
    # The search counts up to 10,001 rows: one more than it shows.
    if total is None:
        return "?"
    return "10,000+" if total > 10_000 else f"{total:,}"


def _x(stats: dict[str, Any]) -> str:
    return f"{stats['x_median']}× / {stats['x_p95']}×"


def _load(stats: dict[str, Any]) -> str:
    start, end = stats["loadavg"]
    return f"{start[0]}→{end[0]}"


def markdown(result: dict[str, Any]) -> str:
    """The report: the fill, then one table per measurement (median / p95, ratios against
    the run's baseline, the load average at start → end of each figure)."""
    f = result["fill"]
    c, m = f["counts"], f["mix"]
    lines = ["# Audit benchmarks (issue 10)", "",
             f"{c['dossier_rows']:,} dossiers, {c['task_rows']:,} tasks "
             f"({c['open_tasks']:,} open), {c['history_event_rows']:,} history events, "
             f"database {c['database_mib']:,} MiB; filled at {f['filled_at']} in "
             f"{f['fill_seconds']['total']} s (lives {f['fill_seconds']['lives']} s; load "
             f"{f['loadavg'][0][0]:.1f}→{f['loadavg'][1][0]:.1f}). Status {m['status']}; "
             f"channel {m['channel']}; handled {m['handled_timing']}; open past due "
             f"{m['open_past_due']:,}; supplement requests {m['supplement_count']}; "
             f"apologies {m['apologies']:,}.", ""]
    s = result.get("search")
    if s:
        base = s["baseline"]
        lines += ["## Finding dossiers (`dossiers.search.search`, in-process)", "",
                  f"Baseline: {base['what']}, {_ms(base)} ms. Target p95 ≤ 100 ms. "
                  "`total`: the count the page shows (capped at 10,000; `?` when the count "
                  "itself ran past the 30 s cap). Plans: EXPLAIN ANALYZE of the page and the "
                  "count statements, ms (`None`: stopped after 120 s, plan only).", "",
                  _row(["case", "q (first)", "total", "median / p95 ms", "× baseline",
                        "plans ms (page, count)", "load", "target"]),
                  _row(["---"] * 8)]
        for name, e in s["cases"].items():
            lines.append(_row([name, f"`{e['q']}`", _total(e["total"]), _ms(e), _x(e),
                               ", ".join(str(p["execution_ms"]) for p in e["plans"]),
                               _load(e), "**no**" if e["over_target"] else "yes"]))
        lines.append("")
    w = result.get("whatif")
    if w:
        lines += ["What-if (`audit_whatif.py`: visibility by correlated EXISTS, JIT off, code "
                  "prefixes through a `varchar_pattern_ops` index or matched and ordered on an "
                  'index of `code COLLATE "C"`; indexes built for the run and dropped):', "",
                  _row(["case, shape", "median / max ms (page + count)", "plans ms", "total"]),
                  _row(["---"] * 4)]
        lines += [_row([name, f"{e['median_ms']} / {e['max_ms']}", e["plans_ms"],
                        _total(e["total"])]) for name, e in w.items() if isinstance(e, dict)]
        built = [f"{k.split()[0]} {w[k]} s" for k in w if k.endswith("index build s")]
        if built:
            lines.append(f"\nIndexes built in: {', '.join(built)}.")
        lines.append("")
    h = result.get("search_http")
    if h:
        lines += ["Over HTTP (`GET /api/v1/dossiers?q=`, `motcua serve`, bearer token):", "",
                  _row(["case", "median / p95 ms", "× baseline", "load"]), _row(["---"] * 4)]
        lines += [_row([name, _ms(e), _x(e), _load(e)]) for name, e in h.items()]
        lines.append("")
    ind = result.get("indicators")
    if ind:
        lines += [f"## Decision 766 indicators, {ind['period'][0]} to {ind['period'][1]}", "",
                  "Target ≤ 2 s.", "", _row(["scope", "median / p95 ms", "SQL", "load",
                                              "target"]), _row(["---"] * 5)]
        lines += [_row([name, _ms(e), e["statements"], _load(e),
                        "**no**" if e["over_target"] else "yes"])
                  for name, e in ind.items() if name != "period"]
        lines.append("")
    v = result.get("verify")
    if v:
        b = v["baseline_read"]
        lines += ["## Hash chains", "", f"{v['events']:,} events. Baseline: {b['what']}: "
                  f"{b['events_per_s']:,} events/s ({b['seconds']} s, load "
                  f"{b['loadavg'][0][0]}→{b['loadavg'][1][0]}).", ""]
        seal = v.get("seal")
        if seal:
            lines.append(f"`motcua audit seal` (the day's signed head over every chain): exit "
                         f"{seal['exit']}, {seal['seconds']} s, peak RSS "
                         f"{seal['peak_rss_mib']} MiB, load {seal['loadavg'][0][0]}→"
                         f"{seal['loadavg'][1][0]}.")
        cli = v.get("cli")
        if cli:
            lines.append(f"`motcua audit verify`: exit {cli['exit']}, {cli['seconds']} s, "
                         f"**{cli['events_per_s']:,} events/s** ({cli['x_baseline']}× slower "
                         f"than the read), peak RSS {cli['peak_rss_mib']} MiB, load "
                         f"{cli['loadavg'][0][0]}→{cli['loadavg'][1][0]}. Its last words: "
                         f"`{cli['output'].splitlines()[-1] if cli['output'] else ''}`")
        own = v.get("own_loop")
        if own:
            lines.append(f"{own['what']}: {own['events_per_s']:,} events/s, "
                         f"{own['broken']} broken of {own['chains']:,} chains "
                         f"({own['seconds']} s).")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
