"""The ways the filled dossiers go: per procedure, who completes each step and how often an
open dossier stands there (``FLOW``), the routes with their shares (``ROUTES``), and each
route's stops with what the platform's rules make of every completion (``build_route``:
``dossiers.rules`` for documents, the legal clock and the status, ``processes.meanings`` for
an outcome's meaning)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from steps import EXAMINE, ISSUE, RECEIVE, RETURN, REVIEW_AGREE

END_LABELS = {"returned": "Kết thúc: đã trả kết quả", "refused": "Kết thúc: từ chối"}

# Per procedure, per step: who completes it ("receiver"/"specialist" are the dossier's own,
# any other name is that user), who it waits for while open, how often an open dossier
# stands there (per cent, on the plain route), and the step's form data.
FLOW: dict[int, dict[str, tuple[str, str | None, int, dict[str, Any]]]] = {
    1: {"Task_Receive": ("receiver", None, 3, RECEIVE.data),
        "Task_Assign": ("tp.hung", None, 7, {"chi_dao": "Thẩm định, tra cứu trong 5 ngày"}),
        "Task_Examine": ("specialist", "specialist", 55, EXAMINE.data),
        "Task_Supplement2": ("receiver", None, 15, {}),
        "Task_Review": ("tp.hung", None, 10, REVIEW_AGREE.data),
        "Task_Approve": ("gd.son", None, 10, {"y_kien": "Ký duyệt"}),
        "Task_Issue": ("vt.ha", None, 5, ISSUE.data),
        "Task_Return": ("receiver", None, 10, RETURN.data)},
    2: {"Task_Receive": ("receiver", None, 10, {}),
        "Task_Examine": ("xa.hoa", None, 50, {}),
        "Task_Sign": ("xa.chutich", None, 25, {}),
        "Task_Return": ("receiver", None, 15, {})},
}
_R1 = ("Task_Receive", "accept", None)
_A1 = ("Task_Assign", None, None)
_E1 = ("Task_Examine", "approve", None)
_S1 = [("Task_Examine", "supplement", "Thiếu bản sao giấy tờ tùy thân"),
       ("Task_Supplement2", None, None)]
_B1 = [("Task_Review", "back", "Trả lại: bổ sung kết quả tra cứu"), _E1]
_END1 = [("Task_Review", "agree", None), ("Task_Approve", "sign", None),
         ("Task_Issue", None, None), ("Task_Return", None, None)]
# The ways a dossier goes, each with its share per mille of the procedure's dossiers (the
# plain route takes the rest). 2.000488 is 70% of the dossiers: ~10% of all dossiers have
# one supplement request, ~1% two.
ROUTES: dict[int, dict[str, tuple[int, list[tuple[str, str | None, str | None]]]]] = {
    1: {"plain": (0, [_R1, _A1, _E1, *_END1]),
        "supplement": (150, [_R1, _A1, *_S1, _E1, *_END1]),
        "supplement2": (16, [_R1, _A1, *_S1, *_S1, _E1, *_END1]),
        "back": (50, [_R1, _A1, _E1, *_B1, *_END1]),
        "refused": (20, [("Task_Receive", "refuse", "Hồ sơ không thuộc thẩm quyền giải quyết")])},
    2: {"plain": (0, [("Task_Receive", "accept", None), ("Task_Examine", None, None),
                      ("Task_Sign", None, None), ("Task_Return", None, None)])},
}
PROCS: dict[int, dict[str, Any]] = {
    1: {"code": "2.000488", "desk": "000.00.31.H99", "receivers": ["mc.lan", "mc.tuan"],
        "specialists": ["cv.mai", "cv.dung"]},
    2: {"code": "1.001193", "desk": "000.31.20.H99", "receivers": ["xa.hoa"],
        "specialists": ["xa.hoa"]}}
@dataclass(frozen=True)
class Stop:
    """One task of a route: the step, who completes it, its outcome and what that sets off."""

    element: str
    name: str
    role: str
    unit_id: int
    who: str  # "receiver" | "specialist" | "fixed" (who_id)
    who_id: int | None
    assign_specialist: bool  # open, it waits in the dossier's specialist's list
    allotted: int
    form_key: str | None
    outcomes: str  # JSON, as the task row keeps them
    document: str | None
    data: str  # JSON of the step's form data
    outcome: str | None
    meaning: str
    note: str | None
    weight: int  # how often a dossier still open stands at this task
    kind: str  # how long it takes: "receive", "work", "citizen" (supplement), "collect"
    issues: tuple[tuple[str, str], ...]  # (document, element) issued at its completion
    clock: str | None  # "start" | "stop": what its completion does to the legal clock
    status_after: str
    reopened_by: int | None  # index of the stop whose "back" reopened this step
    next_name: str
    next_element: str | None


@dataclass(frozen=True)
class Proc:
    """What the fill needs of one procedure: its ids, time limit and routes."""

    proc: int
    procedure_id: int
    limit: int
    leader: tuple[int, str, int] | None  # who apologises: user id, role, unit
    routes: dict[tuple[str, bool], list[Stop]]  # (variant, online) → stops
    shares: list[tuple[str, float]]  # variant → probability (the rest: "plain")


def build_route(plan: list[tuple[str, str | None, str | None]], steps: dict[str, Any],
                flow: dict[str, tuple[str, str | None, int, dict[str, Any]]],
                units: dict[str, int], users: dict[str, int], online: bool,
                declares_supplement: bool) -> list[Stop]:
    """The stops of one route (element, outcome, note), each with what the platform's rules
    make of its completion: documents, clock, status (``dossiers.rules``)."""
    from motcua.dossiers.models import DossierStatus
    from motcua.dossiers.rules import Act, completion_effects, next_status
    from motcua.processes.meanings import Meaning, implied_meaning, outcome_from

    clock_running = not online
    issued: set[str] = set()
    status = DossierStatus.RECEIVED
    stops: list[Stop] = []
    for index, (element, outcome, note) in enumerate(plan):
        cfg = steps[element]
        declared = {o[0]: outcome_from(o).meaning for o in cfg.get("outcomes") or []}
        meaning = declared.get(outcome or "", implied_meaning(outcome or ""))
        following = plan[index + 1][0] if index + 1 < len(plan) else None
        created = [(following, steps[following].get("document"))] if following else []
        effects = completion_effects(
            meaning, cfg.get("document"), element, clock_running=clock_running,
            receipt_issued=lambda: "receipt" in issued,
            declares_supplement=declares_supplement, created=created)
        issues: list[tuple[str, str]] = []
        clock = None
        refused = False
        for effect in effects:
            if effect.act is Act.START_CLOCK:
                clock, clock_running = "start", True
            elif effect.act is Act.STOP_CLOCK:
                clock = "stop"
            elif effect.act is Act.MARK_REFUSAL:
                refused = True
            else:
                issues.append((effect.kind or "", effect.element_id or element))
        ended = following is None
        status = next_status(
            status, ended=ended, refused=refused,
            supplement_waiting=bool(created and created[0][1] == "supplement"),
            issues_result=cfg.get("document") == "result", completed=True,
            clock_running=clock_running)
        if ended and status == DossierStatus.REFUSED and "refusal" not in {k for k, _ in issues}:
            issues.append(("refusal", element))
        issued.update(kind for kind, _ in issues)
        who, open_who, weight, data = flow[element]
        final = element not in {e for e, _o, _n in plan[index + 1:]}
        # The task after a send-back is the step reopened, returned from the one before it.
        reopened_by = index - 1 if index and stops[index - 1].meaning == Meaning.BACK else None
        kind = ("receive" if index == 0 else "citizen" if cfg.get("document") == "supplement"
                else "work" if cfg["allotted_minutes"] else "collect")
        stops.append(Stop(
            element=element, name=cfg["name"], role=cfg["role"], unit_id=units[cfg["unit"]],
            who=who if who in ("receiver", "specialist") else "fixed", who_id=users.get(who),
            assign_specialist=open_who == "specialist", allotted=cfg["allotted_minutes"],
            form_key=cfg.get("form"), outcomes=json.dumps(cfg.get("outcomes") or [],
                                                          ensure_ascii=False),
            document=cfg.get("document"), data=json.dumps(data, ensure_ascii=False),
            outcome=outcome, meaning=str(meaning), note=note,
            weight=weight if final else 0, kind=kind, issues=tuple(issues), clock=clock,
            status_after=str(status), reopened_by=reopened_by,
            next_name=steps[following]["name"] if following else END_LABELS[str(status)],
            next_element=following))
    return stops


def _ids(conn: psycopg.Connection[Any], sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(sql)}


def procedures(conn: psycopg.Connection[Any], templates: dict[int, tuple[str, str]]
               ) -> dict[int, Proc]:
    """The procedures the fill joins against (bench_proc) and each one's routes."""
    from motcua.processes.meanings import Meaning, outcome_from

    users = _ids(conn, "SELECT username, id FROM user_account")
    agencies = _ids(conn, "SELECT code, id FROM agency")
    conn.execute("DROP TABLE IF EXISTS bench_proc")
    conn.execute("""CREATE TABLE bench_proc (proc int PRIMARY KEY, procedure_id int,
        version_id int, agency_id int, agency_code text, desk_id int, handling_id int,
        limit_minutes int, receivers int[], specialists int[], data jsonb, state jsonb)""")
    procs = {}
    for proc, spec in PROCS.items():
        row = conn.execute(
            "SELECT p.id, v.id, p.agency_id, a.code, coalesce(p.handling_unit_id, p.agency_id), "
            "p.time_limit_minutes, v.steps FROM procedure p JOIN agency a ON a.id = p.agency_id "
            "JOIN process_version v ON v.procedure_id = p.id AND v.status = 'published' "
            "WHERE p.code = %s ORDER BY v.version DESC LIMIT 1", (spec["code"],)).fetchone()
        assert row is not None, spec["code"]
        pid, vid, agency_id, agency_code, handling_id, limit_minutes, steps = row
        data, state = templates[proc]
        conn.execute(
            "INSERT INTO bench_proc VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (proc, pid, vid, agency_id, agency_code, agencies[spec["desk"]], handling_id,
             limit_minutes or 0, [users[u] for u in spec["receivers"]],
             [users[u] for u in spec["specialists"]], Jsonb(json.loads(data)),
             Jsonb(json.loads(state))))
        units = {"@desk": agencies[spec["desk"]], "@agency": agency_id, "@handling": handling_id}
        declares = any(outcome_from(o).meaning is Meaning.SUPPLEMENT
                       for cfg in steps.values() for o in cfg.get("outcomes") or [])
        ways = {(variant, online): build_route(
                      plan, steps, FLOW[proc], units, users, online, declares)
                  for variant, (_share, plan) in ROUTES[proc].items()
                  for online in (False, True)}
        leader = next(((s.who_id, s.role, s.unit_id) for s in ways[("plain", False)]
                       if s.role == "leader" and s.who_id), None)
        procs[proc] = Proc(proc, pid, limit_minutes or 0, leader, ways,
                           [(v, share / 1000) for v, (share, _p) in ROUTES[proc].items()
                            if share])
    return procs
