"""Incidents: failed steps of instances, and their retry after a fix."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from workflows import instances

from .auth import current_actor
from .blueprint import Blueprint
from .schemas import IncidentOut, IncidentQuery, InstanceOut
from .services import services

blp = Blueprint("incidents", __name__, url_prefix="/incidents", description="Failures waiting for an administrator")


@blp.route("")
class Incidents(MethodView):
    @blp.arguments(IncidentQuery, location="query")
    @blp.response(200, IncidentOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """List incidents, newest first."""
        return instances.list_incidents(services(), current_actor(), **query)


@blp.route("/<incident_id>/retry")
class Retry(MethodView):
    @blp.response(200, InstanceOut)
    def post(self, incident_id: str) -> Any:
        """Retry the failed step; the incident is resolved when the instance moves on."""
        return instances.retry_incident(services(), current_actor(), incident_id)
