"""Messages from outside (an NHSA acknowledgement, say) delivered to waiting instances."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from workflows import messages

from .auth import current_actor
from .blueprint import Blueprint
from .schemas import MessageIn, MessageOut
from .services import services

blp = Blueprint("messages", __name__, url_prefix="/messages", description="Message correlation")


@blp.route("")
class Messages(MethodView):
    @blp.arguments(MessageIn)
    @blp.response(200, MessageOut)
    @blp.alt_response(404, description="no instance waits for this message and key (code no_subscription)")
    def post(self, body: dict[str, Any]) -> Any:
        """Deliver a message to the instances subscribed to its name and correlation key."""
        reached = messages.deliver_message(
            services(), current_actor(), body["name"], body["correlation_key"], body["payload"]
        )
        return {"delivered_to": reached}
