"""Model conformance of a province of 2,000 procedures (issue 10): the auditor's summary on
one day, each procedure's process version in force against its decision in force.

    .venv/bin/python bench/conformance.py                    # 2,000 procedures, both backends
    .venv/bin/python bench/conformance.py --procedures 200 --backends sqlite   # a smoke run

Each backend gets a fresh database (PostgreSQL ``motcua_bench_conformance_<random>``, or a
SQLite file in a temporary folder), dropped at the end. Set-up: the sample organisation, one
decision publishing the 2,000 procedures with their step tables (through
``catalog.operations.import_decision``), a process per procedure: 16 templates (7 to 14
officer steps, with or without their decision rows) published through
``processes.operations.upload_and_publish``, every other procedure's version copied from its
template set-based (``INSERT … SELECT``, the procedure's code written into its BPMN), then an
amending decision for a tenth of them the processes were not updated to. Decisions differ
from the processes in one thing for about half of the procedures (another time, another
responsible, a row more, no rows on the process, no process at all), so every rule runs.

Timed, the median of ``--runs`` runs each, the session emptied before each run:

- *summary*: ``audit.conformance.operations.summary`` for the auditor on 16 March 2026;
- *API*: ``GET /api/v1/audit/conformance/summary?date=2026-03-16`` through the app's test
  client (the same plus authentication, the access log and the JSON);
- *baseline*: ``lxml.etree.fromstring`` of the 2,000 versions' BPMN (read once beforehand):
  the parse every comparison needs at the least, measured in the same run.

Figures only, nothing asserts on time; the target is ≤ 10 s for the summary. Writes
bench/results/conformance.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from util import PASSWORDS, RESULTS, SAMPLES, Database, log, median_ms, snapshot_code

DAY = date(2026, 3, 16)
EFFECTIVE = date(2026, 1, 5)
AGENCIES = (("000.00.12.H99", "000.12.12.H99"), ("000.00.20.H99", "000.00.20.H99"))
LANES = (("Lane_Desk", "Bộ phận Một cửa", "receiver", "@desk"),
         ("Lane_Head", "Lãnh đạo phòng", "unit_head", "@handling"),
         ("Lane_Specialist", "Chuyên viên", "specialist", "@handling"),
         ("Lane_Leader", "Lãnh đạo cơ quan", "leader", "@agency"),
         ("Lane_Clerk", "Văn thư", "clerk", "@agency"))
NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')


def steps_of(size: int) -> list[tuple[str, str, int, str]]:
    """(id, work, lane index, allotted) of a template with ``size`` extra consultations."""
    steps = [("Task_Receive", "Tiếp nhận hồ sơ", 0, "4h"), ("Task_Assign", "Phân công", 1, "4h"),
             ("Task_Examine", "Thẩm định hồ sơ", 2, "2d")]
    steps += [(f"Task_Consult_{i}", f"Lấy ý kiến lần {i + 1}", 2, "4h") for i in range(size)]
    steps += [("Task_Review", "Xem xét, trình ký", 1, "4h"),
              ("Task_Sign", "Ký kết quả", 3, "1d"), ("Task_Issue", "Vào số, đóng dấu", 4, "4h"),
              ("Task_Return", "Trả kết quả", 0, "0")]
    return steps


def bpmn(code: str, size: int, rows: bool) -> bytes:
    """A process: reception (accept or refuse), the steps in line, the review sending the
    dossier back to the examination; each step with its decision row when ``rows``."""
    steps = steps_of(size)
    props = {"Task_Receive": "accept=Tiếp nhận;refuse=Từ chối",
             "Task_Review": "agree=Đồng ý;back=Trả lại"}
    parts, flows = [], []
    lane_refs: dict[str, list[str]] = {lane[0]: [] for lane in LANES}
    lane_refs["Lane_Desk"] += ["Start_Submit", "Gw_Receive", "End_Refused", "End_Done"]
    lane_refs["Lane_Head"].append("Gw_Review")
    for no, (ident, work, lane, allotted) in enumerate(steps, start=1):
        lane_refs[LANES[lane][0]].append(ident)
        values = [("allotted", allotted)] + ([("row", str(no))] if rows else [])
        if ident in props:
            values.append(("outcomes", props[ident]))
        inner = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in values)
        parts.append(f'<bpmn:userTask id="{ident}" name="{work}"><bpmn:extensionElements>'
                     f"<spiffworkflow:properties>{inner}</spiffworkflow:properties>"
                     "</bpmn:extensionElements></bpmn:userTask>")
    order = [s[0] for s in steps]
    chain = ["Start_Submit", "Task_Receive", "Gw_Receive", *order[1:order.index("Task_Review") + 1],
             "Gw_Review", *order[order.index("Task_Review") + 1:], "End_Done"]
    onward = {"Gw_Receive": 'outcome == "accept"', "Gw_Review": 'outcome == "agree"'}
    flows += [(a, b, onward.get(a, "")) for a, b in itertools.pairwise(chain)]
    flows += [("Gw_Receive", "End_Refused", 'outcome == "refuse"'),
              ("Gw_Review", "Task_Examine", 'outcome == "back"')]
    parts += ['<bpmn:startEvent id="Start_Submit" name="Nộp hồ sơ"/>',
              '<bpmn:exclusiveGateway id="Gw_Receive"/>', '<bpmn:exclusiveGateway id="Gw_Review"/>',
              '<bpmn:endEvent id="End_Refused" name="Từ chối"/>',
              '<bpmn:endEvent id="End_Done" name="Hoàn thành"/>']
    for i, (a, b, condition) in enumerate(flows):
        body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
        parts.append(f'<bpmn:sequenceFlow id="Flow_{i}" sourceRef="{a}" targetRef="{b}">{body}'
                     "</bpmn:sequenceFlow>")
    lanes = "".join(
        f'<bpmn:lane id="{lid}" name="{name}"><bpmn:extensionElements><spiffworkflow:properties>'
        f'<spiffworkflow:property name="role" value="{role}"/>'
        f'<spiffworkflow:property name="unit" value="{unit}"/></spiffworkflow:properties>'
        "</bpmn:extensionElements>"
        + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in lane_refs[lid])
        + "</bpmn:lane>" for lid, name, role, unit in LANES)
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions {NS} id="Defs" '
            'targetNamespace="http://example.org/motcua">'
            f'<bpmn:process id="Process_Bench" name="Quy trình thủ tục {code}" isExecutable="true">'
            f'<bpmn:laneSet id="LaneSet">{lanes}</bpmn:laneSet>{"".join(parts)}</bpmn:process>'
            "</bpmn:definitions>").encode()


def variant(i: int) -> str:
    """What differs between procedure ``i``'s decision and process."""
    return {1: "time", 2: "responsible", 3: "missing", 4: "no_rows", 5: "no_process",
            6: "amended"}.get(i % 10, "same")


