"""Whatever the order of roles in a table, the generated draft checks without errors and
runs to the end, through every send-back and supplement loop once: the shape comes from the
roles and positions, never from the wording of the steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gen_support import DESK_TEXT, EXAMINER, Driver, every_loop, problems_of

from motcua.catalog.decisions import read_steps
from motcua.design.generation import Generated, generate
from motcua.design.generation.plan import kinds

TEXTS = {"desk": DESK_TEXT, "specialist": EXAMINER,
         "unit_head": "Lãnh đạo Phòng Hành chính tư pháp", "leader": "Lãnh đạo Sở Tư pháp",
         "clerk": "Văn thư Sở Tư pháp"}
SHAPES = {
    "commune": ["desk", "specialist", "leader", "desk"],
    "no-desk": ["specialist", "unit_head", "leader", "clerk"],
    "leader-after-reception": ["desk", "leader", "desk"],
    "two-examinations": ["desk", "unit_head", "specialist", "specialist", "unit_head",
                         "leader", "clerk", "desk"],
    "desk-only": ["desk", "desk"],
}


def test_kinds_come_from_roles_and_positions() -> None:
    roles: list[str | None] = ["receiver", "unit_head", "specialist", "unit_head", "leader", "clerk", "receiver"]
    assert kinds(roles) == ["reception", "assignment", "examination", "review", "approval",
                            "issue", "return"]
    assert kinds(["receiver", "leader", "receiver"]) == ["reception", "step", "return"]
    assert kinds(["leader", "clerk", "clerk"]) == ["step", "step", "issue"]
    assert kinds(["receiver", "receiver", "specialist", "receiver"]) == [
        "reception", "step", "examination", "return"]
    assert kinds([None, "unit_head"]) == ["step", "review"]


def _generate(procedure: Any, shape: list[str]) -> Generated:
    rows = [{"no": i + 1, "work": f"Bước {i + 1}", "responsible": TEXTS[r], "time": "2h"}
            for i, r in enumerate(shape)]
    return generate(procedure, read_steps(rows))


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_checks_and_runs_every_loop(procedure: Any, shape: str,
                                                drive: Callable[[Generated], Driver]) -> None:
    generated = _generate(procedure, SHAPES[shape])
    assert generated.problems == []
    assert [p for p in problems_of(generated, procedure) if p["severity"] == "error"] == []
    driver = drive(generated)
    path, status = driver.run()
    assert status == "returned"
    assert [s for s, _ in path] == [f"Task_{i + 1}" for i in range(len(SHAPES[shape]))]
    plan = every_loop(generated)
    path, status = driver.run(plan)
    assert status == "returned"
    visited = {s for s, _ in path}
    assert {f"{t}_BoSung" for t, keys in plan.items() if "supplement" in keys} <= visited
