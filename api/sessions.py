"""Log in (a bearer token for a password), log out (revoke it), and who am I."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from workflows import identity

from .auth import bearer_token, current_actor
from .blueprint import Blueprint
from .fields import Identifier
from .schemas import StrictSchema
from .services import services

blp = Blueprint("sessions", __name__, url_prefix="/sessions", description="Password login and bearer tokens")


class LoginIn(StrictSchema):
    username = Identifier(required=True, max_length=64)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class UserOut(Schema):
    id = fields.String()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    org_id = fields.String()
    org_code = fields.String()
    physician_code = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    specialty = fields.String(allow_none=True)
    expert_fields = fields.List(fields.String())
    active = fields.Boolean()


class TokenOut(Schema):
    token = fields.String(metadata={"description": "send as `Authorization: Bearer <token>`"})
    expires_at = fields.DateTime()
    user = fields.Nested(UserOut)


@blp.route("")
class Login(MethodView):
    @blp.arguments(LoginIn)
    @blp.response(201, TokenOut)
    @blp.alt_response(401, description="unknown username or wrong password (code invalid_credentials)")
    @blp.alt_response(429, description="this client address failed too often: wait `Retry-After` seconds "
                                       "(code login_throttled)")
    @blp.doc(security=[])
    def post(self, body: dict[str, Any]) -> Any:
        """Exchange a username and password for a bearer token.

        A client address that keeps failing waits longer after each failure (1 s, 2 s, 4 s …); an address that has
        not failed gets in with the right password.
        """
        # The connection's peer, or with YIBAO_TRUSTED_PROXIES what the proxies put in X-Forwarded-For (ProxyFix).
        client = request.remote_addr or "unknown"
        return identity.login(services(), body["username"], body["password"], client=client)

    @blp.response(204)
    def delete(self) -> None:
        """Log out: revoke the bearer token of this request."""
        identity.logout(services(), current_actor(), bearer_token() or "")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserOut)
    def get(self) -> Any:
        """Show the caller's own user record."""
        return identity.me(services(), current_actor())