def entry(i: int, action: str = "new") -> dict[str, Any]:
    size, kind = i % 8, variant(i)
    agency, unit = AGENCIES[i % 2]
    rows = []
    for no, (_ident, work, lane, allotted) in enumerate(steps_of(size), start=1):
        _, responsible, role, selector = LANES[lane]
        if kind == "time" and no == 3:
            allotted = "1d"
        if kind == "responsible" and no == 3:
            role = "unit_head"
        rows.append({"no": no, "work": work, "responsible": responsible, "role": role,
                     "unit": selector, "time": allotted})
    if kind == "missing":
        rows.append({"no": len(rows) + 1, "work": "Lưu trữ hồ sơ", "responsible": "Văn thư",
                     "role": "clerk", "unit": "@agency", "time": "0"})
    return {"action": action, "code": code_of(i), "name": f"Thủ tục đo hiệu năng số {i + 1}",
            "agency": agency, "handling_unit": unit, "time_limit": "15d", "steps": rows,
            **({"fee": "Sửa đổi phí"} if action == "amended" else {})}


def code_of(i: int) -> str:
    return f"9.{i + 1:06d}"


def decision(number: str, effective: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"decision": {"number": number, "date": effective, "effective": effective,
                         "issuer": "UBND tỉnh Mẫu", "title": f"Quyết định {number}"},
            "procedures": entries}


def build(count: int) -> dict[str, Any]:
    """The province, in the current app context: returns what was built."""
    from sqlalchemy import func, insert, literal, select

    from motcua.catalog.models import Procedure
    from motcua.catalog.operations import import_decision
    from motcua.db import db
    from motcua.org.operations import import_org
    from motcua.processes.models import ProcessVersion
    from motcua.processes.operations import upload_and_publish

    import_org(json.loads((SAMPLES / "org.json").read_text(encoding="utf-8")))
    doc = decision("1000/QĐ-BENCH", EFFECTIVE.isoformat(), [entry(i) for i in range(count)])
    import_decision(doc, json.dumps(doc, ensure_ascii=False))
    templates: dict[tuple[int, bool], tuple[int, str]] = {}
    with_process = [i for i in range(count) if variant(i) != "no_process"]
    for i in with_process:
        key = (i % 8, variant(i) != "no_rows")
        if key not in templates:
            version = upload_and_publish(code_of(i), bpmn(code_of(i), *key), f"{code_of(i)}.bpmn",
                                         [], EFFECTIVE)
            templates[key] = (version.id, code_of(i))
    db.session.flush()
    copied = [c.name for c in ProcessVersion.__table__.columns if c.name not in (
        "id", "procedure_id", "bpmn_xml", "process_name")]
    for key, (template_id, template_code) in templates.items():
        codes = [code_of(i) for i in with_process
                 if (i % 8, variant(i) != "no_rows") == key and code_of(i) != template_code]
        if not codes:
            continue
        t = ProcessVersion.__table__.alias("t")
        source = (select(Procedure.id, func.replace(t.c.bpmn_xml, literal(template_code),
                                                    Procedure.code),
                         func.replace(t.c.process_name, literal(template_code), Procedure.code),
                         *(t.c[name] for name in copied))
                  .select_from(Procedure.__table__.join(t, t.c.id == template_id))
                  .where(Procedure.code.in_(codes)))
        db.session.execute(insert(ProcessVersion.__table__).from_select(
            ["procedure_id", "bpmn_xml", "process_name", *copied], source))
    db.session.commit()
    amended = [entry(i, "amended") for i in range(count) if variant(i) == "amended"]
    doc = decision("1001/QĐ-BENCH", "2026-02-02", amended)
    import_decision(doc, json.dumps(doc, ensure_ascii=False))
    db.session.commit()
    versions = db.session.scalar(select(func.count(ProcessVersion.id)))
    return {"procedures": count, "versions": versions, "templates": len(templates),
            "amended": len(amended)}


