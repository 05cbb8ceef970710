"""Use cases of process instances: start, show, list, complete a task, retry an incident."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.actors import Actor
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from storage.audit import GENESIS
from storage.instance_store import InstanceRecord, SubscriptionRow
from storage.models import new_id
from storage.uow import UnitOfWork

from . import clock
from .context import DefinitionRef, Services
from .engine import Run, Snapshot
from .queue_sync import sync_tasks
from .views import IncidentView, InstanceView, Page, TaskView

MAX_PAGE = 200


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
    """Write the run's state and what changes with it (subscriptions, incident, audit) in ``uow``."""
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
    if run.waiting_message_task_ids() != loaded.waiting_messages or loaded.is_new:
        uow.store.replace_subscriptions(record.id, subscription_rows(record, snapshot), now,
                                        had_any=bool(loaded.waiting_messages))
    if snapshot.failure is not None and before != "errored":
        uow.store.add_incident(record.id, snapshot.failure.element_id, snapshot.failure.code,
                               snapshot.failure.message, now)
    sync_tasks(services, uow, loaded, snapshot, now, actor, completed)
    return snapshot


def subscription_rows(record: InstanceRecord, snapshot: Snapshot) -> list[SubscriptionRow]:
    """The message subscriptions of a saved snapshot; the key defaults to the business key, then the id."""
    if snapshot.status != "waiting":
        return []
    return [SubscriptionRow(s.message, s.correlation_key or record.business_key or record.id, s.task_id, s.bpmn_id)
            for s in snapshot.subscriptions]


def start_instance(
    services: Services, actor: Actor, definition_key: str, data: Mapping[str, Any] | None = None,
    business_key: str | None = None, version: int | None = None,
) -> InstanceView:
    """Start an instance of the latest (or the given) version of ``definition_key`` and run it to its first wait."""
    if data is not None and not isinstance(data, Mapping):
        raise InvalidInput("data must be an object", field="data")
    if actor.has_role("auditor"):
        raise Forbidden("auditors read; they do not start processes", code="read_only_role")
    with services.uow() as uow:
        ref = services.find_definition(uow, definition_key, version)
        if ref is None:
            suffix = f" version {version}" if version is not None else ""
            raise NotFound(f"no process definition '{definition_key}'{suffix}", code="definition_not_found",
                           field="definition_key")
        diagram = services.diagram(uow, ref)
        if diagram.start_roles is not None and not actor.has_role(*diagram.start_roles, "system"):
            raise Forbidden(f"{definition_key} is started by {', '.join(diagram.start_roles)}",
                            code="start_forbidden")
        now = clock.now(services, uow)
        run = services.engine.start(diagram, dict(data or {}), now)
        record = InstanceRecord(
            id=new_id(), definition_id=ref.id, business_key=business_key, owner_org=actor.org_id, status="running",
            state=b"", state_format=services.engine.state_format, next_timer_at=None, version=1, created_at=now,
            updated_at=now, started_by=actor.user_id, audit_seq=0, audit_head=GENESIS,
        )
        loaded = Loaded(record, ref, run, frozenset(), is_new=True)
        snapshot = save(services, uow, loaded, now, actor, "instance.started")
        view = view_of(uow, loaded, snapshot)
        uow.commit()
        return view


