"""What a completed step sets off, decided on plain values: the legal clock, the refusal
mark, the standard documents and the dossier's status. ``dossiers.flow`` applies the
decisions to a dossier's rows; a designer's test run (``design.simulation``) applies them
to a dossier held in memory, so the two can never disagree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from motcua.dossiers.models import DossierStatus
from motcua.processes.meanings import Meaning


class Act(StrEnum):
    START_CLOCK = "start_clock"  # the clock (re)starts from zero: a new appointment
    STOP_CLOCK = "stop_clock"  # no appointment until the complete dossier is back
    MARK_REFUSAL = "mark_refusal"  # the completed step decided a refusal
    ISSUE = "issue"  # a standard document of ``kind``, by the step ``element_id``


@dataclass(frozen=True)
class Effect:
    act: Act
    kind: str | None = None
    element_id: str | None = None


def completion_effects(meaning: Meaning | None, document: str | None, element_id: str, *,
                       clock_running: bool, receipt_issued: Callable[[], bool],
                       declares_supplement: bool,
                       created: Sequence[tuple[str, str | None]]) -> list[Effect]:
    """What the completed step's outcome (``meaning``) and declared ``document`` cause, in
    the order the applicant's papers must show it: a receipt prints the appointment just
    set. ``created``: the (element id, document) of the tasks the step opened."""
    effects: list[Effect] = []
    if meaning is Meaning.ACCEPT and not clock_running:
        # An online dossier's clock starts when the desk accepts it.
        effects.append(Effect(Act.START_CLOCK))
    elif meaning is Meaning.SUPPLEMENT:
        effects += [Effect(Act.STOP_CLOCK), Effect(Act.ISSUE, "supplement", element_id)]
    elif meaning is Meaning.REFUSE:
        effects.append(Effect(Act.MARK_REFUSAL))
    if document == "supplement":
        # The complete dossier is back: the clock restarts from zero, with a new receipt if
        # one was given before.
        effects.append(Effect(Act.START_CLOCK))
        if receipt_issued():
            effects.append(Effect(Act.ISSUE, "receipt", element_id))
    elif document == "receipt":
        if meaning not in (Meaning.REFUSE, Meaning.SUPPLEMENT):
            effects.append(Effect(Act.ISSUE, "receipt", element_id))
    elif document is not None:
        effects.append(Effect(Act.ISSUE, document, element_id))
    if not declares_supplement:
        # The older rule: a supplement step issues form 02 and stops the clock as it opens.
        for opened, opened_document in created:
            if opened_document == "supplement":
                effects += [Effect(Act.STOP_CLOCK), Effect(Act.ISSUE, "supplement", opened)]
    return effects


def next_status(current: DossierStatus, *, ended: bool, refused: bool,
                supplement_waiting: bool, issues_result: bool, completed: bool,
                clock_running: bool) -> DossierStatus:
    """The status after a step: ``supplement_waiting`` when a task still open receives the
    supplement; ``issues_result`` when the completed step issues the result."""
    if ended:
        return DossierStatus.REFUSED if refused else DossierStatus.RETURNED
    if supplement_waiting:
        return DossierStatus.SUPPLEMENT_REQUESTED
    if not refused and (issues_result or current == DossierStatus.DONE):
        return DossierStatus.DONE
    if not completed and current == DossierStatus.RECEIVED:
        return DossierStatus.RECEIVED
    if not clock_running:
        # An online dossier the desk has not accepted yet.
        return DossierStatus.RECEIVED
    return DossierStatus.PROCESSING


def owes_refusal(status: DossierStatus, *, issued_now: bool,
                 issued_for_it: Callable[[], bool]) -> bool:
    """A dossier that ends refused gets form 03, unless this step or one after the refusal
    was decided issued it already."""
    return status == DossierStatus.REFUSED and not issued_now and not issued_for_it()


def reconsiders_refusal(meaning: Meaning | None, previous: int | None,
                        refusing: int | None) -> bool:
    """A step sent back to (``meaning`` back) whose earlier visit (``previous``, in the order
    tasks were opened) is the refusing one (``refusing``) or before it: the refusal is
    reconsidered."""
    return (meaning is Meaning.BACK and refusing is not None and previous is not None
            and previous <= refusing)
