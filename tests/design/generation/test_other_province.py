"""Generation on a province it was not written against: the demo province (H42, its own
organisation tree, decision wording and role/unit columns, an inter-agency step at another
department). Each procedure with a step table gives a draft without errors that publishes
and runs to the end along its main path and through every supplement and send-back loop."""

from __future__ import annotations

from typing import Any

import pytest
from gen_support import Driver, every_loop, problems_of, publish

from motcua.catalog.operations import get_procedure
from motcua.db import db
from motcua.design.generation import generate
from support.api import Api

# The desk each procedure is received at, and who receives there.
DESKS = {"1.009974": ("mc.lan", "000.00.31.H42"), "2.000815": ("xa.yen", "000.31.51.H42"),
         "1.009972": ("mc.lan", "000.00.31.H42")}


def handling_of(procedure: Any) -> str:
    assert procedure.handling_unit is not None
    return str(procedure.handling_unit.code)


@pytest.mark.parametrize("code", sorted(DESKS))
def test_each_procedure_of_another_province_generates_publishes_and_runs(
        demo: tuple[dict[str, Any], Api], code: str) -> None:
    org, api = demo
    procedure = get_procedure(code)
    generated = generate(procedure)
    assert generated.problems == []
    assert [p for p in problems_of(generated, procedure) if p["severity"] == "error"] == []
    publish(generated, code)
    receiver, desk = DESKS[code]
    driver = Driver(api, org, generated.forms, receiver=receiver, desk=desk,
                    handling=handling_of(procedure))
    path, status = driver.run(code=code)
    assert status == "returned"
    assert [step for step, _ in path] == [
        f"Task_{str(s['no']).replace('.', '_')}" for s in procedure.steps]
    plan = every_loop(generated)
    path, status = driver.run(plan, code=code)
    assert status == "returned"
    visited = {step for step, _ in path}
    assert {f"{t}_BoSung" for t, keys in plan.items() if "supplement" in keys} <= visited


def test_the_inter_agency_step_runs_at_the_other_department(
        demo: tuple[dict[str, Any], Api]) -> None:
    org, api = demo
    procedure = get_procedure("1.009972")
    generated = generate(procedure)
    publish(generated, "1.009972")
    driver = Driver(api, org, generated.forms, receiver="mc.lan", desk="000.00.31.H42",
                    handling=handling_of(procedure))
    driver.run(code="1.009972")
    tasks = api.get("ks.thu", f"/dossiers/{driver.code}").get_json()["tasks"]
    consult = next(t for t in tasks if t["step"] == "Task_4")
    assert (consult["role"], consult["unit"], consult["assignee"]) == (
        "specialist", "000.05.13.H42", "cv.linh")


def test_a_demo_version_is_copied_into_a_draft(app: Any) -> None:
    """The demo publishes each process with the library beside it; one that calls nothing
    from it is copied like any other."""
    from datetime import date

    from motcua.demo.loader import load_demo
    from motcua.design import operations
    from motcua.org.models import User

    load_demo(date(2026, 3, 1))
    designer = db.session.scalars(db.select(User).where(User.username == "qt.khoa")).one()
    procedure = get_procedure("1.009974")
    draft = operations.copy_version(procedure, 1, designer)
    assert draft.origin == "copy" and "Task_" in draft.bpmn_xml
    assert [p for p in draft.problems if p["severity"] == "error"] == []
