"""POST /auth/token and GET /me."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from motcua.api.errors import may_answer
from motcua.org.auth import current_user, issue_token, sign_in
from motcua.org.models import User
from motcua.org.schemas import Credentials, MeSchema, TokenSchema

blp = Blueprint("org", __name__, description="Tài khoản")


@blp.route("/auth/token", methods=["POST"])
@may_answer(429)
@blp.arguments(Credentials)
@blp.response(200, TokenSchema)
def token(args: dict[str, Any]) -> dict[str, str]:
    user = sign_in(args["username"], args["password"])
    return {"token": issue_token(user)}


@blp.route("/me")
@blp.response(200, MeSchema)
def me() -> User:
    return current_user()
