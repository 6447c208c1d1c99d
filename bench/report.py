"""The markdown report printed at the end of a run (all figures also in latest.json)."""

from __future__ import annotations

from typing import Any

from steps import STEP_LABELS

BACKENDS = (("sqlite", "ours, SQLite (HTTP)"), ("postgresql", "ours, PostgreSQL (HTTP)"))
TARGET_RATIO = 3.0
TARGET_P95_MS = 50.0


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.1f}×"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return out


def completion(r: dict[str, Any]) -> list[str]:
    base = r.get("floor", {}).get("completion")
    if not base:
        return []
    fm = base["all"]["median_ms"]
    fp = base["all"]["p95_ms"]
    rows = [["floor: raw SpiffWorkflow, in-process", base["all"]["n"], fm, fp, "1.0×", "1.0×",
             "–"]]
    for key, label in BACKENDS:
        c = r.get(key, {}).get("completion")
        if c:
            a = c["all"]
            ratio = a["median_ms"] / fm
            rows.append([label, a["n"], a["median_ms"], a["p95_ms"], _ratio(a["median_ms"], fm),
                         _ratio(a["p95_ms"], fp),
                         "yes" if ratio <= TARGET_RATIO else "no"])
    lines = ["## 1. Completion cost: floor vs ours (procedure 2.000488)", "",
             "Each dossier: 9 completions (accept → assign → examine → review back → examine → "
             "review agree → approve → issue → return). Ours is the wall time of "
             "`POST /api/v1/tasks/{id}/complete` seen by a kept-alive HTTP client.", ""]
    lines += _table(["", "completions", "median ms", "p95 ms", "median ratio", "p95 ratio",
                     f"≤ {TARGET_RATIO:.0f}× (median)"], rows)
    cpu_rows = [["floor: raw SpiffWorkflow, in-process", base.get("cpu_ms_per_completion"), None,
                 None]]
    for key, label in BACKENDS:
        c = r.get(key, {}).get("completion")
        if c:
            counts = sorted(s["statements"] for s in c.get("sql_per_completion", []))
            spread = (f"{counts[len(counts) // 2]} ({counts[0]}–{counts[-1]})"
                      if counts else None)
            cpu = c.get("cpu_ms_per_request", {})
            cpu_rows.append([label, cpu.get("server"), cpu.get("database"), spread])
    lines += ["", "CPU time per request (less sensitive than wall time to other load on the "
              "machine; ours includes the `POST /dossiers`), and SQL statements per "
              "completion (median, min–max over the 9 steps):", ""]
    lines += _table(["", "CPU ms: process", "CPU ms: PostgreSQL backends", "SQL / completion"],
                    cpu_rows)
    lines += ["", "Per step, median ms and SQL statements (`explain.py`):", ""]
    step_rows = []
    for i, label in enumerate(STEP_LABELS):
        row = [label, base["per_step"][i]["median_ms"]]
        for key, _l in BACKENDS:
            c = r.get(key, {}).get("completion")
            row.append(c["per_step"][i]["median_ms"] if c else None)
        for key, _l in BACKENDS:
            sql = r.get(key, {}).get("completion", {}).get("sql_per_completion") or []
            row.append(sql[i]["statements"] if i < len(sql) else None)
        step_rows.append(row)
    creates = [r.get(k, {}).get("completion", {}).get("create", {}) for k, _l in BACKENDS]
    step_rows.append(["(create dossier, POST /dossiers)", None,
                      *[c.get("median_ms") for c in creates], None, None])
    lines += _table(["step", "floor", "SQLite", "PostgreSQL", "SQL SQLite", "SQL PostgreSQL"],
                    step_rows)
    return [*lines, ""]


