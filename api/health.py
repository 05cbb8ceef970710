"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from workflows.health import check_database

from .blueprint import Blueprint
from .schemas import HealthOut, ReadyOut
from .services import services

blp = Blueprint("health", __name__, description="Liveness and readiness (no authentication)")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthOut)
    @blp.doc(security=[])
    def get(self) -> dict[str, Any]:
        """Answer while the process is alive."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, ReadyOut)
    @blp.alt_response(503, description="the database does not answer")
    @blp.doc(security=[])
    def get(self) -> dict[str, Any]:
        """Answer 200 when the database answers and is migrated, 503 otherwise."""
        check_database(services())
        return {"status": "ready", "database": "ok"}
