"""Fill a PostgreSQL database with dossiers fast, with set-based SQL (generate_series).

Runs on a schema made by ``motcua db upgrade`` with the sample org, decision and processes
imported by the CLI, so every foreign key points at real rows. Each dossier gets its
completed tasks and history events up to its current step and (for ~90%) one open task;
codes follow the real pattern ``{agency}-{yymmdd}-{seq:04}`` with a dense per-agency, per-day
sequence (and ``dossier_sequence`` updated to match, so the API keeps numbering after them).

For speed the secondary indexes, the unique code constraint and the foreign keys of
dossier, task and history_event are dropped during the load and re-created from their own
definitions afterwards (re-adding a foreign key validates every row).
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb
from steps import ASSIGN, EXAMINE, ISSUE, RECEIVE, RETURN, REVIEW_AGREE
from util import log

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TABLES = ("dossier", "task", "history_event")
SHARE_FIRST = 700  # per mille of dossiers on 2.000488 (Sở Tư pháp); the rest on 1.001193 (xã)
FINISHED = 10  # per cent of dossiers already returned (no open task)

# proc 1 = 2.000488, proc 2 = 1.001193: (element, who completes, open assignee, weight %,
# start offset h, outcome, data). "receiver"/"specialist" are per dossier; else a username.
FLOW: dict[int, list[tuple[str, str, str | None, int, float, str | None, dict[str, Any]]]] = {
    1: [("Task_Receive", "receiver", None, 3, 0, "accept", RECEIVE.data),
        ("Task_Assign", "tp.hung", None, 7, 2, None, {"chi_dao": ASSIGN.data["chi_dao"]}),
        ("Task_Examine", "specialist", "specialist", 55, 24, "approve", EXAMINE.data),
        ("Task_Review", "tp.hung", None, 10, 150, "agree", REVIEW_AGREE.data),
        ("Task_Approve", "gd.son", None, 10, 170, "sign", {"y_kien": "Ký duyệt"}),
        ("Task_Issue", "vt.ha", None, 5, 195, None, ISSUE.data),
        ("Task_Return", "receiver", None, 10, 215, None, RETURN.data)],
    2: [("Task_Receive", "receiver", None, 10, 0, "accept", {}),
        ("Task_Examine", "xa.hoa", None, 50, 2, None, {}),
        ("Task_Sign", "xa.chutich", None, 25, 6, None, {}),
        ("Task_Return", "receiver", None, 15, 8, None, {})],
}
PROCS = {1: {"code": "2.000488", "desk": "000.00.31.H99", "receivers": ["mc.lan", "mc.tuan"],
             "specialists": ["cv.mai", "cv.dung"]},
         2: {"code": "1.001193", "desk": "000.31.20.H99", "receivers": ["xa.hoa"],
             "specialists": ["xa.hoa"]}}


def _ids(conn: psycopg.Connection[Any], sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(sql)}


def prepare(conn: psycopg.Connection[Any], templates: dict[int, tuple[str, str]]) -> None:
    """Reference tables the fill joins against: procedures with their templates, and steps."""
    users = _ids(conn, "SELECT username, id FROM user_account")
    agencies = _ids(conn, "SELECT code, id FROM agency")
    conn.execute("DROP TABLE IF EXISTS bench_proc, bench_step")
    conn.execute("""CREATE TABLE bench_proc (proc int PRIMARY KEY, procedure_id int,
        version_id int, agency_id int, agency_code text, desk_id int, handling_id int,
        limit_minutes int, receivers int[], specialists int[], first_step text,
        data jsonb, state jsonb)""")
    conn.execute("""CREATE TABLE bench_step (proc int, step_no int, nsteps int, element_id text,
        name text, role text, unit_id int, who text, who_id int, open_specialist bool,
        cum_lo int, cum_hi int, form_key text, outcomes jsonb, document text,
        allotted_minutes int, start_h float, end_h float, outcome text, data jsonb,
        next_name text, PRIMARY KEY (proc, step_no))""")
    for proc, spec in PROCS.items():
        row = conn.execute(
            "SELECT p.id, v.id, p.agency_id, a.code, coalesce(p.handling_unit_id, p.agency_id), "
            "p.time_limit_minutes, v.steps FROM procedure p JOIN agency a ON a.id = p.agency_id "
            "JOIN process_version v ON v.procedure_id = p.id AND v.status = 'published' "
            "WHERE p.code = %s ORDER BY v.version DESC LIMIT 1", (spec["code"],)).fetchone()
        assert row is not None, spec["code"]
        pid, vid, agency_id, agency_code, handling_id, limit_minutes, steps = row
        flow = FLOW[proc]
        first = steps[flow[0][0]]["name"]
        data, state = templates[proc]
        conn.execute(
            "INSERT INTO bench_proc VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (proc, pid, vid, agency_id, agency_code, agencies[spec["desk"]], handling_id,
             limit_minutes or 14400, [users[u] for u in spec["receivers"]],
             [users[u] for u in spec["specialists"]], first, Jsonb(json.loads(data)),
             Jsonb(json.loads(state))))
        units = {"@desk": agencies[spec["desk"]], "@agency": agency_id, "@handling": handling_id}
        cum = 0
        for no, (element, who, open_who, weight, start_h, outcome, step_data) in enumerate(flow, 1):
            cfg = steps[element]
            end_h = flow[no][4] if no < len(flow) else start_h + 1
            next_name = steps[flow[no][0]]["name"] if no < len(flow) else "Kết thúc: đã trả kết quả"
            conn.execute(
                "INSERT INTO bench_step VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
                "%s,%s,%s,%s,%s,%s)",
                (proc, no, len(flow), element, cfg["name"], cfg["role"], units[cfg["unit"]],
                 who if who in ("receiver", "specialist") else "fixed", users.get(who),
                 open_who == "specialist", cum, cum + weight, cfg.get("form"),
                 Jsonb(cfg.get("outcomes") or []), cfg.get("document"),
                 cfg["allotted_minutes"], start_h, end_h, outcome, Jsonb(step_data),
                 next_name))
            cum += weight
        assert cum == 100, (proc, cum)


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


def fill(dsn: str, start: int, end: int, per_day: int, templates: dict[int, tuple[str, str]]
         ) -> dict[str, Any]:
    """Add dossiers number ``start`` .. ``end - 1`` (0 is the most recent)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def mark(label: str) -> None:
        timings[label] = round(time.perf_counter() - sum(timings.values()) - t0, 2)
        log(f"  fill {start}..{end}: {label} {timings[label]} s")

    today = datetime.now(TZ).date()
    now_utc = datetime.now(TZ)
    with psycopg.connect(dsn) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET synchronous_commit = off")
        prepare(conn, templates)
        constraints, indexes = _constraints(conn), _indexes(conn)
        for table, name, _d in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _t, name, _d in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        id_base = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM dossier").fetchone()[0]  # type: ignore[index]
        task_base = conn.execute("SELECT coalesce(max(id), 0) FROM task").fetchone()[0]  # type: ignore[index]
        mark("prepare")
        conn.execute("SELECT setseed(%s)", (0.5 + start / 1e9,))
        conn.execute("DROP TABLE IF EXISTS bench_plan0, bench_plan")
        conn.execute(f"""
            CREATE UNLOGGED TABLE bench_plan0 AS
            SELECT g.i, g.proc,
                   CASE WHEN random() * 100 < {FINISHED} THEN NULL ELSE (
                       SELECT s.step_no FROM bench_step s WHERE s.proc = g.proc
                       AND g.r >= s.cum_lo AND g.r < s.cum_hi) END AS open_step,
                   (DATE '{today.isoformat()}' - 1 - g.i / {per_day}) AS day,
                   g.i % {per_day} AS slot
            FROM (SELECT i, CASE WHEN random() * 1000 < {SHARE_FIRST} THEN 1 ELSE 2 END AS proc,
                         floor(random() * 100)::int AS r
                  FROM generate_series({start}, {end - 1}) AS i) g""")
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
        mark("plan")
        conn.execute("""
            INSERT INTO dossier (id, code, procedure_id, process_version_id, agency_id, desk_id,
                handling_unit_id, time_limit_minutes, channel, status, applicant_name, applicant_id_number, applicant_phone,
                applicant_email, applicant_address, applicant_user_id, data, received_at,
                clock_started_at, due_at, first_due_at, finished_at, timer_due_at, current_step,
                workflow_state, created_by_id, lock_version)
            SELECT p.id,
                   pr.agency_code || '-' || to_char(p.day, 'YYMMDD') || '-' ||
                       CASE WHEN p.seq < 10000 THEN lpad(p.seq::text, 4, '0') ELSE p.seq::text END,
                   pr.procedure_id, pr.version_id, pr.agency_id, pr.desk_id,
                   pr.handling_id, pr.limit_minutes,
                   CASE WHEN p.i % 10 < 8 THEN 'direct' ELSE 'postal' END,
                   CASE WHEN p.open_step IS NULL THEN 'returned'
                        WHEN p.open_step = 1 THEN 'received'
                        WHEN p.open_step = s.nsteps THEN 'done' ELSE 'processing' END,
                   n.name, lpad((p.i::bigint * 7919 % 1000000000000)::text, 12, '0'),
                   '09' || lpad((p.i % 100000000)::text, 8, '0'), NULL,
                   (1 + p.i % 300) || ' đường Lê Lợi, phường Đông Hải, tỉnh Mẫu', NULL,
                   CASE WHEN p.proc = 1 THEN pr.data || jsonb_build_object('ho_ten', n.name,
                        'so_dinh_danh', lpad((p.i::bigint * 7919 % 1000000000000)::text, 12, '0'))
                        ELSE pr.data END,
                   p.received_at, p.received_at,
                   p.received_at + pr.limit_minutes * INTERVAL '1 minute' * 1.4,
                   p.received_at + pr.limit_minutes * INTERVAL '1 minute' * 1.4,
                   CASE WHEN p.open_step IS NULL THEN p.received_at + INTERVAL '9 days' END, NULL,
                   s.name, pr.state, p.receiver_id, 1 + coalesce(p.open_step, 8)
            FROM bench_plan p JOIN bench_proc pr ON pr.proc = p.proc
            LEFT JOIN bench_step s ON s.proc = p.proc AND s.step_no = p.open_step
            CROSS JOIN LATERAL (SELECT
                (ARRAY['Nguyễn','Trần','Lê','Phạm','Hoàng','Huỳnh','Phan','Vũ','Võ','Đặng',
                       'Bùi','Đỗ','Hồ','Ngô','Dương','Lý'])[1 + p.i % 16] || ' ' ||
                (ARRAY['Văn','Thị','Minh','Thanh','Đức','Ngọc','Hữu','Quang'])[1 + (p.i / 16) % 8]
                || ' ' ||
                (ARRAY['An','Bình','Chi','Dũng','Giang','Hà','Hải','Hằng','Hùng','Lan','Long',
                       'Mai','Nam','Nga','Phúc','Quân','Sơn','Tâm','Thảo','Trang','Tuấn','Vy'])
                       [1 + (p.i / 128) % 22] AS name) n""")
        mark("dossiers")
        conn.execute(f"""
            INSERT INTO task (dossier_id, procedure_id, spiff_task_id, element_id, name, role,
                unit_id,
                assignee_id, state, form_key, outcomes, document, allotted_minutes, started_at,
                due_at, overdue, claimed_at, completed_at, completed_by_id, outcome, data)
            SELECT p.id, pr.procedure_id, gen_random_uuid()::text, s.element_id, s.name, s.role,
                   s.unit_id,
                   CASE WHEN p.open_step = s.step_no THEN
                            CASE WHEN s.open_specialist THEN p.specialist_id END
                        ELSE w.user_id END,
                   CASE WHEN p.open_step = s.step_no THEN 'ready' ELSE 'completed' END,
                   s.form_key, s.outcomes, s.document, s.allotted_minutes, t.started_at, t.due_at,
                   coalesce(p.open_step = s.step_no AND t.due_at < TIMESTAMPTZ '{now_utc.isoformat()}',
                            false),
                   NULL,
                   CASE WHEN p.open_step = s.step_no THEN NULL
                        ELSE p.received_at + s.end_h * INTERVAL '1 hour' END,
                   CASE WHEN p.open_step = s.step_no THEN NULL ELSE w.user_id END,
                   CASE WHEN p.open_step = s.step_no THEN NULL ELSE s.outcome END,
                   CASE WHEN p.open_step = s.step_no THEN NULL ELSE s.data END
            FROM bench_plan p JOIN bench_proc pr ON pr.proc = p.proc
            JOIN bench_step s ON s.proc = p.proc AND s.step_no <= coalesce(p.open_step, s.nsteps)
            CROSS JOIN LATERAL (SELECT CASE s.who WHEN 'receiver' THEN p.receiver_id
                                WHEN 'specialist' THEN p.specialist_id ELSE s.who_id END
                                AS user_id) w
            CROSS JOIN LATERAL (SELECT p.received_at + s.start_h * INTERVAL '1 hour' AS started_at,
                CASE WHEN s.allotted_minutes > 0 THEN p.received_at + s.start_h * INTERVAL '1 hour'
                     + s.allotted_minutes * INTERVAL '1 minute' * 1.4 END AS due_at) t""")
        mark("tasks")
        conn.execute(f"""
            INSERT INTO history_event (dossier_id, at, actor_id, action, step, step_name,
                from_step, to_step, unit_id, outcome, note, timing, started_at, due_at, task_id,
                document)
            SELECT dossier_id, at, actor_id, action, step, step_name, from_step, to_step,
                   unit_id, CASE WHEN action = 'document' THEN NULL ELSE outcome END, note,
                   timing, started_at, due_at, task_id,
                   CASE WHEN action = 'document' THEN outcome END FROM (
                SELECT p.id AS dossier_id, p.received_at AS at, p.receiver_id AS actor_id,
                       'received' AS action, NULL AS step, NULL AS step_name,
                       NULL AS from_step, pr.first_step AS to_step, p.desk_id AS unit_id,
                       NULL AS outcome,
                       CASE WHEN p.i % 10 < 8 THEN 'Trực tiếp' ELSE 'Bưu chính' END AS note,
                       NULL AS timing, NULL::timestamptz AS started_at,
                       NULL::timestamptz AS due_at, NULL::int AS task_id, 0 AS ord
                FROM bench_plan p JOIN bench_proc pr ON pr.proc = p.proc
                UNION ALL
                SELECT t.dossier_id, t.completed_at, t.completed_by_id, 'completed', t.element_id,
                       t.name, t.name, s.next_name, t.unit_id, t.outcome, NULL,
                       CASE WHEN t.due_at IS NULL OR t.completed_at <= t.due_at
                            THEN 'on_time' ELSE 'late' END,
                       t.started_at, t.due_at, t.id, 1
                FROM task t JOIN bench_plan p ON p.id = t.dossier_id
                JOIN bench_step s ON s.proc = p.proc AND s.element_id = t.element_id
                WHERE t.id > {task_base} AND t.state = 'completed'
                UNION ALL
                SELECT t.dossier_id, t.completed_at, t.completed_by_id, 'document', t.element_id,
                       NULL, NULL, NULL, NULL, t.document, NULL, NULL, NULL, NULL, NULL, 2
                FROM task t WHERE t.id > {task_base} AND t.state = 'completed'
                AND t.document IN ('receipt', 'result')) h
            ORDER BY h.dossier_id, h.at, h.ord""")
        mark("history")
        conn.execute("""
            INSERT INTO dossier_sequence (agency_id, day, last)
            SELECT agency_id, day, max(seq) FROM bench_plan GROUP BY agency_id, day
            ON CONFLICT (agency_id, day) DO UPDATE
            SET last = greatest(dossier_sequence.last, excluded.last)""")
        conn.execute("SELECT setval(pg_get_serial_sequence('dossier', 'id'), "
                     "(SELECT max(id) FROM dossier))")
        for _t, _n, definition in indexes:
            conn.execute(definition)
        mark("indexes")
        for table, name, definition in constraints:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        mark("constraints")
        conn.execute("DROP TABLE bench_plan0, bench_plan, bench_proc, bench_step")
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
        conn.execute("ANALYZE")
    mark("vacuum_analyze")
    timings["total"] = round(time.perf_counter() - t0, 2)
    return timings


def counts(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        out: dict[str, Any] = {}
        for table in TABLES:
            out[f"{table}_rows"] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
        out["open_tasks"] = conn.execute(
            "SELECT count(*) FROM task WHERE state IN ('ready', 'claimed')").fetchone()[0]  # type: ignore[index]
        out["database_mib"] = round(conn.execute(
            "SELECT pg_database_size(current_database())").fetchone()[0] / 2**20)  # type: ignore[index]
        out["tables_mib"] = {t: round(conn.execute(
            "SELECT pg_total_relation_size(%s::regclass)", (t,)).fetchone()[0] / 2**20)  # type: ignore[index]
            for t in TABLES}
    return out

