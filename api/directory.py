"""Organizations and users: administrators register them; callers list what they may see."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from domain.identity import EXPERT_FIELDS, ORG_KINDS, PROFESSIONAL_TITLES, ROLES, OrganizationFacts
from workflows import identity

from .auth import current_actor
from .blueprint import Blueprint
from .fields import BoundedInteger, Identifier, StrictBoolean
from .schemas import StrictSchema
from .services import services
from .sessions import UserOut

blp = Blueprint("directory", __name__, description="Organizations and users")


class OrgIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    code = Identifier(required=True, max_length=32)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    region_code = Identifier(required=True, max_length=32)
    tier = BoundedInteger(strict=True, load_default=None, allow_none=True)
    specialized = StrictBoolean(load_default=None, allow_none=True)
    cross_province = StrictBoolean(load_default=None, allow_none=True)
    designated = StrictBoolean(load_default=True)
    dual_channel = StrictBoolean(load_default=None, allow_none=True)
    designated_by = fields.List(Identifier(max_length=32), load_default=list,
                                metadata={"description": "H-codes of the hospitals that designated a pharmacy"})


class OrgOut(Schema):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    region_code = fields.String()
    tier = fields.Integer(allow_none=True)
    specialized = fields.Boolean(allow_none=True)
    cross_province = fields.Boolean(allow_none=True)
    designated = fields.Boolean()
    dual_channel = fields.Boolean(allow_none=True)
    designated_by = fields.List(fields.String())


class UserIn(StrictSchema):
    username = Identifier(required=True, max_length=64)
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    org_code = Identifier(required=True, max_length=32)
    physician_code = Identifier(max_length=32, load_default=None, allow_none=True)
    title = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PROFESSIONAL_TITLES))
    specialty = Identifier(max_length=100, load_default=None, allow_none=True)
    expert_fields = fields.List(fields.String(validate=validate.OneOf(EXPERT_FIELDS)), load_default=list)


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.response(200, OrgOut(many=True))
    def get(self) -> Any:
        """List every organization (codes and designations are public facts of the insurance system)."""
        return identity.list_organizations(services())

    @blp.arguments(OrgIn)
    @blp.response(201, OrgOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Register an organization (administrators)."""
        designated_by = body.pop("designated_by")
        return identity.create_organization(services(), current_actor(), OrganizationFacts(**body), designated_by)


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserOut(many=True))
    def get(self) -> Any:
        """List users: all for administrators, else the caller's organization's."""
        return identity.list_users(services(), current_actor())

    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a user with one role in one organization (administrators)."""
        body["expert_fields"] = tuple(body["expert_fields"])
        return identity.create_user(services(), current_actor(), **body)