def measure(app: Any, runs: int) -> dict[str, Any]:
    from lxml import etree
    from sqlalchemy import select

    from motcua.audit.conformance.operations import summary
    from motcua.db import db
    from motcua.org.models import User
    from motcua.processes.models import ProcessVersion

    sources = [x.encode("utf-8") for x in db.session.scalars(select(ProcessVersion.bpmn_xml))]
    user = db.session.scalar(select(User).where(User.username == "ks.nga"))
    assert user is not None
    found: dict[str, Any] = {}

    def run_summary() -> None:
        db.session.expunge_all()
        found["reports"] = summary(db.session.merge(user), DAY)

    def parse_all() -> None:
        for data in sources:
            etree.fromstring(data)

    summary_ms, summary_min = median_ms(run_summary, runs)
    baseline_ms, baseline_min = median_ms(parse_all, runs)
    reports = found["reports"]
    statuses: dict[str, int] = {}
    rules: dict[str, int] = {}
    for report in reports:
        statuses[report.status.value] = statuses.get(report.status.value, 0) + 1
        for finding in report.findings:
            rules[finding.rule] = rules.get(finding.rule, 0) + 1
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={
        "username": "ks.nga", "password": PASSWORDS["ks.nga"]}).get_json()["token"]

    def run_api() -> None:
        db.session.expunge_all()
        response = client.get("/api/v1/audit/conformance/summary?date=2026-03-16",
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_data()[:300]
        found["api"] = response.get_json()

    api_ms, api_min = median_ms(run_api, runs)
    return {"summary_median_ms": round(summary_ms, 1), "summary_min_ms": round(summary_min, 1),
            "api_median_ms": round(api_ms, 1), "api_min_ms": round(api_min, 1),
            "baseline_lxml_median_ms": round(baseline_ms, 1),
            "baseline_lxml_min_ms": round(baseline_min, 1),
            "ratio_summary_to_baseline": round(summary_ms / baseline_ms, 1),
            "listed": len(reports), "api_listed": found["api"]["total"],
            "statuses": statuses, "findings_by_rule": dict(sorted(rules.items())),
            "bpmn_bytes_total": sum(len(s) for s in sources)}


def one_backend(backend: str, workdir: Path, count: int, runs: int) -> dict[str, Any]:
    from flask_migrate import upgrade

    from motcua.app import create_app
    from motcua.db import db

    os.environ.setdefault("MOTCUA_DEV", "1")  # a development secret key, as the CLI's benches
    database = Database(backend, workdir, "conformance")
    log(f"{backend}: {database.name}")
    try:
        app = create_app({"DATABASE_URL": database.url,
                          "INSTANCE_PATH": str(workdir / f"instance-{backend}")})
        with app.app_context():
            upgrade()
            began = time.perf_counter()
            built = build(count)
            built["setup_seconds"] = round(time.perf_counter() - began, 1)
            log(f"{backend}: built {built}")
            figures = measure(app, runs)
            log(f"{backend}: {figures['summary_median_ms']} ms (baseline "
                f"{figures['baseline_lxml_median_ms']} ms)")
            db.session.remove()
            db.engine.dispose()
        return {"database": database.name, **built, **figures}
    finally:
        database.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--output", type=Path, default=RESULTS / "conformance.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-conformance-") as tmp:
        workdir = Path(tmp)
        meta = snapshot_code(workdir)
        # Other work on the machine inflates every figure: the load is kept with them.
        meta["load_average_start"] = [round(x, 2) for x in os.getloadavg()]
        results = {backend: one_backend(backend, workdir, args.procedures, args.runs)
                   for backend in args.backends.split(",")}
    meta["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    args.output.write_text(json.dumps({"meta": meta, "runs": args.runs, "results": results},
                                      ensure_ascii=False, indent=1), encoding="utf-8")
    print("| backend | procedures | summary median (ms) | API median (ms) | lxml baseline (ms) "
          "| ratio |\n|---|---|---|---|---|---|")
    for backend, r in results.items():
        print(f"| {backend} | {r['procedures']} | {r['summary_median_ms']} | "
              f"{r['api_median_ms']} | {r['baseline_lxml_median_ms']} | "
              f"{r['ratio_summary_to_baseline']}× |")
    print(f"\nLoad average (1, 5, 15 min) at the start {meta['load_average_start']}, at the end "
          f"{meta['load_average_end']}.")


if __name__ == "__main__":
    main()