def get_instance(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    """One instance the caller may see, with status, current tasks, element progress, subscriptions, incidents."""
    with services.uow(read_only=True) as uow:
        loaded = load(services, uow, instance_id, lock=False, actor=actor)
        return view_of(uow, loaded, loaded.run.snapshot())


def list_instances(
    services: Services, actor: Actor, definition_key: str | None = None, status: str | None = None,
    business_key: str | None = None, limit: int = 50, offset: int = 0,
) -> Page:
    """Instances the caller may see, newest first, with a total count."""
    limit = max(1, min(limit, MAX_PAGE))
    with services.uow(read_only=True) as uow:
        rows, total = uow.instances.list(
            actor, definition_key=definition_key, status=status, business_key=business_key, limit=limit, offset=offset
        )
        items = []
        for row in rows:
            ref = services.definition(uow, row.definition_id)
            record = InstanceRecord(**{k: getattr(row, k) for k in InstanceRecord.__dataclass_fields__})
            items.append(_summary(record, ref))
        return Page(items, total, limit, offset)


def cancel_instance(services: Services, actor: Actor, instance_id: str, reason: str) -> InstanceView:
    """Cancel a running instance with a recorded reason (administrators); its open tasks are cancelled."""
    if not reason or not reason.strip():
        raise InvalidInput("a cancellation needs a reason", field="reason")
    with services.uow() as uow:
        loaded = load(services, uow, instance_id, actor=actor)  # 404 before 403: no hint that it exists
        if not actor.has_role("admin"):
            raise Forbidden("only an administrator cancels an instance", code="admin_only")
        if loaded.record.status in ("completed", "cancelled"):
            raise Conflict(f"the instance is {loaded.record.status}", code=f"instance_{loaded.record.status}")
        now = clock.now(services, uow)
        loaded.run.cancel()
        loaded.cancelled = True
        snapshot = save(services, uow, loaded, now, actor, "instance.cancelled", reason=reason.strip())
        view = view_of(uow, loaded, snapshot)
        uow.commit()
        return view


def instance_history(services: Services, actor: Actor, instance_id: str) -> list[dict[str, Any]]:
    """The audit entries of an instance the caller may see, oldest first."""
    with services.uow(read_only=True) as uow:
        if uow.store.load(instance_id) is None or not uow.store.visible(instance_id, actor):
            raise NotFound(f"no process instance {instance_id}", code="instance_not_found")
        return [
            {"seq": e.seq, "at": e.at, "actor": e.actor, "actor_org": e.actor_org, "action": e.action,
             "before": e.before, "after": e.after, "reason": e.reason}
            for e in uow.audit.for_aggregate("instance", instance_id)
        ]


def retry_incident(services: Services, actor: Actor, incident_id: str) -> InstanceView:
    """Retry the failed step of an errored instance after its cause was fixed; resolves the incident on success."""
    _require_admin(actor)
    with services.uow() as uow:
        incident = uow.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}", code="incident_not_found")
        if incident.status != "open":
            raise Conflict("the incident is already resolved", code="incident_resolved")
        loaded = load(services, uow, incident.instance_id)
        now = clock.now(services, uow)
        loaded.run.retry(now)
        snapshot = save(services, uow, loaded, now, actor, "instance.retried", reason=incident.id)
        if snapshot.status != "errored":
            for open_incident in uow.incidents.open_for(loaded.record.id):
                open_incident.status, open_incident.resolved_at = "resolved", now
                open_incident.resolved_by = actor.user_id
        elif snapshot.failure is not None:
            incident.message = snapshot.failure.message
        uow.flush()
        view = view_of(uow, loaded, snapshot)
        uow.commit()
        return view


def list_incidents(
    services: Services, actor: Actor, status: str | None = None, limit: int = 50, offset: int = 0
) -> list[IncidentView]:
    """Incidents, newest first (administrators)."""
    _require_admin(actor)
    with services.uow(read_only=True) as uow:
        return [_incident_view(i) for i in uow.incidents.list(status, max(1, min(limit, MAX_PAGE)), offset)]


# --- helpers --------------------------------------------------------------------------------------------
def _require_admin(actor: Actor) -> None:
    if not actor.has_role("admin", "system"):
        raise Forbidden("incidents are handled by administrators", code="admin_only")


def _incident_view(i: Any) -> IncidentView:
    return IncidentView(i.id, i.instance_id, i.element_id, i.code, i.message, i.status, i.created_at,
                        i.resolved_at, i.resolved_by)


def _summary(record: InstanceRecord, ref: DefinitionRef, **extra: Any) -> InstanceView:
    return InstanceView(
        id=record.id, definition_id=ref.id, definition_key=ref.key, definition_version=ref.version,
        business_key=record.business_key, owner_org=record.owner_org, status=record.status,
        next_timer_at=record.next_timer_at, created_at=record.created_at, updated_at=record.updated_at,
        started_by=record.started_by, state_format=record.state_format, state_bytes=len(record.state), **extra,
    )


def view_of(uow: UnitOfWork, loaded: Loaded, snapshot: Snapshot) -> InstanceView:
    """The full view of a loaded instance after an operation."""
    record = loaded.record
    return _summary(
        record, loaded.ref,
        tasks=[TaskView(t.id, t.bpmn_id, t.name, t.lane, t.properties.get("formJsonSchemaFilename"))
               for t in snapshot.user_tasks],
        active_element_ids=list(snapshot.active_element_ids),
        completed_element_ids=list(snapshot.completed_element_ids),
        subscriptions=[{"message": s.message_name, "correlation_key": s.correlation_key, "element_id": s.element_id}
                       for s in subscription_rows(record, snapshot)],
        incidents=[_incident_view(i) for i in uow.store.incidents(record.id)],
        data=snapshot.data,
    )
