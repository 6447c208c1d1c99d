"""Test runs of generated drafts along every path of outcomes: the sample decision's
procedure and each procedure of another province (the demo's, its own tree and wording).
Each path's roles, units and agencies are the ones the organisation tree gives, its due
times those of the working-time calendar, and it is the path, with the statuses, that a
real dossier takes when its officers choose the same outcomes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sim_support import Answer, Choices, check_places, check_times, every_path, holders

from design.generation.gen_support import HANDLING, Driver, publish
from motcua.catalog.models import Procedure
from motcua.catalog.operations import get_procedure
from motcua.db import db
from motcua.design import operations
from motcua.design.generation import Generated, generate
from motcua.org.models import User
from motcua.processes.checks import StepConfig
from motcua.processes.operations import check
from support.api import AGENCY, DESK, PROCEDURE, Api
from support.clock import FakeClock

START = "2026-03-16T09:00:00+07:00"


def draft_of(procedure: Procedure, generated: Generated, designer: str) -> int:
    user = db.session.scalars(db.select(User).where(User.username == designer)).one()
    draft = operations.create(procedure, user, bpmn=generated.bpmn, forms=generated.forms,
                              filename=generated.filename, origin="generated")
    db.session.commit()
    return int(draft.id)


def steps_of(generated: Generated, procedure: Procedure) -> dict[str, StepConfig]:
    result = check(generated.bpmn.encode(), generated.filename, generated.forms,
                   procedure=procedure)
    assert result.ok, result.errors
    return result.steps


def runner(api: Api, designer: str, draft_id: int) -> Callable[[Choices], Answer]:
    def run(choices: Choices) -> Answer:
        response = api.post(designer, f"/drafts/{draft_id}/simulate",
                            json={"choices": choices, "start": START})
        assert response.status_code == 200, response.get_json()
        answer: Answer = response.get_json()
        return answer

    return run


def parents_and_names(org: dict[str, Any]) -> tuple[dict[str, str | None], dict[str, str]]:
    return ({a["code"]: a.get("parent") for a in org["agencies"]},
            {a["code"]: a["name"] for a in org["agencies"]})


def same_as_real(answer: Answer, driver: Driver, choices: Choices, api: Api, reader: str,
                 code: str) -> None:
    """The dossier a real run of these outcomes leaves: the same steps in the same order,
    each at the same role and unit, and the same status at the end."""
    real, status = driver.run(choices, code=code)
    assert [(s["element_id"], s["outcome"]) for s in answer["path"]] == real
    assert answer["status"] == status
    tasks = api.get(reader, f"/dossiers/{driver.code}").get_json()["tasks"]
    assert [(t["step"], t["role"], t["unit"]) for t in tasks] == [
        (s["element_id"], s["role"], s["unit"]) for s in answer["path"]]
    # The first step opened at reception, as in the simulation's start.
    assert tasks[0]["due_at"] == answer["path"][0]["due_at"]


def test_every_path_of_the_sample_decisions_draft(org: dict[str, Any], api: Api,
                                                  clock: FakeClock) -> None:
    assert clock().isoformat() == START
    procedure = get_procedure(PROCEDURE)
    generated = generate(procedure)
    draft_id = draft_of(procedure, generated, "qt.binh")
    steps = steps_of(generated, procedure)
    publish(generated)
    driver = Driver(api, org, generated.forms)
    parents, names = parents_and_names(org)
    selectors = {"@desk": DESK, "@handling": HANDLING, "@agency": AGENCY}
    endings: dict[str, int] = {}
    for choices, answer in every_path(runner(api, "qt.binh", draft_id)):
        assert answer["ended"] and not answer["truncated"] and answer["open"] == []
        check_times(answer, datetime.fromisoformat(START), procedure.time_limit_minutes, steps)
        check_places(answer, steps, selectors, parents, names, holders(org))
        same_as_real(answer, driver, choices, api, "qt.binh", PROCEDURE)
        endings[answer["status"]] = endings.get(answer["status"], 0) + 1
    # Every outcome of every step was taken on some path, and both endings were reached.
    assert set(endings) == {"returned", "refused"}
    assert sum(endings.values()) == 1 + 2 * 2 * 2 * 2


# The desk each procedure is received at (the nearest to its agency), its designer.
DEMO = {"1.009974": ("mc.lan", "000.00.31.H42", "qt.khoa"),
        "2.000815": ("xa.yen", "000.31.51.H42", "xa.minh"),
        "1.009972": ("mc.lan", "000.00.31.H42", "qt.khoa")}


@pytest.mark.parametrize("code", sorted(DEMO))
def test_every_path_of_another_provinces_drafts(demo: tuple[dict[str, Any], Api],
                                                code: str) -> None:
    org, api = demo
    receiver, desk, designer = DEMO[code]
    procedure = get_procedure(code)
    generated = generate(procedure)
    draft_id = draft_of(procedure, generated, designer)
    steps = steps_of(generated, procedure)
    publish(generated, code)
    assert procedure.handling_unit is not None
    driver = Driver(api, org, generated.forms, receiver=receiver, desk=desk,
                    handling=procedure.handling_unit.code)
    parents, names = parents_and_names(org)
    selectors = {"@desk": desk, "@handling": procedure.handling_unit.code,
                 "@agency": procedure.agency.code}
    paths = list(every_path(runner(api, designer, draft_id)))
    # Real dossiers for a spread of them (every path would take minutes on this machine).
    stride = max(1, len(paths) // 12)
    for i, (choices, answer) in enumerate(paths):
        assert answer["ended"], answer["end"]
        check_times(answer, datetime.fromisoformat(START), procedure.time_limit_minutes, steps)
        check_places(answer, steps, selectors, parents, names, holders(org))
        if i % stride == 0 or answer["status"] == "refused":
            same_as_real(answer, driver, choices, api, "ks.thu", code)
    assert {a["status"] for _, a in paths} == {"returned", "refused"}
