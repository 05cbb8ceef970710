"""Load an instance for a use case and save what one engine step changed, all in the caller's transaction.

``save`` writes, in this order: the instance row (state, status, next timer, audit entry), its message
subscriptions, an incident when the step failed, the task queue rows (``queue_sync``), then the read models of the
instance's process (``projections``). Whatever fails, the unit of work rolls all of it back together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from domain.actors import Actor
from domain.errors import NotFound
from domain.permissions import can_in_process
from storage.audit import GENESIS
from storage.instance_store import InstanceRecord, SubscriptionRow
from storage.uow import UnitOfWork

from . import projections
from .context import DefinitionRef, Services
from .engine import Run, Snapshot
from .queue_sync import sync_tasks
from .views import IncidentView, InstanceView, TaskView


@dataclass
class Loaded:
    """An instance restored for one use case, with what is needed to save it again."""

    record: InstanceRecord
    ref: DefinitionRef
    run: Run
    waiting_messages: frozenset[str]
    ready_before: frozenset[str] = frozenset()
    is_new: bool = False
    cancelled: bool = False


def load(
    services: Services, uow: UnitOfWork, instance_id: str, *, lock: bool = True, actor: Actor | None = None
) -> Loaded:
    """Read an instance (locked for update unless ``lock`` is false) and restore its workflow.

    Given an actor, an instance they may not see answers exactly as one that does not exist (404, not 403).
    """
    record = uow.store.load(instance_id, lock=lock)
    if record is None or (actor is not None and not uow.store.visible(instance_id, actor)):
        raise NotFound(f"no process instance {instance_id}", code="instance_not_found")
    return restore(services, uow, record)


def restore(services: Services, uow: UnitOfWork, record: InstanceRecord) -> Loaded:
    """Restore the workflow of an instance row onto its diagram version."""
    ref = services.definition(uow, record.definition_id)
    run = services.engine.restore(services.diagram(uow, ref), record.state)
    return Loaded(record, ref, run, run.waiting_message_task_ids(), run.ready_user_task_ids())


def save(
    services: Services, uow: UnitOfWork, loaded: Loaded, now: datetime, actor: Actor, action: str,
    reason: str | None = None, completed: str | None = None,
) -> Snapshot:
    """Write the run's state and what changes with it (subscriptions, incident, audit, queue, projections)."""
    record, run = loaded.record, loaded.run
    snapshot = run.snapshot()
    if loaded.cancelled:
        snapshot = replace(snapshot, status="cancelled", user_tasks=(), subscriptions=(), next_timer_at=None)
    before = None if loaded.is_new else record.status
    record.state = run.dump()
    record.state_format = services.engine.state_format
    record.status = snapshot.status
    record.next_timer_at = snapshot.next_timer_at if snapshot.status == "waiting" else None
    record.updated_at = now
    record.audit_seq, record.audit_head = (0, GENESIS) if loaded.is_new else (record.audit_seq, record.audit_head)
    uow.store.audit(
        record, at=now, actor=actor.user_id, actor_org=actor.org_id, action=action,
        before={"status": before} if before else None,
        after={"status": snapshot.status, "active": list(snapshot.active_element_ids)}, reason=reason,
    )
    if loaded.is_new:
        uow.store.insert(record)
    else:
        uow.store.update(record)
    if loaded.is_new or run.waiting_message_task_ids() != loaded.waiting_messages:
        uow.store.replace_subscriptions(record.id, subscription_rows(record, snapshot), now,
                                        had_any=bool(loaded.waiting_messages))
    if snapshot.failure is not None and before != "errored":
        uow.store.add_incident(record.id, snapshot.failure.element_id, snapshot.failure.code,
                               snapshot.failure.message, now)
    sync_tasks(services, uow, record, loaded.ref.key, loaded.ready_before, snapshot, now, actor, completed)
    _saved_in(uow)[record.id] = (loaded, snapshot)  # before the projectors: a step they take comes later
    _project(services, uow, loaded, snapshot, now, actor, action, completed)
    return snapshot


def _project(services: Services, uow: UnitOfWork, loaded: Loaded, snapshot: Snapshot, now: datetime, actor: Actor,
             action: str, completed: str | None) -> None:
    projectors = projections.projectors_for(loaded.ref.key)
    if projectors:  # most steps of most processes have none: build nothing for them
        step = projections.Step(loaded.record, loaded.ref, snapshot, action, actor, now, completed, loaded.run,
                                services)
        for projector in projectors:
            projector(uow, step)


_SAVED: WeakKeyDictionary[UnitOfWork, dict[str, tuple[Loaded, Snapshot]]] = WeakKeyDictionary()


def _saved_in(uow: UnitOfWork) -> dict[str, tuple[Loaded, Snapshot]]:
    """The last step saved in ``uow`` of each instance it stepped."""
    saved = _SAVED.get(uow)
    if saved is None:
        saved = _SAVED[uow] = {}
    return saved


def latest(uow: UnitOfWork, loaded: Loaded, snapshot: Snapshot) -> tuple[Loaded, Snapshot]:
    """The instance as the unit of work last saved it: a projector may have stepped it again inside the step that
    saved ``snapshot`` (a registration's renewal from the queue also completes its open reassessment task)."""
    return _saved_in(uow).get(loaded.record.id, (loaded, snapshot))


def subscription_rows(record: InstanceRecord, snapshot: Snapshot) -> list[SubscriptionRow]:
    """The message subscriptions of a saved snapshot; the key defaults to the business key, then the id."""
    if snapshot.status != "waiting":
        return []
    return [SubscriptionRow(s.message, s.correlation_key or record.business_key or record.id, s.task_id, s.bpmn_id)
            for s in snapshot.subscriptions]


# --- views ----------------------------------------------------------------------------------------------
def incident_view(i: Any) -> IncidentView:
    """The view of an incident row."""
    return IncidentView(i.id, i.instance_id, i.element_id, i.code, i.message, i.status, i.created_at,
                        i.resolved_at, i.resolved_by)


def summary(record: InstanceRecord, ref: DefinitionRef, **extra: Any) -> InstanceView:
    """The view of an instance row without its engine state (lists)."""
    return InstanceView(
        id=record.id, definition_id=ref.id, definition_key=ref.key, definition_version=ref.version,
        business_key=record.business_key, owner_org=record.owner_org, status=record.status,
        next_timer_at=record.next_timer_at, created_at=record.created_at, updated_at=record.updated_at,
        started_by=record.started_by, state_format=record.state_format, state_bytes=len(record.state), **extra,
    )


def view_of(uow: UnitOfWork, loaded: Loaded, snapshot: Snapshot, actor: Actor) -> InstanceView:
    """The full view of a loaded instance after an operation, with the current data when ``actor`` may read it: as
    the unit of work last saved it, should a projector have stepped it again after ``snapshot``."""
    loaded, snapshot = latest(uow, loaded, snapshot)
    record = loaded.record
    return summary(
        record, loaded.ref,
        tasks=[TaskView(t.id, t.bpmn_id, t.name, t.lane, t.properties.get("formJsonSchemaFilename"))
               for t in snapshot.user_tasks],
        active_element_ids=list(snapshot.active_element_ids),
        completed_element_ids=list(snapshot.completed_element_ids),
        subscriptions=[{"message": s.message_name, "correlation_key": s.correlation_key, "element_id": s.element_id}
                       for s in subscription_rows(record, snapshot)],
        incidents=[incident_view(i) for i in uow.store.incidents(record.id)],
        data=loaded.run.current_data() if can_in_process(actor, "instance.read_data", loaded.ref.key, record) else {},
    )
