"""How long a test run of a 30-step draft takes along its longest path.

    .venv/bin/python bench/simulate.py [--runs 21]

The draft is ``check_large.py``'s diagram cut to five blocks: reception (accept, supplement,
refuse), five blocks of work, review with send-back, two steps in parallel and approval, then
signing, issuing and return — 30 officer steps in 5 lanes. It is stored as a draft of the
sample procedure in an SQLite file with the sample province, and run:

- along its longest path without loops (the defaults: every step but the supplement's, both
  parallel branches of each block: 29 tasks), and with every loop taken once (the supplement
  at reception and one send-back per review: 41 tasks);
- as the operation (``design.simulation.simulate``: the draft's full check, SpiffWorkflow's
  run with the platform's runtime, the calendar, units and statuses) and as the HTTP request
  (``POST /api/v1/drafts/{id}/simulate`` with a bearer token, JSON in and out).

Measured in the same run, the baseline: the raw SpiffWorkflow run of the same file (its
parser and a plain workflow completing each ready task with the same outcomes), without our
checks, mapping or calendar. Figures only; the target is under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "tests"), str(ROOT / "bench")]

from check_large import build  # noqa: E402
from util import median_ms  # noqa: E402

BLOCKS = 5
PROCEDURE = "2.000488"


def _loops() -> dict[str, list[str]]:
    choices = {"Task_Receive": ["bs", "accept"]}
    choices.update({f"Task_{i}_Review": ["back", "ok"] for i in range(BLOCKS)})
    return choices


def _spiff_run(data: bytes, choices: dict[str, list[str]]) -> int:
    """Parse and run the file with SpiffWorkflow alone; the number of tasks completed."""
    from lxml import etree
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    from motcua.engine.expressions import SafeScriptEngine

    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(data), filename="large.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("Process_Large"),
                            parser.get_subprocess_specs("Process_Large"),
                            script_engine=SafeScriptEngine())
    workflow.do_engine_steps()
    queues = {k: list(v) for k, v in choices.items()}
    done = 0
    while True:
        ready = list(workflow.get_tasks(state=TaskState.READY, manual=True))
        if not ready:
            return done
        task = ready[0]
        queue = queues.get(task.task_spec.bpmn_id or "") or []
        task.data["outcome"] = queue.pop(0) if queue else _first_outcome(task)
        task.run()
        workflow.do_engine_steps()
        done += 1


def _first_outcome(task: Any) -> str | None:
    props = getattr(task.task_spec, "extensions", {}).get("properties", {})
    text = props.get("outcomes", "")
    return text.split(";")[0].split("=")[0].split(":")[0] or None if text else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    data, _context = build(BLOCKS)

    from flask_migrate import upgrade
    from sqlalchemy import select

    from motcua.app import create_app
    from motcua.catalog.models import Procedure
    from motcua.clock import set_clock
    from motcua.db import db
    from motcua.design import operations
    from motcua.design.simulation import Request, simulate
    from motcua.design.simulation.run import runnable
    from motcua.org.models import User
    from support.clock import FakeClock, local
    from support.paths import SAMPLES, load_json, passwords
    from support.sample import load_province

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                          "INSTANCE_PATH": tmp})
        start = local(2026, 3, 16, 9, 0)
        set_clock(app, FakeClock(start))
        with app.app_context():
            upgrade()
            org = load_province(load_json(SAMPLES / "org.json"), processes={})
            user = db.session.scalars(select(User).where(User.username == "qt.binh")).one()
            procedure = db.session.scalars(
                select(Procedure).where(Procedure.code == PROCEDURE)).one()
            draft = operations.create(procedure, user, bpmn=data, filename="large.bpmn")
            db.session.commit()
            draft_id = draft.id
            steps = len(runnable(draft).steps)
            rows: list[tuple[str, float, float, str]] = []
            paths = {"longest path, no loops": {}, "every loop once": _loops()}
            lengths = {}
            for label, choices in paths.items():
                answer = simulate(draft, Request(choices=choices), start)
                assert answer.ended and answer.status == "returned", answer.notes
                lengths[label] = len(answer.path)
                assert _spiff_run(data, choices) == len(answer.path)
                # The XSD validator and the calendar are built once per process: warm first.
                median, low = median_ms(
                    lambda c=choices: simulate(draft, Request(choices=c), start), args.runs,
                    warm=True)
                rows.append((f"simulate, {label}", median, low, f"{len(answer.path)} tasks"))
                base, base_low = median_ms(lambda c=choices: _spiff_run(data, c), args.runs,
                                           warm=True)
                rows.append((f"  baseline: SpiffWorkflow parse + run, {label}", base, base_low,
                             f"ratio {median / base:.1f}x"))
            check, check_low = median_ms(lambda: runnable(draft), args.runs, warm=True)
            rows.append(("  of which the draft's check", check, check_low, ""))

        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={
            "username": "qt.binh", "password": passwords(org["users"])["qt.binh"]}
        ).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}

        def http() -> None:
            response = client.post(f"/api/v1/drafts/{draft_id}/simulate", headers=headers,
                                   json={"choices": {}})
            assert response.status_code == 200, response.get_data(as_text=True)
            json.loads(response.get_data())

        median, low = median_ms(http, args.runs, warm=True)
        rows.insert(1, ("POST /drafts/{id}/simulate, longest path", median, low, "HTTP"))

    print(f"draft: {steps} officer steps, {data.count(b'<bpmn:sequenceFlow')} flows, "
          f"{len(data) // 1024} KiB; {args.runs} runs each")
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'median ms':>9}  {'min ms':>7}  note")
    for what, median, low, note in rows:
        print(f"{what:<{width}}  {median:9.1f}  {low:7.1f}  {note}")
    worst = max(r[1] for r in rows if not r[0].startswith("  "))
    print(f"target < 300 ms: {'met' if worst < 300 else 'NOT met'} (slowest {worst:.1f} ms)")


if __name__ == "__main__":
    main()
