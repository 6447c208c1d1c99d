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


class PeriodSchema(Schema):
    id = fields.String()
    kind = fields.String()
    label = fields.String()
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()


class TreeHeadSchema(Schema):
    day = fields.String()
    size = fields.Integer()
    root = fields.String()
    signature = fields.String()
    key_id = fields.String()
    signed_at = fields.String()


class RankSchema(Schema):
    name = fields.String()
    on_time_rate = fields.Float()


class PeriodicSchema(Schema):
    period = fields.Nested(PeriodSchema)
    agency = fields.String(allow_none=True)
    total = fields.Nested(StatsRowSchema)
    agencies = fields.List(fields.Nested(StatsRowSchema))
    procedures = fields.List(fields.Nested(StatsRowSchema))
    trend = fields.List(fields.Nested(StatsRowSchema))
    ranking = fields.List(fields.Nested(RankSchema))
    tree_head = fields.Nested(TreeHeadSchema, allow_none=True)
