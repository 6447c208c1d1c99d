"""Where a simulated step lands: the unit a lane's (or a task's) selector names for a dossier
of this procedure, resolved as the runtime resolves it (``dossiers.flow.resolve_unit``), and
the agency that unit belongs to. Read once per simulation; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from motcua.catalog.models import Procedure, ProcedureState
from motcua.catalog.operations import procedure_in_force
from motcua.db import db
from motcua.dossiers.flow import resolve_unit
from motcua.dossiers.models import Dossier

# The desk reception's own rules for finding a desk, not a copy of them.
from motcua.dossiers.operations import online_desk
from motcua.org.models import Agency
from motcua.org.operations import officers


@dataclass(frozen=True)
class Place:
    """A unit as a task row holds it, and the agency it belongs to, with their names."""

    unit: str
    unit_name: str
    agency: str
    agency_name: str


@dataclass
class Places:
    """The receiving side of one simulated dossier: the procedure as in force at the start
    (its agency, handling unit and time limit) and the desk that receives it."""

    procedure: ProcedureState
    desk: Agency
    _found: dict[str, Place] = field(default_factory=dict)
    _units: dict[str, Agency] = field(default_factory=dict)
    _receivers: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def agency(self) -> Agency:
        return self.procedure.agency

    @property
    def handling(self) -> Agency:
        # A dossier's handling unit is the procedure's, or its agency when none is set.
        return self.procedure.handling_unit or self.procedure.agency

    @property
    def time_limit_minutes(self) -> int:
        return self.procedure.time_limit_minutes or 0

    def place(self, selector: str) -> Place:
        if selector not in self._found:
            unit = self._unit(selector)
            owner = agency_of(unit)
            self._found[selector] = Place(unit.code, unit.name, owner.code, owner.name)
        return self._found[selector]

    def receivers(self, role: str, selector: str) -> list[str]:
        """The active officers whose worklist would show the task: those holding ``role``
        in the unit the selector names (as a task's role and unit match a membership)."""
        key = (role, selector)
        if key not in self._receivers:
            self._receivers[key] = [name for _, name in
                                    officers(role, [self._unit(selector).id])]
        return self._receivers[key]

    def _unit(self, selector: str) -> Agency:
        if selector not in self._units:
            # The runtime's own resolution, on a dossier never added to the session.
            unit_id = resolve_unit(selector, Dossier(
                desk_id=self.desk.id, agency_id=self.agency.id,
                handling_unit_id=self.handling.id))
            self._units[selector] = db.session.get_one(Agency, unit_id)
        return self._units[selector]


def places_for(procedure: Procedure, start: datetime, desk_code: str | None) -> Places:
    """The procedure as in force at ``start`` (its own latest state when no decision about it
    is in force yet: a draft is often made before), and the desk: the one named, else the
    nearest one-stop desk up the tree from its agency, as for a dossier submitted online."""
    in_force: ProcedureState = procedure_in_force(procedure, start) or procedure
    return Places(in_force, online_desk(in_force.agency, desk_code))


def agency_of(unit: Agency) -> Agency:
    """The body a unit belongs to: the unit itself if it answers directly to the top of the
    tree (a department, a commune's people's committee, the service centre), else its
    ancestor that does (a section belongs to its department, a commune's desk to the
    commune). Read from the tree, whatever its depth and kinds."""
    cursor = unit
    while cursor.parent is not None and cursor.parent.parent is not None:
        cursor = cursor.parent
    return cursor
