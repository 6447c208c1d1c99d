"""Marshmallow schemas of the reports API (answers only: the query strings are read by hand
so that a bad value is a 422 naming its field, as everywhere in the audit's API)."""

from __future__ import annotations

from marshmallow import Schema, fields

from motcua.audit.reports.statistics import KEYS

StatsRowSchema = Schema.from_dict({
    "key": fields.String(), "name": fields.String(), "direct": fields.Boolean(),
    "on_time_rate": fields.Float(allow_none=True),
    **{key: fields.Integer() for key in KEYS}}, name="StatsRow")


class StatisticsSchema(Schema):
    group = fields.String()
    agency = fields.String(allow_none=True)
    procedure = fields.String(allow_none=True)
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    rows = fields.List(fields.Nested(StatsRowSchema))
    total = fields.Nested(StatsRowSchema)
