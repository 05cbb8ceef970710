"""Engine steps of a registration inside the caller's unit of work: start, deliver a message, complete a ready task.

The registration use cases check policy and write their rows first, then step the instance here, so the engine
state, the queue, the audit entry and the projection (``projector.py``) commit together with them. The steps use
the same pieces as the generic use cases (``workflows.persistence``), only in a transaction the caller owns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.actors import Actor
from domain.errors import NotFound
from domain.permissions import implied_org_kind, owner_scoped_lanes, require, require_scopable_lanes
from domain.registration.access import PROCESS_KEY
from storage.audit import GENESIS
from storage.instance_store import InstanceRecord
from storage.models import new_id
from storage.uow import UnitOfWork

from ..context import Services
from ..persistence import Loaded, load, save


def start(services: Services, uow: UnitOfWork, actor: Actor, registration_id: str, data: Mapping[str, Any],
          now: datetime) -> InstanceRecord:
    """Start the latest registration diagram for ``registration_id`` (its business key) and run it to its waits."""
    ref = services.find_definition(uow, PROCESS_KEY)
    if ref is None:
        raise NotFound(f"the registration diagram ({PROCESS_KEY}) is not deployed: run `yibao definitions deploy`",
                       code="definition_not_found", field="definition_key")
    diagram = services.diagram(uow, ref)
    require(actor, "instance.start", diagram.start_roles,
            detail=f"{diagram.key} is started by {', '.join(diagram.start_roles or ())}")
    lanes = owner_scoped_lanes(t.lane for t in diagram.user_tasks)
    require_scopable_lanes(lanes, implied_org_kind(actor))
    run = services.engine.start(diagram, dict(data), now)
    record = InstanceRecord(
        id=new_id(), definition_id=ref.id, business_key=registration_id, owner_org=actor.org_id, status="running",
        state=b"", state_format=services.engine.state_format, next_timer_at=None, version=1, created_at=now,
        updated_at=now, started_by=actor.user_id, audit_seq=0, audit_head=GENESIS,
    )
    save(services, uow, Loaded(record, ref, run, frozenset(), is_new=True), now, actor, "instance.started")
    return record


def _waiting(services: Services, uow: UnitOfWork, instance_id: str | None, now: datetime) -> Loaded | None:
    """The instance restored with its due timers fired, or None when it no longer waits (completed, cancelled)."""
    if instance_id is None:
        return None
    loaded = load(services, uow, instance_id)
    if loaded.record.status != "waiting":
        return None
    loaded.run.advance(now)  # a timer the worker has not fired yet comes first (its task may be the one completed)
    return loaded


def deliver(services: Services, uow: UnitOfWork, actor: Actor, instance_id: str | None, message: str,
            payload: Mapping[str, Any], now: datetime, reason: str | None = None) -> bool:
    """Deliver ``message`` to the registration's instance; False when it no longer waits for anything."""
    loaded = _waiting(services, uow, instance_id, now)
    if loaded is None or message not in {s.message for s in loaded.run.snapshot().subscriptions}:
        return False
    loaded.run.deliver(message, payload, now)
    save(services, uow, loaded, now, actor, f"message.delivered:{message}", reason=reason)
    return True


def complete_ready(services: Services, uow: UnitOfWork, actor: Actor, instance_id: str | None, bpmn_id: str,
                   data: Mapping[str, Any], now: datetime) -> bool:
    """Complete the ready user task ``bpmn_id`` of the instance with ``data``; False when none is ready."""
    loaded = _waiting(services, uow, instance_id, now)
    task = next((t for t in loaded.run.snapshot().user_tasks if t.bpmn_id == bpmn_id), None) if loaded else None
    if loaded is None or task is None:
        return False
    loaded.run.complete(task.id, data, now)
    save(services, uow, loaded, now, actor, f"task.completed:{bpmn_id}", completed=task.id)
    return True
