"""Small engine helpers of the admission use cases: the open human task of an instance, a message delivered to
one instance inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from domain.actors import SYSTEM, Actor
from domain.errors import Conflict
from storage.task_store import OPEN, TaskFilter
from storage.uow import UnitOfWork

from ..context import Services
from ..engine import Snapshot
from ..persistence import load, save


def open_task(uow: UnitOfWork, instance_id: str, bpmn_ids: Collection[str], candidate: str | None = None) -> Any:
    """The open or claimed queue row of one of ``bpmn_ids`` in an instance (offered to ``candidate``), or None."""
    rows, _ = uow.tasks.query(SYSTEM, TaskFilter(instance_id=instance_id, status=OPEN, candidate=candidate),
                              "created", 200, 0)
    return next((r for r in rows if r.bpmn_id in bpmn_ids), None)


def require_open_task(uow: UnitOfWork, instance_id: str, bpmn_ids: Collection[str], what: str,
                      candidate: str | None = None) -> Any:
    """Like :func:`open_task`, refusing with 409 ``step_not_open`` when the instance is not at that step."""
    row = open_task(uow, instance_id, bpmn_ids, candidate)
    if row is None:
        raise Conflict(f"{what} is not open at this stage", code="step_not_open")
    return row


def deliver_in(services: Services, uow: UnitOfWork, instance_id: str, name: str, payload: Mapping[str, Any],
               actor: Actor, now: datetime) -> Snapshot:
    """Deliver message ``name`` to one instance and save it, in the caller's transaction."""
    loaded = load(services, uow, instance_id)
    loaded.run.deliver(name, dict(payload), now)
    return save(services, uow, loaded, now, actor, f"message.delivered:{name}")
