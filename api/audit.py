"""The audit trail for auditors and administrators: read only; nobody changes it through the API (SV-2)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from workflows import audit

from .auth import current_actor
from .blueprint import Blueprint
from .fields import BoundedInteger, Identifier, Instant
from .schemas import StrictSchema
from .services import services

blp = Blueprint("audit", __name__, url_prefix="/audit", description="The append-only, hash-chained audit trail")


class AuditQuery(StrictSchema):
    aggregate_type = Identifier(load_default=None)
    aggregate_id = Identifier(load_default=None)
    action = Identifier(load_default=None)
    since = Instant(load_default=None)
    until = Instant(load_default=None)
    limit = BoundedInteger(minimum=1, maximum=200, load_default=50)
    offset = BoundedInteger(load_default=0)


class AuditEntryOut(Schema):
    aggregate_type = fields.String()
    aggregate_id = fields.String()
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_org = fields.String(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    before = fields.String(allow_none=True, metadata={"description": "JSON text, as hashed"})
    after = fields.String(allow_none=True, metadata={"description": "JSON text, as hashed"})
    reason = fields.String(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()


class AuditPageOut(Schema):
    items = fields.List(fields.Nested(AuditEntryOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


@blp.route("/entries")
class Entries(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPageOut)
    def get(self, query: dict[str, Any]) -> Any:
        """Read audit entries: one chain in order, or everything newest first (auditors, administrators)."""
        return audit.read_audit(services(), current_actor(), **query)
