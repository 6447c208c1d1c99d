"""A draft generated from the imported sample decision's step table checks clean,
publishes, and runs to the end along every outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gen_support import Driver, problems_of

from motcua.design.generation import Generated, generate


def test_sample_decision_generates_a_clean_draft(procedure: Any) -> None:
    generated = generate(procedure)
    assert problems_of(generated, procedure) == []
    assert generated.problems == []


MAIN = ["Task_1", "Task_2", "Task_3", "Task_4", "Task_5", "Task_6", "Task_7"]


def _steps(path: list[tuple[str, str | None]]) -> list[str]:
    return [step for step, _ in path]


@pytest.mark.parametrize(("choices", "status", "steps"), [
    pytest.param({}, "returned", MAIN, id="accept-to-return"),
    pytest.param({"Task_1": ["refuse"]}, "refused", ["Task_1"], id="refuse"),
    pytest.param({"Task_1": ["supplement", "accept"]}, "returned",
                 ["Task_1", "Task_1_BoSung", *MAIN], id="supplement-at-reception"),
    pytest.param({"Task_3": ["supplement", "propose"]}, "returned",
                 [*MAIN[:3], "Task_3_BoSung", *MAIN[2:]], id="supplement-at-examination"),
    pytest.param({"Task_4": ["back", "agree"]}, "returned",
                 [*MAIN[:4], "Task_3", *MAIN[3:]], id="review-sends-back"),
    pytest.param({"Task_5": ["back", "approve"]}, "returned",
                 [*MAIN[:5], "Task_4", *MAIN[4:]], id="approval-sends-back"),
])
def test_every_outcome_runs_to_the_end(procedure: Any, drive: Callable[[Generated], Driver],
                                       choices: dict[str, list[str]], status: str,
                                       steps: list[str]) -> None:
    driver = drive(generate(procedure))
    path, final = driver.run(choices)
    assert (_steps(path), final) == (steps, status)


@pytest.mark.parametrize(("choices", "documents"), [
    pytest.param({}, ["receipt", "result"], id="accepted"),
    pytest.param({"Task_1": ["refuse"]}, ["refusal"], id="refused"),
    # Form 02 for the request; form 01 when the complete dossier comes back and is accepted.
    pytest.param({"Task_1": ["supplement", "accept"]}, ["supplement", "receipt", "result"],
                 id="supplement-at-reception"),
    # After a receipt, the supplement received gives a new receipt with the new appointment.
    pytest.param({"Task_3": ["supplement"]}, ["receipt", "supplement", "receipt", "result"],
                 id="supplement-at-examination"),
])
def test_documents_at_the_right_steps(procedure: Any, drive: Callable[[Generated], Driver],
                                      choices: dict[str, list[str]],
                                      documents: list[str]) -> None:
    driver = drive(generate(procedure))
    driver.run(choices)
    assert driver.documents == documents
