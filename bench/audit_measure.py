"""The measurements of ``audit.py`` on the filled database: finding dossiers (in-process and
over HTTP), the Decision 766 indicators over a year, ``motcua audit verify``; each against a
baseline of the same run, with the load average beside it, and the searches' plans saved
under bench/results/audit-explain/."""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import explain
import fill
from util import RESULTS, Database, Http, Server, log, summary

SEARCH_TARGET_MS = 100.0
INDICATORS_TARGET_S = 2.0
EXPLAINED = RESULTS / "audit-explain"
WARMUP = 3
MIN_SAMPLES = 15
FEW_SAMPLES = 3
SLOW_MS = 5000.0
TIMEOUT_S = 30  # a measured search stops here (its EXPLAIN ANALYZE after EXPLAIN_TIMEOUT_S)
EXPLAIN_TIMEOUT_S = 120
BUDGET_S = 20.0  # per case: a slow one stops after MIN_SAMPLES once it has spent this
SCAN_NODES = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan",
              "Bitmap Index Scan")
USERS = {"ks.nga": "auditor (province)", "gd.son": "leader (Sở Tư pháp and below)",
         "cv.mai": "specialist (his tasks)"}


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _timed(call: Callable[[Any], Any], inputs: list[Any], budget_s: float = BUDGET_S
           ) -> dict[str, Any]:
    """Median/p95 of ``call(input)`` over ``inputs`` after WARMUP unmeasured ones. A case of
    seconds per call stops early (one warm-up, FEW_SAMPLES samples): its order of magnitude
    is the figure, not its p95."""
    samples: list[float] = []
    spent = 0.0
    load = _load()
    warm = 0
    timed_out = 0
    for value in inputs:
        began = time.perf_counter()
        try:
            call(value)
        except TimedOut:
            timed_out += 1
        ms = (time.perf_counter() - began) * 1000
        if warm < WARMUP and not timed_out:
            warm = WARMUP if ms > SLOW_MS else warm + 1
            continue
        samples.append(ms)
        spent += ms / 1000
        slow = len(samples) >= FEW_SAMPLES and statistics.median(samples) > SLOW_MS
        if timed_out or slow or (spent > budget_s and len(samples) >= MIN_SAMPLES):
            break
    return {**summary(samples), "timed_out": timed_out, "loadavg": [load, _load()]}


class TimedOut(Exception):
    """A search cancelled by its statement timeout (TIMEOUT_S)."""


