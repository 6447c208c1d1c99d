"""POST /auth/token and GET /me."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from motcua.org.auth import current_user, issue_token, sign_in
from motcua.org.models import User

blp = Blueprint("org", __name__, description="Tài khoản")


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


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(Credentials)
@blp.response(200, TokenSchema)
def token(args: dict[str, Any]) -> dict[str, str]:
    user = sign_in(args["username"], args["password"], request.remote_addr or "")
    return {"token": issue_token(user)}


@blp.route("/me")
@blp.response(200, MeSchema)
def me() -> User:
    return current_user()