def growth(r: dict[str, Any]) -> list[str]:
    rows = []
    sources = [("floor (raw SpiffWorkflow)", r.get("floor", {}).get("growth"))]
    sources += [(label, r.get(key, {}).get("growth")) for key, label in BACKENDS]
    for label, marks in sources:
        if not marks:
            continue
        loops = sorted(marks, key=int)
        first = marks[loops[0]]
        for loop in loops:
            m = marks[loop]
            c = m["completion"]
            cpu = m.get("cpu_ms_per_completion", {})
            cpu_ms = (cpu.get("server") or 0) + (cpu.get("database") or 0)
            first_cpu = first.get("cpu_ms_per_completion", {})
            first_ms = (first_cpu.get("server") or 0) + (first_cpu.get("database") or 0)
            rows.append([label, int(loop), c["median_ms"], c["p95_ms"],
                         _ratio(c["median_ms"], first["completion"]["median_ms"]),
                         round(cpu_ms, 1), _ratio(cpu_ms, first_ms),
                         m["state_bytes"], m.get("stored_bytes"),
                         m.get("task_rows"), m.get("history_rows")])
    if not rows:
        return []
    window = r["meta"]["config"]["window"]
    lines = ["## 2. Cost vs history: the send-back loop (examine approve → review back)", "",
             f"Latency of the completions in the last {window} loops before each mark, and "
             "their mean CPU time (ours: serve process + PostgreSQL backends); state size "
             "after the mark (floor: `serialize_json` length; ours: `dossier.workflow_state` "
             "as JSON text, and as stored — PostgreSQL `pg_column_size`, compressed).", ""]
    lines += _table(["", "loops", "median ms", "p95 ms", "vs first mark", "CPU ms",
                     "CPU vs first", "state bytes", "stored bytes", "task rows",
                     "history rows"], rows)
    return [*lines, ""]


def scale(r: dict[str, Any]) -> list[str]:
    s = r.get("scale")
    if not s:
        return []
    lines = ["## 3. Worklist and lookups at scale (PostgreSQL, through `motcua serve`)", "",
             f"Set-based fill on the CLI-imported sample org/decision/processes, "
             f"{s.get('dossiers_per_day')} dossiers a day; VACUUM ANALYZE after each fill. "
             f"Target p95 ≤ {TARGET_P95_MS:.0f} ms. `SQL` = statements per request; "
             "`slowest` = EXPLAIN ANALYZE time of its slowest statement (replayed in-process).",
             ""]
    for size, d in s["sizes"].items():
        c = d["counts"]
        f = d["fill_seconds"]
        lines += [f"**{int(size):,} dossiers** — {c['dossier_rows']:,} dossiers, "
                  f"{c['task_rows']:,} tasks ({c['open_tasks']:,} open), "
                  f"{c['history_event_rows']:,} history events, database {c['database_mib']:,} "
                  f"MiB; fill {f['total']} s (of which indexes + FKs "
                  f"{round(f['indexes'] + f['constraints'], 1)} s, VACUUM ANALYZE "
                  f"{f['vacuum_analyze']} s); server RSS {d['server_rss_mib']} MiB", ""]
        rows = []
        for name, e in d["endpoints"].items():
            rows.append([name, e.get("rows"), e["n"], e["median_ms"], e["p95_ms"],
                         e.get("statements_per_request"), e.get("slowest_statement_ms"),
                         "**no**" if e["slow"] else "yes"])
        lines += _table(["endpoint", "rows", "n", "median ms", "p95 ms", "SQL", "slowest ms",
                         f"p95 ≤ {TARGET_P95_MS:.0f} ms"], rows)
        lines.append("")
        lines += _what_if(d)
        lines += _pages(d)
    return lines


PAGES_TARGET_P95_MS = 100.0


def _pages(d: dict[str, Any]) -> list[str]:
    p = d.get("pages")
    if not p:
        return []
    rows = []
    for e in p.values():
        shown = e.get("rows")
        if e.get("total") is not None:
            shown = f"{e['rows']} of {'>' if e.get('capped') else ''}{e['total']:,}"
        repeated = e.get("repeated") or []
        rows.append([e["page"], e["user"], shown, e["n"], e.get("median_ms"), e.get("p95_ms"),
                     f"{_f(e.get('api_median_ms'))} / {_f(e.get('api_p95_ms'))}",
                     f"{_f(e.get('ratio_median'))}× / {_f(e.get('ratio_p95'))}×"
                     if e.get("ratio_median") else "–",
                     e.get("statements_per_request"),
                     f"{repeated[0][0]}×" if repeated else "–",
                     e.get("sql_ms"), e.get("in_process_ms"), e.get("slowest_statement_ms"),
                     "**no**" if e["slow"] else "yes"])
    lines = ["Pages (server-rendered HTML, signed in with the login form's session cookie; "
             "worklist pages compared with `GET /api/v1/tasks` (50 rows) of the same run, the "
             "task page with `GET /api/v1/tasks/{id}` over the same ids, the dossier page with "
             "`GET /api/v1/dossiers/{code}`). `rows` = rows shown of the page's total; "
             "`rep` = how often the most repeated statement runs (N+1); `SQL ms` = time in "
             "the driver and `in-proc ms` = the whole request, replayed in-process after a "
             f"warm-up. Target p95 ≤ {PAGES_TARGET_P95_MS:.0f} ms.", ""]
    lines += _table(["page", "user", "rows", "n", "median ms", "p95 ms", "API median / p95",
                     "ratio median / p95", "SQL", "rep", "SQL ms", "in-proc ms", "slowest ms",
                     f"p95 ≤ {PAGES_TARGET_P95_MS:.0f} ms"], rows)
    return [*lines, ""]


