"""The test run's body and answer (contract: api.md, ``POST /drafts/{id}/simulate``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from motcua.api.fields import LocalDateTime
from motcua.design.simulation.run import Simulation, Step
from motcua.design.simulation.words import end_text
from motcua.dossiers.words import DOCUMENT_NAMES, STATUS_WORDS
from motcua.processes.checks.words import MEANING_WORDS, ROLE_WORDS


class SimulateBody(Schema):
    # element id -> the outcome key of each visit of that step, in order.
    choices = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                          load_default=dict)
    # Seeds the dossier's data, which gateway conditions read.
    data = fields.Dict(keys=fields.String(), load_default=dict)
    # When the dossier is received (default: now); a time without offset is local.
    start = LocalDateTime()
    # An online dossier's clock starts when the desk accepts it.
    channel = fields.String(load_default="direct",
                            validate=validate.OneOf(["direct", "postal", "online"]))
    # The one-stop desk that receives it (default: the nearest to the procedure's agency).
    desk = fields.String(validate=[
        validate.Length(min=1, max=32),
        # PostgreSQL refuses to compare with a NUL: no agency code holds one.
        validate.Regexp(r"^[^\x00]*$", error="Mã cơ quan không hợp lệ")])

    @validates("start")
    def _start(self, value: datetime, **_: Any) -> None:
        # Deadlines are counted on the province's calendar of holidays, known for these years;
        # a year past them would run the calendar off its end.
        if not 2000 <= value.year <= 2099:
            raise ValidationError("Thời điểm bắt đầu phải trong các năm 2000–2099")


class SimulatedOutcomeSchema(Schema):
    key = fields.String()
    label = fields.String()
    meaning = fields.Function(lambda o: o.meaning.value)


def _documents(step: Step) -> list[dict[str, str]]:
    return [{"kind": k, "name": DOCUMENT_NAMES.get(k, k)} for k in step.visit.documents]


def _outcome_label(step: Step) -> str | None:
    outcome = step.visit.step.outcome(step.visit.outcome)
    return outcome.label if outcome else None


class SimulatedStepSchema(Schema):
    order = fields.Function(lambda s: s.visit.done_order + 1
                            if s.visit.done_order is not None else None)
    element_id = fields.Function(lambda s: s.visit.step.element_id)
    name = fields.Function(lambda s: s.visit.step.name)
    role = fields.Function(lambda s: s.visit.step.role)
    role_name = fields.Function(lambda s: ROLE_WORDS.get(s.visit.step.role, s.visit.step.role))
    unit = fields.String(attribute="place.unit")
    unit_name = fields.String(attribute="place.unit_name")
    agency = fields.String(attribute="place.agency")
    agency_name = fields.String(attribute="place.agency_name")
    # Who would see the task in their worklist (full names); empty: nobody would.
    receivers = fields.List(fields.String())
    allotted_minutes = fields.Function(lambda s: s.visit.step.allotted_minutes)
    started_at = LocalDateTime(attribute="visit.started_at", allow_none=True)
    due_at = LocalDateTime(attribute="visit.due_at", allow_none=True)
    finished_at = LocalDateTime(attribute="visit.finished_at", allow_none=True)
    outcome = fields.String(attribute="visit.outcome", allow_none=True)
    outcome_label = fields.Function(_outcome_label)
    meaning = fields.Function(lambda s: s.visit.meaning.value if s.visit.meaning else None)
    meaning_name = fields.Function(lambda s: MEANING_WORDS.get(s.visit.meaning.value)
                                   if s.visit.meaning else None)
    outcomes = fields.Function(
        lambda s: SimulatedOutcomeSchema(many=True).dump(s.visit.step.outcomes))
    documents = fields.Function(_documents)
    status = fields.String(attribute="visit.status", allow_none=True)


def _end(sim: Simulation) -> str:
    last = sim.path[-1].visit.step.name if sim.path else None
    return end_text(sim.status, sim.ended, last,
                    [f"bước \u201c{s.visit.step.name}\u201d" for s in sim.open_steps]
                    + [f"hẹn giờ \u201c{name}\u201d" for _, name in sim.waiting])


class SimulationSchema(Schema):
    start = LocalDateTime()
    path = fields.List(fields.Nested(SimulatedStepSchema))
    status = fields.String()
    status_name = fields.Function(lambda s: STATUS_WORDS.get(s.status, s.status))
    ended = fields.Boolean()
    end = fields.Function(_end)
    due_at = LocalDateTime(allow_none=True)
    elements = fields.List(fields.String(), attribute="trail.elements")
    flows = fields.List(fields.String(), attribute="trail.flows")
    open = fields.List(fields.Nested(SimulatedStepSchema), attribute="open_steps")
    waiting = fields.Function(lambda s: [{"element_id": i, "name": n} for i, n in s.waiting])
    notes = fields.List(fields.String())
    truncated = fields.Boolean()

