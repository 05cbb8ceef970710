"""Process instances: start, list, show with current tasks and history, cancel."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from workflows import instances

from .auth import current_actor
from .blueprint import Blueprint
from .schemas import CancelIn, HistoryOut, InstanceOut, InstancePageOut, InstanceQuery, StartIn
from .services import services

blp = Blueprint("instances", __name__, url_prefix="/process-instances", description="Running and finished instances")


@blp.route("")
class Instances(MethodView):
    @blp.arguments(InstanceQuery, location="query")
    @blp.response(200, InstancePageOut)
    def get(self, query: dict[str, Any]) -> Any:
        """List instances, newest first, with a total count."""
        return instances.list_instances(services(), current_actor(), **query)

    @blp.arguments(StartIn)
    @blp.response(201, InstanceOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Start an instance of the latest (or a given) version and run it to its first wait."""
        return instances.start_instance(
            services(), current_actor(), body["definition_key"], body["data"], body["business_key"], body["version"]
        )


@blp.route("/<instance_id>")
class Instance(MethodView):
    @blp.response(200, InstanceOut)
    def get(self, instance_id: str) -> Any:
        """Show an instance: status, current tasks, active and completed elements, incidents."""
        return instances.get_instance(services(), current_actor(), instance_id)


@blp.route("/<instance_id>/cancellation")
class Cancellation(MethodView):
    @blp.arguments(CancelIn)
    @blp.response(200, InstanceOut)
    def post(self, body: dict[str, Any], instance_id: str) -> Any:
        """Cancel an instance with a reason (administrators); its open tasks are cancelled."""
        return instances.cancel_instance(services(), current_actor(), instance_id, body["reason"])


@blp.route("/<instance_id>/history")
class History(MethodView):
    @blp.response(200, HistoryOut(many=True))
    def get(self, instance_id: str) -> Any:
        """The instance's audit history, oldest first."""
        return instances.instance_history(services(), current_actor(), instance_id)
