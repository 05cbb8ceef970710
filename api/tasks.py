"""The task queue: list and show tasks, claim, release, assign, complete; queue counts for administrators."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from domain.identity import ROLES
from workflows import tasks

from .auth import current_actor
from .blueprint import Blueprint
from .fields import INT32_MAX, BoundedInteger, Identifier, Instant, StrictBoolean
from .schemas import CompleteIn, InstanceOut, StrictSchema
from .services import services

blp = Blueprint("tasks", __name__, url_prefix="/tasks", description="The task queue")
STATUSES = ("open", "claimed", "completed", "cancelled")


class TaskQuery(StrictSchema):
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))
    organization = Identifier(load_default=None)
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), load_default=None)
    assignee = Identifier(load_default=None, metadata={"description": "a user id, or `me`"})
    candidate = Identifier(load_default=None, metadata={"description": "a user id, or `me`"})
    process = Identifier(load_default=None)
    business_key = Identifier(load_default=None)
    instance_id = Identifier(load_default=None)
    overdue = StrictBoolean(in_query=True, load_default=False)
    due_before = Instant(load_default=None)
    due_after = Instant(load_default=None)
    priority_min = BoundedInteger(minimum=-INT32_MAX - 1, load_default=None)
    sort = fields.String(load_default="priority", validate=validate.OneOf(tasks.SORTS))
    limit = BoundedInteger(minimum=1, maximum=200, load_default=50)
    offset = BoundedInteger(load_default=0)


class QueueTaskOut(Schema):
    id = fields.String()
    instance_id = fields.String()
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    name = fields.String()
    bpmn_id = fields.String()
    lane_role = fields.String()
    org_scope = fields.String(allow_none=True)
    candidate_user_id = fields.String(allow_none=True)
    assignee_id = fields.String(allow_none=True)
    status = fields.String()
    priority = fields.Integer()
    form = fields.String(allow_none=True)
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    claimed_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class TaskPageOut(Schema):
    items = fields.List(fields.Nested(QueueTaskOut))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class AssignIn(StrictSchema):
    user_id = Identifier(required=True)


class CountOut(Schema):
    lane_role = fields.String()
    org_scope = fields.String(allow_none=True, metadata={"description": "organization id; none for experts"})
    org_code = fields.String(allow_none=True)
    org_name = fields.String(allow_none=True)
    status = fields.String()
    count = fields.Integer()


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQuery, location="query")
    @blp.response(200, TaskPageOut)
    def get(self, q: dict[str, Any]) -> Any:
        """List the tasks the caller may see, filtered, sorted and paged, with the total."""
        actor = current_actor()
        me = {"me": actor.user_id}
        f = tasks.TaskFilter(
            role=q["role"], org=q["organization"], status=q["status"], assignee=me.get(q["assignee"], q["assignee"]),
            candidate=me.get(q["candidate"], q["candidate"]), process=q["process"], business_key=q["business_key"],
            instance_id=q["instance_id"], overdue_at=tasks.overdue_filter(services()) if q["overdue"] else None,
            due_before=q["due_before"], due_after=q["due_after"], priority_min=q["priority_min"],
        )
        return tasks.list_tasks(services(), actor, f, q["sort"], q["limit"], q["offset"])


@blp.route("/counts")
class Counts(MethodView):
    @blp.response(200, CountOut(many=True))
    def get(self) -> Any:
        """Every queue (role × organization) with its open and claimed counts (administrators, bureau officers)."""
        return tasks.counts(services(), current_actor())


@blp.route("/<task_id>")
class Task(MethodView):
    @blp.response(200, QueueTaskOut)
    def get(self, task_id: str) -> Any:
        """Show one task the caller may see."""
        return tasks.get_task(services(), current_actor(), task_id)


@blp.route("/<task_id>/claim")
class Claim(MethodView):
    @blp.response(200, QueueTaskOut)
    def post(self, task_id: str) -> Any:
        """Claim an open task of one's role and organization."""
        return tasks.claim(services(), current_actor(), task_id)


@blp.route("/<task_id>/unclaim")
class Unclaim(MethodView):
    @blp.response(200, QueueTaskOut)
    def post(self, task_id: str) -> Any:
        """Release a claimed task back to its queue."""
        return tasks.unclaim(services(), current_actor(), task_id)


@blp.route("/<task_id>/assign")
class Assign(MethodView):
    @blp.arguments(AssignIn)
    @blp.response(200, QueueTaskOut)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Assign a task to an eligible user (administrators and bureau officers)."""
        return tasks.assign(services(), current_actor(), task_id, body["user_id"])


@blp.route("/<task_id>/complete")
class Complete(MethodView):
    @blp.arguments(CompleteIn)
    @blp.response(200, InstanceOut)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Complete a task with its form's data; the instance runs to its next wait in the same transaction."""
        return tasks.complete(services(), current_actor(), task_id, body["data"])
