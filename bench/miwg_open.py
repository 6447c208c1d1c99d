"""How long opening a BPMN file made elsewhere takes: each of the 21 MIWG reference diagrams
(tests/design/miwg/files/) created as a draft of the sample procedure.

    .venv/bin/python bench/miwg_open.py [--runs 11]

In process, through the Flask test client, on its own SQLite file with the sample province:
each figure is one ``POST /api/v1/drafts`` with the file as JSON, which reads the file
safely, stores the draft and its first revision and runs every check (legal ones included)
— what a designer waits for after choosing a file. Measured in the same run on the same
bytes, the floor every upload pays anyway: the safe lxml parse (``parse_xml``). Prints the
median per file, the ratio to its parse, and the median over all files. Figures only; the
target is under 300 ms per file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "tests"), str(ROOT / "tests" / "browser")]

from browser_support import load_sample  # noqa: E402
from util import median_ms  # noqa: E402

FILES = sorted((ROOT / "tests" / "design" / "miwg" / "files").glob("*.bpmn"))
PROCEDURE = "2.000488"
DESIGNER = "qt.binh"
TARGET_MS = 300


def _ms(seconds: float) -> float:
    return seconds * 1000


def _parse_ms(data: bytes, name: str, runs: int) -> float:
    from motcua.processes.checks.xml_safety import parse_xml

    return median_ms(lambda: parse_xml(data, name), runs)[0]


def _create_ms(client: Any, token: str, text: str, runs: int) -> tuple[float, int]:
    times, problems = [], 0
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(runs):
        start = time.perf_counter()
        response = client.post("/api/v1/drafts", headers=headers,
                               json={"procedure": PROCEDURE, "bpmn": text})
        times.append(time.perf_counter() - start)
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code}: {response.get_data(as_text=True)[:300]}")
        problems = len(response.get_json()["problems"])
    return _ms(statistics.median(times)), problems


def _text(data: bytes) -> str:
    """The file as the JSON API takes it: decoded by its own declaration."""
    from motcua.design.reading import readable_bpmn

    return readable_bpmn(data, "file.bpmn").decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from motcua.app import create_app
    from motcua.clock import set_clock
    from motcua.db import db
    from support.clock import FakeClock, local

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                          "INSTANCE_PATH": str(Path(tmp) / "instance")})
        with app.app_context():
            upgrade()
        passwords = load_sample(app)
        set_clock(app, FakeClock(local(2026, 3, 16, 9, 0)))
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={
            "username": DESIGNER, "password": passwords[DESIGNER]}).get_json()["token"]
        rows = []
        for path in FILES:
            data = path.read_bytes()
            text = _text(data)
            _create_ms(client, token, text, 1)  # warm: the first call loads the XSDs
            created, problems = _create_ms(client, token, text, args.runs)
            rows.append((path.name, len(data), problems, created,
                         _parse_ms(data, path.name, args.runs)))
        with app.app_context():
            db.engine.dispose()
    print(f"{len(rows)} MIWG reference files, {args.runs} runs each; POST /api/v1/drafts "
          "(read, store, check) vs the safe lxml parse of the same bytes")
    print("| file | KiB | problems | create + check, median ms | parse, median ms | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, size, problems, created, parsed in rows:
        print(f"| {name} | {size / 1024:.0f} | {problems} | {created:.1f} | {parsed:.2f} | "
              f"{created / parsed:.0f}× |")
    overall = statistics.median(r[3] for r in rows)
    floor = statistics.median(r[4] for r in rows)
    worst = max(rows, key=lambda r: r[3])
    print(f"overall: median {overall:.1f} ms per file (parse {floor:.2f} ms, ratio "
          f"{overall / floor:.0f}×); slowest {worst[0]} {worst[3]:.1f} ms; target < "
          f"{TARGET_MS} ms each: " + ("met" if worst[3] < TARGET_MS else "NOT met"))


if __name__ == "__main__":
    main()
