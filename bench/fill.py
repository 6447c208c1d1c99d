"""Fill a PostgreSQL database with dossiers fast: the plan in set-based SQL
(generate_series), each dossier's life in Python (``lifecycle``), written with COPY.

Runs on a schema made by ``motcua db upgrade`` with the sample org, decision and processes
imported by the CLI, so every foreign key points at real rows. Codes follow the real pattern
``{agency}-{yymmdd}-{seq:04}`` with a dense per-agency, per-day sequence (and
``dossier_sequence`` updated to match, so the API keeps numbering after them). Each dossier
gets the tasks and the history of the route it took up to where it stands now, its history
hash-chained by the platform's own ``history.chain.link`` as it is written (COPY only
appends: the history's append-only triggers never fire).

For speed the secondary indexes, the unique code constraint and the foreign keys of
dossier, task and history_event are dropped during the load and re-created from their own
definitions afterwards (re-adding a foreign key validates every row). The load runs in
several transactions (the lives are written by parallel workers on their own
connections): a fill that fails leaves a database only fit to be dropped.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from datetime import UTC, datetime, timedelta
from typing import Any

import lifecycle
import psycopg
import routes
from lifecycle import LIFE_COLUMNS, TASK_COLUMNS, Clock, Lives
from psycopg.copy import QueuedLibpqWriter
from util import log

TZ = lifecycle.TZ
TABLES = ("dossier", "task", "history_event")
SHARE_FIRST = 700  # per mille of dossiers on 2.000488 (Sở Tư pháp); the rest on 1.001193 (xã)
FINISHED = 10  # per cent of dossiers drawn finished (returned or refused: no open task)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Đức", "Ngọc", "Hữu", "Quang"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hằng", "Hùng", "Lan", "Long", "Mai",
         "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy"]
NAMES = len(FAMILY) * len(MIDDLE) * len(GIVEN)  # dossier i is applicant i % NAMES


def name(idx: int) -> str:
    # As the fill did in SQL before: family, middle and given name from the number's digits.
    family, middle = len(FAMILY), len(MIDDLE)
    return (f"{FAMILY[idx % family]} {MIDDLE[(idx // family) % middle]} "
            f"{GIVEN[(idx // (family * middle)) % len(GIVEN)]}")


def _names_and_applicants(conn: psycopg.Connection[Any]) -> int:
    """The applicants' names, folded for search in Python (``motcua.folding.fold``), and an
    applicant account per name for the dossiers submitted online. Returns the first
    account's id (the accounts are numbered in the names' order)."""
    from motcua.folding import fold

    conn.execute("DROP TABLE IF EXISTS bench_name")
    conn.execute("CREATE TABLE bench_name (idx int PRIMARY KEY, name text, folded text)")
    with conn.cursor().copy("COPY bench_name FROM STDIN") as copy:
        for idx in range(NAMES):
            copy.write_row((idx, name(idx), fold(name(idx))))
    # No password anyone could type: these accounts only own dossiers.
    conn.execute("""INSERT INTO user_account (username, full_name, password_hash, kind, is_active)
        SELECT 'bench.cd' || lpad(idx::text, 4, '0'), name, '!', 'applicant', true
        FROM bench_name ORDER BY idx ON CONFLICT (username) DO NOTHING""")
    rows = conn.execute(
        "SELECT u.id, n.idx FROM bench_name n JOIN user_account u ON u.username = "
        "'bench.cd' || lpad(n.idx::text, 4, '0') ORDER BY n.idx").fetchall()
    base = int(rows[0][0])
    assert len(rows) == NAMES and all(uid - base == idx for uid, idx in rows), \
        "applicant accounts not numbered in the names' order"
    return base


def _calendar(conn: psycopg.Connection[Any]) -> Any:
    """The province's working calendar, built as ``calendar.operations`` builds it."""
    from motcua.calendar.working_time import WorkingCalendar

    hours = conn.execute("SELECT working_hours FROM province LIMIT 1").fetchone()
    days = list(conn.execute("SELECT day, kind FROM calendar_day"))
    return WorkingCalendar.from_settings(
        hours[0] if hours else None, [d for d, k in days if k == "day_off"],
        [d for d, k in days if k == "working_saturday"])


def _constraints(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str]]:
    return [(str(t), str(n), str(d)) for t, n, d in conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') ORDER BY conname",
        (list(TABLES),))]


