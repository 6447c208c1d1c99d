"""Catalogue answers: a procedure as in force on the day asked."""

from __future__ import annotations

from marshmallow import Schema, fields

from motcua.api.fields import Day
from motcua.catalog.operations import ProcedureState
from motcua.errors import AppError
from motcua.processes.operations import version_in_effect


class CatalogueQuery(Schema):
    # The day to read the catalogue on (default: today); past days show what was in force.
    on = Day(load_default=None)


class ProcedureSchema(Schema):
    """One procedure's state in force on the day (``status`` "pending", with the coming
    revision's values, when no decision about it has taken effect yet)."""

    code = fields.String(attribute="procedure.code")
    name = fields.String(attribute="revision.name")
    field = fields.String(attribute="revision.field")
    agency = fields.Function(lambda s: s.revision.agency.code)
    handling_unit = fields.Function(
        lambda s: s.revision.handling_unit.code if s.revision.handling_unit else None)
    time_limit = fields.String(attribute="revision.time_limit")
    online_level = fields.String(attribute="revision.online_level")
    status = fields.String()
    fee = fields.String(attribute="revision.fee")
    effective = fields.Date(attribute="revision.effective")
    decision = fields.String(attribute="revision.decision.number")
    replaced_by = fields.Function(
        lambda s: s.revision.replaced_by.code if s.revision.replaced_by else None)
    process_version = fields.Method("_version")

    def _version(self, state: ProcedureState) -> int | None:
        if state.status != "active":
            return None
        try:
            return version_in_effect(state.procedure, state.on).version
        except AppError:
            return None
