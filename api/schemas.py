"""Marshmallow schemas: the shapes of request bodies, queries and responses (policy is checked elsewhere)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .fields import BoundedInteger, Identifier, Instant, StrictBoolean

STATUSES = ("running", "waiting", "completed", "errored", "cancelled")


class StrictSchema(Schema):
    """Unknown fields are refused, so a typo is an error rather than silently ignored."""

    class Meta:
        ordered = True


class DeployIn(StrictSchema):
    bpmn = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "BPMN 2.0 XML"})
    filename = fields.String(load_default=None, validate=validate.Length(max=300))
    forms = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict, metadata={
        "description": "user-task forms (JSON Schema) by file name; forms not given are taken from bpmn/forms/"})


class UserTaskOut(Schema):
    bpmn_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    form = fields.String(allow_none=True)


class DefinitionOut(Schema):
    id = fields.String()
    key = fields.String()
    version = fields.Integer()
    name = fields.String()
    content_hash = fields.String()
    filename = fields.String(allow_none=True)
    deployed_at = fields.DateTime()
    deployed_by = fields.String()
    user_tasks = fields.List(fields.Nested(UserTaskOut))


class DefinitionDetailOut(DefinitionOut):
    bpmn_text = fields.String()


class DeployOut(Schema):
    created = fields.Boolean(metadata={"description": "false when the same file was already deployed"})
    definition = fields.Nested(DefinitionOut)


class DefinitionQuery(StrictSchema):
    key = Identifier(load_default=None)


class StartIn(StrictSchema):
    definition_key = Identifier(required=True)
    version = BoundedInteger(minimum=1, strict=True, load_default=None)
    business_key = Identifier(load_default=None)
    data = fields.Dict(keys=fields.String(), load_default=dict)


class TaskOut(Schema):
    id = fields.String()
    bpmn_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    form = fields.String(allow_none=True)


class IncidentOut(Schema):
    id = fields.String()
    instance_id = fields.String()
    element_id = fields.String(allow_none=True)
    code = fields.String()
    message = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class SubscriptionOut(Schema):
    message = fields.String()
    correlation_key = fields.String()
    element_id = fields.String()


class InstanceSummaryOut(Schema):
    id = fields.String()
    definition_id = fields.String()
    definition_key = fields.String()
    definition_version = fields.Integer()
    business_key = fields.String(allow_none=True)
    owner_org = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))
    next_timer_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    started_by = fields.String()


class InstanceOut(InstanceSummaryOut):
    state_format = fields.String()
    state_bytes = fields.Integer(metadata={"description": "size of the stored (compressed) engine state"})
    tasks = fields.List(fields.Nested(TaskOut))
    active_element_ids = fields.List(fields.String())
    completed_element_ids = fields.List(fields.String())
    subscriptions = fields.List(fields.Nested(SubscriptionOut))
    incidents = fields.List(fields.Nested(IncidentOut))
    data = fields.Dict(metadata={
        "description": "the instance's current process data: its live tasks' data while it runs, the end data once "
                       "completed; empty when the caller may not read it"})


class InstancePageOut(Schema):
    items = fields.List(fields.Nested(InstanceSummaryOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class InstanceQuery(StrictSchema):
    definition_key = Identifier(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    business_key = Identifier(load_default=None)
    limit = BoundedInteger(minimum=1, maximum=200, load_default=50)
    offset = BoundedInteger(load_default=0)


class CancelIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class HistoryOut(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    actor_org = fields.String(allow_none=True)
    action = fields.String()
    before = fields.Dict(allow_none=True, metadata={"description": "the changed fields before the step"})
    after = fields.Dict(allow_none=True, metadata={"description": "the changed fields after the step"})
    reason = fields.String(allow_none=True)


class CompleteIn(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class MessageIn(StrictSchema):
    name = Identifier(required=True)
    correlation_key = Identifier(required=True)
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class MessageOut(Schema):
    delivered_to = fields.List(fields.String())


class IncidentQuery(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "resolved")))
    limit = BoundedInteger(minimum=1, maximum=200, load_default=50)
    offset = BoundedInteger(load_default=0)


class ClockOut(Schema):
    now = fields.DateTime()
    simulated = fields.Boolean()
    frozen = fields.Boolean()
    controllable = fields.Boolean()


class ClockIn(StrictSchema):
    now = Instant(required=True, allow_none=True,
                  metadata={"description": "ISO instant with offset, years 1900–9998; null returns to real time"})
    frozen = StrictBoolean(load_default=True)


class HealthOut(Schema):
    status = fields.String()


class ReadyOut(Schema):
    status = fields.String()
    database = fields.String()