def _indexes(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str]]:
    return [(str(t), str(n), str(d)) for t, n, d in conn.execute(
        "SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
        "ORDER BY i.indexname", (list(TABLES),))]


def _one(conn: psycopg.Connection[Any], sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _worker(dsn: str, lives: Lives, first: int, last: int, out: Any) -> None:
    try:
        out.put(_write_lives(dsn, lives, first, last))
    except BaseException:
        out.put({"error": traceback.format_exc()})
        raise


def _write_lives(dsn: str, lives: Lives, first: int, last: int) -> dict[str, Any]:
    """One worker: the plan's dossiers ``first`` .. ``last`` (ids) through ``lives``, each
    table through its own COPY on its own connection, so PostgreSQL takes the rows on the
    other CPU while Python draws and hashes."""
    counts = {"dossiers": 0, "tasks": 0, "events": 0}
    began = time.process_time()
    conns = [psycopg.connect(dsn) for _ in range(4)]
    try:
        for conn in conns[1:]:
            conn.execute("SET synchronous_commit = off")
        src, c_life, c_task, c_event = conns
        event_columns = lifecycle.event_columns()
        with (src.cursor().copy(
                "COPY (SELECT id, i, proc, received_at, receiver_id, specialist_id FROM "
                f"bench_plan WHERE id BETWEEN {first} AND {last} ORDER BY id) TO STDOUT") as plan,
              c_life.cursor().copy(f"COPY bench_life ({', '.join(LIFE_COLUMNS)}) FROM STDIN",
                                   writer=QueuedLibpqWriter(c_life.cursor())) as life_in,
              c_task.cursor().copy(f"COPY task ({', '.join(TASK_COLUMNS)}) FROM STDIN",
                                   writer=QueuedLibpqWriter(c_task.cursor())) as task_in,
              c_event.cursor().copy(
                  f"COPY history_event ({', '.join(event_columns)}) FROM STDIN",
                  writer=QueuedLibpqWriter(c_event.cursor())) as event_in):
            plan.set_types(["int4", "int4", "int4", "timestamptz", "int4", "int4"])
            for dossier_id, i, proc, received_at, receiver_id, specialist_id in plan.rows():
                rows = lives.life(dossier_id, i, proc, received_at, receiver_id, specialist_id)
                life_in.write_row(rows.life)
                for task in rows.tasks:
                    task_in.write_row(task)
                for event in lifecycle.chained(dossier_id, rows.events, lives.event_id):
                    event_in.write_row(event)
                lives.event_id += len(rows.events)
                counts["dossiers"] += 1
                counts["tasks"] += len(rows.tasks)
                counts["events"] += len(rows.events)
        for conn in conns:
            conn.commit()
    finally:
        for conn in conns:
            conn.close()
    return {**counts, "cpu_s": round(time.process_time() - began, 1)}


def fill(dsn: str, start: int, end: int, per_day: int, templates: dict[int, tuple[str, str]],
         finished: float = FINISHED, workers: int | None = None) -> dict[str, Any]:
    """Add dossiers number ``start`` .. ``end - 1`` (0 is the most recent); ``finished`` per
    cent of them drawn finished (a recent one stands where its schedule has got to)."""
    timings: dict[str, Any] = {}
    t0 = time.perf_counter()

    def mark(label: str) -> None:
        timings[label] = round(time.perf_counter() - sum(
            v for v in timings.values() if isinstance(v, float)) - t0, 2)
        log(f"  fill {start}..{end}: {label} {timings[label]} s")

    workers = workers or min(2, os.cpu_count() or 1)
    today = datetime.now(TZ).date()
    now = datetime.now(UTC)
    first_day = today - timedelta(days=1 + (end - 1) // per_day)
    with psycopg.connect(dsn) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '256MB'")
        procs = routes.procedures(conn, templates)
        applicant_base = _names_and_applicants(conn)
        calendar = _calendar(conn)
        constraints, indexes = _constraints(conn), _indexes(conn)
        for table, cname, _d in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{cname}"')
        for _t, iname, _d in indexes:
            conn.execute(f'DROP INDEX "{iname}"')
        id_base = _one(conn, "SELECT coalesce(max(id), 0) + 1 FROM dossier")
        task_base = _one(conn, "SELECT coalesce(max(id), 0) + 1 FROM task")
        event_base = _one(conn, "SELECT coalesce(max(id), 0) + 1 FROM history_event")
        mark("prepare")
        conn.execute("SELECT setseed(%s)", (0.5 + start / 1e9,))
        conn.execute("DROP TABLE IF EXISTS bench_plan0, bench_plan, bench_life")
        conn.execute(f"""
            CREATE UNLOGGED TABLE bench_plan0 AS
            SELECT i, CASE WHEN random() * 1000 < {SHARE_FIRST} THEN 1 ELSE 2 END AS proc,
                   (DATE '{today.isoformat()}' - 1 - i / {per_day}) AS day, i % {per_day} AS slot
            FROM generate_series({start}, {end - 1}) AS i""")
        conn.execute(f"""
            CREATE UNLOGGED TABLE bench_plan AS
            SELECT p.*, {id_base - 1} + row_number() OVER (ORDER BY p.day, p.slot, p.i) AS id,
                   pr.agency_id, pr.desk_id,
                   pr.receivers[1 + p.i % array_length(pr.receivers, 1)] AS receiver_id,
                   pr.specialists[1 + (p.i / 7) % array_length(pr.specialists, 1)] AS specialist_id,
                   ((p.day + TIME '08:00' + p.slot * (INTERVAL '8 hours' / {per_day}))
                       AT TIME ZONE 'Asia/Ho_Chi_Minh') AS received_at,
                   coalesce(sq.last, 0) + row_number() OVER (
                       PARTITION BY pr.agency_id, p.day ORDER BY p.i) AS seq
            FROM bench_plan0 p JOIN bench_proc pr ON pr.proc = p.proc
            LEFT JOIN dossier_sequence sq ON sq.agency_id = pr.agency_id AND sq.day = p.day""")
        conn.execute("""CREATE UNLOGGED TABLE bench_life (id int PRIMARY KEY, channel text,
            status text, current_step text, clock_started_at timestamptz, due_at timestamptz,
            first_due_at timestamptz, result_at timestamptz, finished_at timestamptz,
            supplement_count int,
            apology_count int, clocked_minutes int, applicant_user_id int, created_by_id int,
            lock_version int)""")
        conn.commit()
    mark("plan")
    clock = Clock(calendar, first_day - timedelta(days=7), today + timedelta(days=150))
    timings["workers"] = _run_workers(dsn, workers, id_base, end - start, procs, clock,
                                      calendar, now, finished, task_base, event_base,
                                      applicant_base, start)
    mark("lives")
    with psycopg.connect(dsn) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET synchronous_commit = off")
        conn.execute(f"""
            INSERT INTO dossier (id, code, procedure_id, process_version_id, agency_id, desk_id,
                handling_unit_id, time_limit_minutes, channel, status, applicant_name,
                applicant_name_search, applicant_id_number, applicant_phone, applicant_email,
                applicant_address, applicant_user_id, data, received_at, clock_started_at,
                due_at, first_due_at, result_at, finished_at, timer_due_at, current_step,
                workflow_state,
                created_by_id, supplement_count, apology_count, clocked_minutes, lock_version)
            SELECT p.id,
                   pr.agency_code || '-' || to_char(p.day, 'YYMMDD') || '-' ||
                       CASE WHEN p.seq < 10000 THEN lpad(p.seq::text, 4, '0') ELSE p.seq::text END,
                   pr.procedure_id, pr.version_id, pr.agency_id, pr.desk_id,
                   pr.handling_id, pr.limit_minutes, l.channel, l.status, n.name, n.folded,
                   lpad((p.i::bigint * 7919 % 1000000000000)::text, 12, '0'),
                   '09' || lpad((p.i % 100000000)::text, 8, '0'), NULL,
                   (1 + p.i % 300) || ' đường Lê Lợi, phường Đông Hải, tỉnh Mẫu',
                   l.applicant_user_id,
                   CASE WHEN p.proc = 1 THEN pr.data || jsonb_build_object('ho_ten', n.name,
                        'so_dinh_danh', lpad((p.i::bigint * 7919 % 1000000000000)::text, 12, '0'))
                        ELSE pr.data END,
                   p.received_at, l.clock_started_at, l.due_at, l.first_due_at, l.result_at,
                   l.finished_at, NULL, l.current_step, pr.state, l.created_by_id, l.supplement_count,
                   l.apology_count, l.clocked_minutes, l.lock_version
            FROM bench_plan p JOIN bench_life l ON l.id = p.id
            JOIN bench_proc pr ON pr.proc = p.proc
            JOIN bench_name n ON n.idx = p.i % {NAMES}""")
        mark("dossiers")
        conn.execute("""
            INSERT INTO dossier_sequence (agency_id, day, last)
            SELECT agency_id, day, max(seq) FROM bench_plan GROUP BY agency_id, day
            ON CONFLICT (agency_id, day) DO UPDATE
            SET last = greatest(dossier_sequence.last, excluded.last)""")
        for table in TABLES:
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")
        for _t, _n, definition in indexes:
            conn.execute(definition)
        mark("indexes")
        for table, cname, definition in constraints:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{cname}" {definition}')
        mark("constraints")
        conn.execute("DROP TABLE bench_plan0, bench_plan, bench_life, bench_proc, bench_name")
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
        conn.execute("ANALYZE")
    mark("vacuum_analyze")
    timings["total"] = round(time.perf_counter() - t0, 2)
    return timings


def _run_workers(dsn: str, workers: int, id_base: int, n: int, procs: dict[int, routes.Proc],
                 clock: Clock, calendar: Any, now: datetime, finished: float, task_base: int,
                 event_base: int, applicant_base: int, start: int) -> list[dict[str, Any]]:
    """Split the plan's ids into ``workers`` contiguous slices, each a forked process with
    its own id ranges (so ids still follow the dossiers' order)."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    size = -(-n // workers)
    processes = []
    for k in range(workers):
        first = id_base + k * size
        last = min(id_base + n - 1, first + size - 1)
        if first > last:
            continue
        lives = Lives(procs, clock, calendar, now, finished, seed=start * 7919 + k,
                      task_id=task_base + k * size * lifecycle.MAX_TASKS,
                      event_id=event_base + k * size * lifecycle.MAX_EVENTS,
                      applicant_base=applicant_base)
        process = context.Process(target=_worker, args=(dsn, lives, first, last, out))
        process.start()
        processes.append(process)
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    failed = [r["error"] for r in results if "error" in r]
    if failed:
        raise RuntimeError("fill worker failed:\n" + "\n".join(failed))
    return results


def counts(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        out: dict[str, Any] = {}
        for table in TABLES:
            out[f"{table}_rows"] = _one(conn, f"SELECT count(*) FROM {table}")
        out["open_tasks"] = _one(conn, "SELECT count(*) FROM task WHERE state IN ('ready', 'claimed')")
        out["database_mib"] = round(_one(conn, "SELECT pg_database_size(current_database())")
                                    / 2**20)
        out["tables_mib"] = {t: round(_one(conn, f"SELECT pg_total_relation_size('{t}')") / 2**20)
                             for t in TABLES}
    return out


def mix(dsn: str) -> dict[str, Any]:
    """What the filled dossiers look like: by status, channel, timing (finished ones, and
    open ones past their appointment), supplement requests and apologies."""
    with psycopg.connect(dsn) as conn:
        def grouped(sql: str) -> dict[str, int]:
            return {str(k): int(v) for k, v in conn.execute(sql)}

        return {
            "status": grouped("SELECT status, count(*) FROM dossier GROUP BY 1 ORDER BY 1"),
            "channel": grouped("SELECT channel, count(*) FROM dossier GROUP BY 1 ORDER BY 1"),
            # As dossiers.timing judges them: when handled (the result ready, else the end).
            "handled_timing": grouped("""SELECT CASE
                WHEN supplement_count > 1 OR h > first_due_at THEN 'late'
                WHEN (h AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                     < (first_due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date THEN 'early'
                ELSE 'on_time' END, count(*)
                FROM (SELECT coalesce(result_at, finished_at) AS h, * FROM dossier) d
                WHERE h IS NOT NULL AND first_due_at IS NOT NULL GROUP BY 1"""),
            "open_past_due": _one(conn, "SELECT count(*) FROM dossier WHERE result_at IS NULL "
                                        "AND finished_at IS NULL AND first_due_at < now()"),
            "supplement_count": grouped("SELECT supplement_count, count(*) FROM dossier "
                                        "GROUP BY 1 ORDER BY 1"),
            "apologies": _one(conn, "SELECT count(*) FROM dossier WHERE apology_count > 0"),
        }