def _what_if(d: dict[str, Any]) -> list[str]:
    p = d.get("proposals")
    if not p:
        return []
    rows = []
    for name, e in d["endpoints"].items():
        user = e.get("user")
        kind = "worklist" if name.startswith("GET /tasks as") else "dossier"
        proposed = p.get(kind, {}).get(user) if user and name.startswith(("GET /tasks as",
                                                                           "GET /dossiers")) else None
        if proposed:
            rows.append([name, e.get("slowest_statement_ms"), proposed["execution_ms_median"],
                         _ratio(e.get("slowest_statement_ms"), proposed["execution_ms_median"])])
    if not rows:
        return []
    lines = ["What-if (bench/proposals.py, EXPLAIN ANALYZE execution time of the main "
             "statement): the platform's statement vs the rewritten one (worklist: one "
             "index-ordered `UNION ALL` branch per eligibility + 2 partial indexes; "
             "visibility: correlated `EXISTS`).", ""]
    lines += _table(["endpoint", "platform ms", "proposed ms", "faster"], rows)
    return [*lines, ""]


def memory(r: dict[str, Any]) -> list[str]:
    rows = []
    for key, label in BACKENDS:
        b = r.get(key)
        if b:
            rows.append([f"motcua serve, {label.split(', ')[1]}", b.get("server_rss_mib"),
                         b.get("server_peak_rss_mib"), "after parts 1–2"])
    s = r.get("scale")
    if s:
        rows.append(["motcua serve, PostgreSQL at scale", s.get("server_rss_mib"),
                     s.get("server_peak_rss_mib"), "after part 3"])
    for key, label in (*BACKENDS, ("scale", "PostgreSQL at scale")):
        w = (r.get(key) or {}).get("worker_once")
        if w:
            name = label.split(", ")[-1].replace(" (HTTP)", "")
            rows.append([f"motcua worker --once, {name}", w["sampled_rss_mib"],
                         w["peak_rss_mib"], f"{w['seconds']} s, exit {w['exit']}"])
    if not rows:
        return []
    lines = ["## 4. Resident memory", "",
             "RSS (psutil) of the serve subprocess at the end of its run; peak = `ru_maxrss` "
             "from `wait4` when it exits (includes the Argon2 password checks at login, "
             "19 MiB each with the default cost).", ""]
    lines += _table(["process", "RSS MiB", "peak MiB", "note"], rows)
    return [*lines, ""]


def markdown(r: dict[str, Any]) -> str:
    m = r["meta"]
    head = [f"# motcua bench ({m['mode']}, {m['started']}, {m.get('seconds')} s)", "",
            f"{m['cpus']} CPUs, load {m['loadavg_start'][0]:.2f} → "
            f"{m.get('loadavg_end', [0])[0]:.2f}; Python {m['python']}, SpiffWorkflow "
            f"{m['spiffworkflow']}, PostgreSQL {m.get('postgresql')}, waitress {m['waitress']}.",
            ""]
    code = m.get("code")
    if code:
        head += [f"Code: a copy of the working tree at the start, commit "
                       f"{code['commit'][:10]} + {code['uncommitted_files']} uncommitted "
                       f"file(s) under platform/ and web/.", ""]
    if r.get("error"):
        head += [f"**The run failed** (partial figures below): "
                 f"`{r['error'].strip().splitlines()[-1]}`", ""]
    return "\n".join(head + completion(r) + growth(r) + scale(r) + memory(r))
