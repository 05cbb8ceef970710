"""Use case: deliver a message to the instances subscribed to its name and correlation key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.actors import Actor
from domain.errors import InvalidInput, NotFound
from domain.permissions import require

from . import clock
from .context import Services
from .persistence import load, save


def deliver_message(
    services: Services, actor: Actor, name: str, correlation_key: str, payload: Mapping[str, Any] | None = None,
) -> list[str]:
    """Deliver ``name`` with ``payload`` to every instance waiting for it under ``correlation_key``.

    No subscriber is an error (404 ``no_subscription``), never a silent drop. Returns the instance ids reached.
    """
    require(actor, "message.deliver")
    if not name or not correlation_key:
        raise InvalidInput("a message needs a name and a correlation key", field="name" if not name else
                           "correlation_key")
    with services.uow() as uow:
        instance_ids = uow.subscriptions.matching(name, correlation_key)
        if not instance_ids:
            raise NotFound(
                f"no instance is waiting for message '{name}' with correlation key '{correlation_key}'",
                code="no_subscription", field="correlation_key",
            )
        now = clock.now(services, uow)
        for instance_id in instance_ids:
            loaded = load(services, uow, instance_id)
            loaded.run.deliver(name, dict(payload or {}), now)
            save(services, uow, loaded, now, actor, f"message.delivered:{name}")
        uow.commit()
        return instance_ids
