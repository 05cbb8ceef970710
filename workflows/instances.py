"""Use cases of process instances: start, show, list, complete a task, retry an incident."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.actors import Actor
from domain.errors import Conflict, InvalidInput, NotFound
from storage.models import Incident, MessageSubscription, ProcessDefinition, ProcessInstance
from storage.uow import UnitOfWork

from . import clock
from .context import Services
from .engine import Run, Snapshot
from .views import IncidentView, InstanceView, Page, TaskView

MAX_PAGE = 200


def _definition_for_start(uow: UnitOfWork, key: str, version: int | None) -> ProcessDefinition:
    row = uow.definitions.latest(key) if version is None else uow.definitions.version(key, version)
    if row is None:
        suffix = f" version {version}" if version is not None else ""
        raise NotFound(f"no process definition '{key}'{suffix}", code="definition_not_found", field="definition_key")
    return row


def save_run(
    services: Services, uow: UnitOfWork, instance: ProcessInstance, run: Run, now: datetime,
    actor: Actor, action: str, reason: str | None = None,
) -> Snapshot:
    """Write the run's state and everything that changes with it (subscriptions, incident, audit) in ``uow``."""
    snapshot = run.snapshot()
    before = instance.status if instance.state else None  # a new instance has no state yet
    instance.state = run.dump()
    instance.state_format = services.engine.state_format
    instance.status = snapshot.status
    instance.next_timer_at = snapshot.next_timer_at if snapshot.status == "waiting" else None
    instance.updated_at = now
    uow.instances.add(instance)
    uow.flush()
    uow.subscriptions.replace(instance.id, [
        MessageSubscription(
            instance_id=instance.id, message_name=s.message,
            correlation_key=s.correlation_key or instance.business_key or instance.id,
            task_id=s.task_id, element_id=s.bpmn_id, created_at=now,
        )
        for s in snapshot.subscriptions
    ] if snapshot.status == "waiting" else [])
    if snapshot.failure is not None and before != "errored":
        uow.incidents.add(Incident(
            instance_id=instance.id, element_id=snapshot.failure.element_id, code=snapshot.failure.code,
            message=snapshot.failure.message, status="open", created_at=now,
        ))
    uow.audit.append(
        aggregate_type="instance", aggregate_id=instance.id, at=now, actor=actor.user_id,
        actor_org=actor.org_id, action=action, object_type="process_instance", object_id=instance.id,
        before={"status": before} if before else None,
        after={"status": snapshot.status, "active": list(snapshot.active_element_ids)},
        reason=reason,
    )
    return snapshot


def start_instance(
    services: Services, actor: Actor, definition_key: str, data: Mapping[str, Any] | None = None,
    business_key: str | None = None, version: int | None = None,
) -> InstanceView:
    """Start an instance of the latest (or the given) version of ``definition_key`` and run it to its first wait."""
    if data is not None and not isinstance(data, Mapping):
        raise InvalidInput("data must be an object", field="data")
    with services.uow() as uow:
        definition = _definition_for_start(uow, definition_key, version)
        diagram = services.engine.diagram(definition.bpmn_text, definition.content_hash, definition.key)
        now = clock.now(services, uow)
        run = services.engine.start(diagram, dict(data or {}), now)
        instance = ProcessInstance(
            definition_id=definition.id, business_key=business_key, owner_org=actor.org_id, status="running",
            state=b"", state_format=services.engine.state_format, created_at=now, updated_at=now,
            started_by=actor.user_id,
        )
        snapshot = save_run(services, uow, instance, run, now, actor, "instance.started")
        uow.commit()
        return _view(uow, instance, definition, snapshot)


def get_instance(services: Services, instance_id: str) -> InstanceView:
    """One instance with its status, current tasks, element progress, subscriptions and incidents."""
    with services.uow() as uow:
        instance, definition = _load(uow, instance_id)
        run = _restore(services, instance, definition)
        return _view(uow, instance, definition, run.snapshot())


def list_instances(
    services: Services, definition_key: str | None = None, status: str | None = None,
    business_key: str | None = None, limit: int = 50, offset: int = 0,
) -> Page:
    """Instances, newest first, with a total count."""
    limit = max(1, min(limit, MAX_PAGE))
    with services.uow() as uow:
        rows, total = uow.instances.list(
            definition_key=definition_key, status=status, business_key=business_key, limit=limit, offset=offset
        )
        items = [_view(uow, row, uow.definitions.get(row.definition_id), None) for row in rows]
        return Page(items, total, limit, offset)


