"""The service clock: read it; set it in development and tests (YIBAO_ALLOW_CLOCK_CONTROL)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from workflows import clock

from .auth import current_actor
from .blueprint import Blueprint
from .schemas import ClockIn, ClockOut
from .services import services

blp = Blueprint("clock", __name__, url_prefix="/clock", description="Service time (settable only in development)")


@blp.route("")
class Clock(MethodView):
    @blp.response(200, ClockOut)
    def get(self) -> Any:
        """Show the service's current time and whether it is simulated."""
        return clock.read_clock(services())

    @blp.arguments(ClockIn)
    @blp.response(200, ClockOut)
    @blp.alt_response(403, description="clock control is off (always in production)")
    def put(self, body: dict[str, Any]) -> Any:
        """Set the simulated time, or return to the machine's time with null."""
        return clock.set_clock(services(), current_actor(), body["now"], body["frozen"])
