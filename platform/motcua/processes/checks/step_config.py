"""What the platform knows about one officer step once the dialect has read it: its role,
unit, form, time, outcomes and declared fields; stored with each version as a dict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from motcua.processes.meanings import Meaning, Outcome, outcomes_from


@dataclass
class StepConfig:
    """What the platform needs to know about one officer step (user or manual task)."""

    element_id: str
    name: str
    role: str
    unit: str
    form: str | None
    allotted_minutes: int
    outcomes: list[Outcome]
    assignee_field: str | None
    document: str | None
    lane: str | None
    line: int | None
    reason_field: str | None = None
    missing_field: str | None = None
    row: str | None = None

    @property
    def outcome_keys(self) -> list[str]:
        return [o.key for o in self.outcomes]

    def outcome(self, key: str | None) -> Outcome | None:
        return next((o for o in self.outcomes if o.key == key), None)

    @property
    def meanings(self) -> set[Meaning]:
        return {o.meaning for o in self.outcomes}

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcomes"] = [o.as_list() for o in self.outcomes]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepConfig:
        return cls(
            element_id=data["element_id"],
            name=data["name"],
            role=data["role"],
            unit=data["unit"],
            form=data.get("form"),
            allotted_minutes=int(data.get("allotted_minutes", 0)),
            outcomes=outcomes_from(data.get("outcomes")),
            assignee_field=data.get("assignee_field"),
            document=data.get("document"),
            lane=data.get("lane"),
            line=data.get("line"),
            reason_field=data.get("reason_field"),
            missing_field=data.get("missing_field"),
            row=data.get("row"),
        )
