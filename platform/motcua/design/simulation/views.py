"""``POST /api/v1/drafts/{id}/simulate``: a test run of a draft, nothing stored."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from motcua.clock import now
from motcua.design.operations import get_draft_for
from motcua.design.simulation.run import Request, Simulation, simulate
from motcua.design.simulation.schemas import SimulateBody, SimulationSchema
from motcua.org.auth import current_user

simulation_blp = Blueprint("design_simulation", __name__,
                           description="Chạy thử bản nháp quy trình (không lưu gì)")


@simulation_blp.route("/drafts/<int:draft_id>/simulate", methods=["POST"])
@simulation_blp.arguments(SimulateBody)
@simulation_blp.response(200, SimulationSchema)
def simulate_draft(body: dict[str, Any], draft_id: int) -> Simulation:
    """Run the draft on the real engine and calendar with the chosen outcomes.

    Nothing is stored. `choices`: step id -> the outcome key of each visit, in order (a
    visit past the list, or a step not listed, takes the step's first outcome); `data` seeds
    the dossier's data for conditions; `start` (default now) is the reception. Each step
    opens when the one before it finishes and takes its whole allotted time, so each
    `due_at` is the latest on-time finish; timers never fire. A draft with errors is refused
    (422 with the errors), as is an unknown step or outcome (422 naming it)."""
    draft = get_draft_for(current_user(), draft_id)
    request = Request(choices=body["choices"], data=body["data"], start=body.get("start"),
                      online=body["channel"] == "online", desk=body.get("desk"))
    return simulate(draft, request, now())
