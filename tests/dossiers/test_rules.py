"""The rules a completed step sets off, on plain values (``dossiers.rules``): the ones the
dossier flow and the designer's test run both apply."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import DossierStatus
from motcua.dossiers.rules import (
    Act,
    Effect,
    completion_effects,
    next_status,
    owes_refusal,
    reconsiders_refusal,
)
from motcua.processes.meanings import Meaning


def effects(meaning: Meaning | None, document: str | None = None, *, running: bool = True,
            receipt: bool = False, declares: bool = True,
            created: tuple[tuple[str, str | None], ...] = ()) -> list[Effect]:
    return completion_effects(meaning, document, "S", clock_running=running,
                              receipt_issued=lambda: receipt, declares_supplement=declares,
                              created=created)


def test_the_outcome_meanings() -> None:
    assert effects(Meaning.ACCEPT, running=False) == [Effect(Act.START_CLOCK)]
    assert effects(Meaning.ACCEPT) == []
    assert effects(Meaning.SUPPLEMENT) == [Effect(Act.STOP_CLOCK),
                                           Effect(Act.ISSUE, "supplement", "S")]
    assert effects(Meaning.REFUSE) == [Effect(Act.MARK_REFUSAL)]
    assert effects(Meaning.FORWARD) == effects(Meaning.BACK) == effects(None) == []


def test_the_declared_documents() -> None:
    # The receipt prints the appointment just set: the clock starts first.
    assert effects(Meaning.ACCEPT, "receipt", running=False) == [
        Effect(Act.START_CLOCK), Effect(Act.ISSUE, "receipt", "S")]
    # No receipt for a dossier refused or sent for supplement at the desk.
    assert effects(Meaning.REFUSE, "receipt") == [Effect(Act.MARK_REFUSAL)]
    assert Effect(Act.ISSUE, "receipt", "S") not in effects(Meaning.SUPPLEMENT, "receipt")
    # The complete supplement restarts the clock; a new receipt only if one was given.
    assert effects(Meaning.FORWARD, "supplement") == [Effect(Act.START_CLOCK)]
    assert effects(Meaning.FORWARD, "supplement", receipt=True) == [
        Effect(Act.START_CLOCK), Effect(Act.ISSUE, "receipt", "S")]
    assert effects(Meaning.FORWARD, "apology") == [Effect(Act.ISSUE, "apology", "S")]


def test_the_older_rule_a_supplement_step_stops_the_clock_as_it_opens() -> None:
    opened = (("Sup", "supplement"), ("Other", None))
    assert effects(Meaning.FORWARD, declares=False, created=opened) == [
        Effect(Act.STOP_CLOCK), Effect(Act.ISSUE, "supplement", "Sup")]
    assert effects(Meaning.FORWARD, declares=True, created=opened) == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"ended": True}, DossierStatus.RETURNED),
    ({"ended": True, "refused": True}, DossierStatus.REFUSED),
    ({"supplement_waiting": True}, DossierStatus.SUPPLEMENT_REQUESTED),
    ({"issues_result": True}, DossierStatus.DONE),
    ({"issues_result": True, "refused": True}, DossierStatus.PROCESSING),
    ({"current": DossierStatus.DONE}, DossierStatus.DONE),
    ({"completed": False, "current": DossierStatus.RECEIVED}, DossierStatus.RECEIVED),
    ({"clock_running": False}, DossierStatus.RECEIVED),
    ({}, DossierStatus.PROCESSING),
])
def test_the_status_after_a_step(changes: dict[str, object], expected: DossierStatus) -> None:
    values: dict[str, object] = {
        "current": DossierStatus.PROCESSING, "ended": False, "refused": False,
        "supplement_waiting": False, "issues_result": False, "completed": True,
        "clock_running": True, **changes}
    current = values.pop("current")
    assert next_status(current, **values) == expected  # type: ignore[arg-type]


def test_form_03_is_owed_once_and_a_send_back_reconsiders_a_refusal() -> None:
    assert owes_refusal(DossierStatus.REFUSED, issued_now=False, issued_for_it=lambda: False)
    assert not owes_refusal(DossierStatus.REFUSED, issued_now=True, issued_for_it=lambda: False)
    assert not owes_refusal(DossierStatus.REFUSED, issued_now=False, issued_for_it=lambda: True)
    assert not owes_refusal(DossierStatus.RETURNED, issued_now=False,
                            issued_for_it=lambda: False)
    assert reconsiders_refusal(Meaning.BACK, previous=3, refusing=3)
    assert reconsiders_refusal(Meaning.BACK, previous=2, refusing=3)
    assert not reconsiders_refusal(Meaning.BACK, previous=4, refusing=3)
    assert not reconsiders_refusal(Meaning.FORWARD, previous=2, refusing=3)
    assert not reconsiders_refusal(Meaning.BACK, previous=None, refusing=3)
    assert not reconsiders_refusal(Meaning.BACK, previous=2, refusing=None)