def _capped(run: Callable[[], Any]) -> Any:
    """``run`` in a transaction whose statements stop after TIMEOUT_S: a search of minutes
    is recorded as "more than TIMEOUT_S", not waited for."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from motcua.db import db as sa

    sa.session.execute(text(f"SET LOCAL statement_timeout = '{TIMEOUT_S * 1000:.0f}ms'"))
    try:
        return run()
    except OperationalError as exc:
        if "statement timeout" not in str(exc):
            raise
        raise TimedOut from exc
    finally:
        sa.session.remove()


def _ratio(stats: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    return {**stats, "x_median": round(stats["median_ms"] / base["median_ms"], 1),
            "x_p95": round(stats["p95_ms"] / base["p95_ms"], 1)}


# --- the inputs -----------------------------------------------------------------------

def _inputs(db: Database, n: int, rng: random.Random) -> dict[str, Any]:
    """What each case searches for, drawn from the data: names of the fill's lists in the
    shapes officers type, codes each user may see, code prefixes of a day and a month."""
    from motcua.folding import fold

    names = [fill.name(i) for i in range(fill.NAMES)]
    words = [fold(f).split() for f in names]
    out: dict[str, Any] = {
        # ~1 in 2,816 dossiers
        "name full": [" ".join(rng.choice(words)) for _ in range(n)],
        # middle + given name, from the middle of the name: ~1 in 176
        "name middle+given": [" ".join(rng.choice(words)[1:]) for _ in range(n)],
        # a given name alone: ~1 in 22
        "name given": [rng.choice(words)[2] for _ in range(n)],
        # as typed with accents and capitals: folded like the stored names
        "name accented": [rng.choice(names).upper() for _ in range(n)],
    }
    codes: dict[str, list[str]] = {}
    for user in USERS:
        where = _visible_sql(db, user)
        codes[user] = [str(r[0]) for r in db.query(
            f"SELECT code FROM dossier d WHERE {where} ORDER BY random() LIMIT {n}")]
    out["codes"] = codes
    days = [str(r[0]) for r in db.query(
        "SELECT DISTINCT substring(code from '^(.*-[0-9]{6})-') FROM dossier "
        "WHERE code LIKE '000.00.12.H99-%%' ORDER BY 1")]
    out["code day prefix"] = [rng.choice(days) + "-" for _ in range(n)]
    out["code month prefix"] = [rng.choice(days)[:-2] for _ in range(n)]
    return out


def _visible_sql(db: Database, user: str) -> str:
    """Dossiers the user may see, as a plain SQL filter for drawing inputs (the measured
    searches apply the platform's own rule)."""
    if user == "ks.nga":
        return "TRUE"
    uid = db.query("SELECT id FROM user_account WHERE username = %s", (user,))[0][0]
    if user == "gd.son":
        return ("d.agency_id IN (SELECT id FROM agency WHERE code = '000.00.12.H99' OR "
                "parent_id = (SELECT id FROM agency WHERE code = '000.00.12.H99'))")
    return (f"d.id IN (SELECT dossier_id FROM task WHERE completed_by_id = {uid} "
            f"OR assignee_id = {uid})")


# --- finding dossiers -----------------------------------------------------------------

def _cases(inputs: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    out = []
    for user in USERS:
        for kind in ("name full", "name middle+given", "name given", "name accented",
                     "code day prefix", "code month prefix"):
            out.append((user, kind, inputs[kind]))
        out.append((user, "code exact", inputs["codes"][user]))
    return out


def measure_search(app: Any, db: Database, requests: int, out: dict[str, Any]
                   ) -> dict[str, Any]:
    """Each case's median/p95 against the primary-key baseline, its plans; returns the
    inputs drawn."""
    from sqlalchemy import select

    from motcua.db import db as sa
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.search import DossierQuery, search
    from motcua.org.models import User

    rng = random.Random(10)
    n = requests + WARMUP
    inputs = _inputs(db, n, rng)
    out["inputs_example"] = {k: (v[0] if isinstance(v, list) else {u: c[0] for u, c in v.items()})
                             for k, v in inputs.items()}
    now = datetime.now(UTC)
    with app.app_context():
        ids = {u: int(sa.session.scalar(select(User.id).where(User.username == u)) or 0)
               for u in USERS}
        top = sa.session.scalar(select(Dossier.id).order_by(Dossier.id.desc()).limit(1)) or 1

        def lookup(dossier_id: int) -> None:
            sa.session.execute(select(Dossier.id, Dossier.code, Dossier.status)
                               .where(Dossier.id == dossier_id)).first()
            sa.session.remove()

        base = _timed(lookup, [rng.randint(1, top) for _ in range(n)])
        out["baseline"] = {"what": "SQLAlchemy: one dossier by primary key (id, code, status)",
                           **base}
        log(f"audit: baseline pk lookup {base['median_ms']} / {base['p95_ms']} ms")
        out["cases"] = {}
        for user, kind, values in _cases(inputs):
            def find(text: str, user: str = user) -> None:
                # As a request does: the user (and memberships) read, one page and its count.
                def one() -> None:
                    found = sa.session.get(User, ids[user])
                    assert found is not None
                    search(found, DossierQuery(q=text, limit=20), now)

                _capped(one)

            stats = _ratio(_timed(find, values), base)
            statements, total = _search_statements(ids[user], values[0], now)
            plans = _explain(statements, f"{user}-{kind}")
            name = f"{kind} as {user}"
            out["cases"][name] = {**stats, "user": user, "kind": kind, "q": values[0],
                                  "total": total, "plans": plans,
                                  "over_target": stats["timed_out"] > 0
                                  or stats["p95_ms"] > SEARCH_TARGET_MS}
            log(f"audit: search {name}: {stats['median_ms']} / {stats['p95_ms']} ms "
                f"(total {total}, timed out {stats['timed_out']})")
    return inputs


def _search_statements(user_id: int, q: str, now: datetime, shape: Any = None
                       ) -> tuple[list[tuple[str, Any]], int | None]:
    """The search's page and count statements as the driver receives them (compiled, not
    run: a slow one would take minutes), and the count (None past TIMEOUT_S)."""
    import audit_whatif

    from motcua.db import db as sa
    from motcua.org.models import User

    user = sa.session.get(User, user_id)
    page, count = audit_whatif._statements(user, q, now, shape or audit_whatif.Shape())
    statements = []
    for stmt in (page, count):
        compiled = stmt.compile(dialect=sa.engine.dialect,
                                compile_kwargs={"render_postcompile": True})
        statements.append((str(compiled), compiled.params))
    try:
        total = _capped(lambda: sa.session.scalar(count))
    except TimedOut:
        total = None
    return statements, total


def _explain(statements: list[tuple[str, Any]], label: str, settings: list[str] | None = None
             ) -> list[dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each SELECT, saved whole to a file; returned summed up:
    its time, its scans (which index, or a sequential scan) and its buffers."""
    from sqlalchemy.exc import OperationalError

    from motcua.db import db as sa

    EXPLAINED.mkdir(parents=True, exist_ok=True)
    texts, plans = [], []
    with sa.engine.connect() as conn:
        for setting in settings or []:
            conn.exec_driver_sql(setting)
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            conn.exec_driver_sql(f"SET statement_timeout = '{EXPLAIN_TIMEOUT_S * 1000:.0f}ms'")
            try:
                lines = [str(r[0]) for r in conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)]
            except OperationalError:
                # Too slow to run: the plan the planner would choose, without its times.
                conn.rollback()
                for setting in settings or []:
                    conn.exec_driver_sql(setting)
                lines = [f"(EXPLAIN ANALYZE stopped after {EXPLAIN_TIMEOUT_S} s)"]
                lines += [str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + statement,
                                                                   parameters)]
            text = "\n".join(lines)
            texts.append(f"-- {' '.join(statement.split())}\n-- {explain._plain(parameters)}\n"
                         f"{text}\n")
            nodes = (line.strip().removeprefix("->").strip() for line in text.splitlines())
            scans = sorted({node.split("  (")[0] for node in nodes
                            if node.removeprefix("Parallel ").startswith(SCAN_NODES)})
            plans.append({"sql": " ".join(statement.split())[:200],
                          "execution_ms": explain._execution_ms(text), "scans": scans,
                          "shared_hit_read": _buffers(text)})
        conn.rollback()
    (EXPLAINED / f"{label.replace(' ', '_').replace('+', '_')}.txt").write_text(
        "\n".join(texts), encoding="utf-8")
    return plans


def _buffers(plan: str) -> str | None:
    for line in plan.splitlines():
        if "Buffers:" in line:
            return line.split("Buffers:")[1].strip()
    return None


def measure_http(db: Database, requests: int, out: dict[str, Any], codes: list[str],
                 base: dict[str, Any]) -> None:
    """One case over HTTP through ``motcua serve`` (the auditor, middle+given names), and
    the same user's exact codes, to see what HTTP, the token and the JSON add."""
    rng = random.Random(11)
    words = [w.split() for w in (fill.name(i) for i in range(fill.NAMES))]
    from motcua.folding import fold

    names = [fold(" ".join(rng.choice(words)[1:])) for _ in range(requests + WARMUP)]
    server = Server(db)
    try:
        http = Http(server.port)

        def get(path: str) -> None:
            http.ok("GET", path, "ks.nga")

        out["name middle+given as ks.nga"] = _ratio(_timed(
            get, [f"/api/v1/dossiers?q={quote(t)}" for t in names]), base)
        out["code exact as ks.nga"] = _ratio(_timed(
            get, [f"/api/v1/dossiers?q={quote(c)}" for c in codes]), base)
        http.close()
    finally:
        server.stop()


# --- indicators -----------------------------------------------------------------------

def measure_indicators(app: Any, runs: int, out: dict[str, Any]) -> None:
    """Decision 766 indicators over the last twelve months, for the province (auditor) and
    for the Sở Tư pháp (its leader)."""
    from sqlalchemy import select

    from motcua.audit.indicators.operations import report
    from motcua.db import db as sa
    from motcua.org.models import User

    now = datetime.now(UTC)
    today = now.date()
    start = date(today.year - 1, today.month, today.day) + timedelta(days=1)
    out["period"] = [start.isoformat(), today.isoformat()]
    with app.app_context():
        for user, agency in (("ks.nga", None), ("gd.son", "000.00.12.H99")):
            uid = sa.session.scalar(select(User.id).where(User.username == user))

            def compute(_n: int, uid: Any = uid, agency: str | None = agency) -> Any:
                found = sa.session.get(User, uid)
                assert found is not None
                answer = report(found, agency, start.isoformat(), today.isoformat(), now)
                sa.session.remove()
                return answer

            stats = _timed(compute, list(range(runs + 1)), budget_s=60)
            with explain._Recorder(sa.engine) as recorder:
                answer = compute(0)
            plans = _explain(recorder.statements, f"indicators-{user}")
            name = f"province (auditor {user})" if agency is None else f"{agency} ({user})"
            out[name] = {**stats, "statements": len(recorder.statements), "plans": plans,
                         "figures": {f.indicator.key: [f.numerator, f.denominator, f.value]
                                     for f in answer.figures},
                         "over_target": stats["p95_ms"] / 1000 > INDICATORS_TARGET_S}
            log(f"audit: indicators {name}: {stats['median_ms']} / {stats['p95_ms']} ms")


# --- the run and its report -----------------------------------------------------------

def run(db: Database, result: dict[str, Any], requests: int = 100,
        parts: set[str] | None = None, cases_from: Path | None = None) -> None:
    """The parts asked for; the what-if takes the cases over target from this run's search,
    or from an earlier run's JSON (``cases_from``) when the search is not run again."""
    parts = parts or {"search", "http", "indicators", "whatif", "verify"}
    app = explain._app(db.url)
    try:
        if "search" in parts:
            result["search"] = {}
            inputs = measure_search(app, db, requests, result["search"])
            if "http" in parts:
                result["search_http"] = {}
                measure_http(db, requests, result["search_http"], inputs["codes"]["ks.nga"],
                             result["search"]["baseline"])
        if "whatif" in parts:
            import audit_whatif

            if "search" in result:
                cases = result["search"]["cases"]
            elif cases_from is not None:
                cases = json.loads(cases_from.read_text(encoding="utf-8"))["search"]["cases"]
                result["whatif_cases_from"] = str(cases_from)
            else:
                raise SystemExit("--parts whatif without search needs --cases FILE")
            result["whatif"] = audit_whatif.run(app, db, cases)
        if "indicators" in parts:
            result["indicators"] = {}
            measure_indicators(app, 5, result["indicators"])
        if "verify" in parts:
            import audit_chains

            result["verify"] = {}
            audit_chains.measure(db, result["verify"])
    finally:
        explain.dispose()
