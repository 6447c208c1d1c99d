"""Account bodies and answers: credentials, tokens, the signed-in user."""

from __future__ import annotations

from marshmallow import Schema, fields


class Credentials(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenSchema(Schema):
    token = fields.String()


class MembershipSchema(Schema):
    agency = fields.Function(lambda m: m.agency.code)
    agency_name = fields.Function(lambda m: m.agency.name)
    role = fields.String()


class MeSchema(Schema):
    username = fields.String()
    full_name = fields.String()
    kind = fields.String()
    memberships = fields.List(fields.Nested(MembershipSchema))