def complete_task(
    services: Services, actor: Actor, instance_id: str, task_id: str, data: Mapping[str, Any] | None = None,
) -> InstanceView:
    """Complete a ready user task of an instance with ``data`` and run the instance to its next wait."""
    if data is not None and not isinstance(data, Mapping):
        raise InvalidInput("data must be an object", field="data")
    with services.uow() as uow:
        instance, definition = _load(uow, instance_id, lock=True)
        _require_status(instance, "waiting")
        run = _restore(services, instance, definition)
        now = clock.now(services, uow)
        bpmn_id = run.task_bpmn_id(task_id)
        run.complete(task_id, dict(data or {}), now)
        snapshot = save_run(services, uow, instance, run, now, actor, f"task.completed:{bpmn_id}")
        uow.commit()
        return _view(uow, instance, definition, snapshot)


def retry_incident(services: Services, actor: Actor, incident_id: str) -> InstanceView:
    """Retry the failed step of an errored instance after its cause was fixed; resolves the incident on success."""
    with services.uow() as uow:
        incident = uow.incidents.get(incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}", code="incident_not_found")
        if incident.status != "open":
            raise Conflict("the incident is already resolved", code="incident_resolved")
        instance, definition = _load(uow, incident.instance_id, lock=True)
        run = _restore(services, instance, definition)
        now = clock.now(services, uow)
        run.retry(now)
        snapshot = save_run(services, uow, instance, run, now, actor, "instance.retried", reason=incident.id)
        if snapshot.status != "errored":
            for open_incident in uow.incidents.open_for(instance.id):
                open_incident.status, open_incident.resolved_at = "resolved", now
                open_incident.resolved_by = actor.user_id
        else:
            incident.message = snapshot.failure.message if snapshot.failure else incident.message
        uow.commit()
        return _view(uow, instance, definition, snapshot)


def list_incidents(
    services: Services, status: str | None = None, limit: int = 50, offset: int = 0
) -> list[IncidentView]:
    """Incidents, newest first."""
    with services.uow() as uow:
        return [_incident_view(i) for i in uow.incidents.list(status, max(1, min(limit, MAX_PAGE)), offset)]


# --- helpers --------------------------------------------------------------------------------------------
def _require_status(instance: ProcessInstance, *allowed: str) -> None:
    if instance.status not in allowed:
        raise Conflict(f"the instance is {instance.status}", code=f"instance_{instance.status}")


def _load(uow: UnitOfWork, instance_id: str, lock: bool = False) -> tuple[ProcessInstance, ProcessDefinition]:
    instance = uow.instances.get(instance_id, lock=lock)
    if instance is None:
        raise NotFound(f"no process instance {instance_id}", code="instance_not_found")
    definition = uow.definitions.get(instance.definition_id)
    assert definition is not None  # a foreign key guarantees it
    return instance, definition


def _restore(services: Services, instance: ProcessInstance, definition: ProcessDefinition) -> Run:
    diagram = services.engine.diagram(definition.bpmn_text, definition.content_hash, definition.key)
    return services.engine.restore(diagram, instance.state)


def _incident_view(i: Incident) -> IncidentView:
    return IncidentView(i.id, i.instance_id, i.element_id, i.code, i.message, i.status, i.created_at,
                        i.resolved_at, i.resolved_by)


def _view(
    uow: UnitOfWork, instance: ProcessInstance, definition: ProcessDefinition | None, snapshot: Snapshot | None
) -> InstanceView:
    assert definition is not None
    extra: dict[str, Any] = {}
    if snapshot is not None:
        extra = {
            "tasks": [TaskView(t.id, t.bpmn_id, t.name, t.lane, t.properties.get("formJsonSchemaFilename"))
                      for t in snapshot.user_tasks],
            "active_element_ids": list(snapshot.active_element_ids),
            "completed_element_ids": list(snapshot.completed_element_ids),
            "subscriptions": [
                {"message": s.message_name, "correlation_key": s.correlation_key, "element_id": s.element_id}
                for s in uow.subscriptions.for_instance(instance.id)
            ],
            "incidents": [_incident_view(i) for i in uow.incidents.for_instance(instance.id)],
            "data": snapshot.data,
        }
    return InstanceView(
        id=instance.id, definition_id=definition.id, definition_key=definition.key,
        definition_version=definition.version, business_key=instance.business_key, owner_org=instance.owner_org,
        status=instance.status, next_timer_at=instance.next_timer_at, created_at=instance.created_at,
        updated_at=instance.updated_at, started_by=instance.started_by, state_format=instance.state_format,
        state_bytes=len(instance.state), **extra,
    )
