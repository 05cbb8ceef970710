"""Use cases of process instances: start, show, list, cancel, read the history, retry an incident."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from domain.actors import Actor
from domain.errors import Conflict, InvalidInput, NotFound
from domain.permissions import can, implied_org_kind, owner_scoped_lanes, require, require_scopable_lanes
from storage.audit import GENESIS
from storage.instance_store import InstanceRecord
from storage.models import new_id
from storage.uow import UnitOfWork

from . import clock
from .context import Services
from .engine import Diagram
from .persistence import Loaded, incident_view, load, save, summary, view_of
from .views import IncidentView, InstanceView, Page

MAX_PAGE = 200


def start_instance(
    services: Services, actor: Actor, definition_key: str, data: Mapping[str, Any] | None = None,
    business_key: str | None = None, version: int | None = None,
) -> InstanceView:
    """Start an instance of the latest (or the given) version of ``definition_key`` and run it to its first wait."""
    if data is not None and not isinstance(data, Mapping):
        raise InvalidInput("data must be an object", field="data")
    require(actor, "instance.start")
    with services.uow() as uow:
        ref = services.find_definition(uow, definition_key, version)
        if ref is None:
            suffix = f" version {version}" if version is not None else ""
            raise NotFound(f"no process definition '{definition_key}'{suffix}", code="definition_not_found",
                           field="definition_key")
        diagram = services.diagram(uow, ref)
        _check_starter(uow, actor, diagram)
        now = clock.now(services, uow)
        run = services.engine.start(diagram, dict(data or {}), now)
        record = InstanceRecord(
            id=new_id(), definition_id=ref.id, business_key=business_key, owner_org=actor.org_id, status="running",
            state=b"", state_format=services.engine.state_format, next_timer_at=None, version=1, created_at=now,
            updated_at=now, started_by=actor.user_id, audit_seq=0, audit_head=GENESIS,
        )
        loaded = Loaded(record, ref, run, frozenset(), is_new=True)
        snapshot = save(services, uow, loaded, now, actor, "instance.started")
        view = view_of(uow, loaded, snapshot, actor)
        uow.commit()
        return view


def get_instance(services: Services, actor: Actor, instance_id: str) -> InstanceView:
    """One instance the caller may see, with status, current tasks, element progress, subscriptions, incidents."""
    with services.uow(read_only=True) as uow:
        loaded = load(services, uow, instance_id, lock=False, actor=actor)
        return view_of(uow, loaded, loaded.run.snapshot(), actor)


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
            items.append(summary(record, ref))
        return Page(items, total, limit, offset)


def cancel_instance(services: Services, actor: Actor, instance_id: str, reason: str) -> InstanceView:
    """Cancel a running instance with a recorded reason (administrators); its open tasks are cancelled."""
    if not reason or not reason.strip():
        raise InvalidInput("a cancellation needs a reason", field="reason")
    with services.uow() as uow:
        loaded = load(services, uow, instance_id, actor=actor)  # 404 before 403: no hint that it exists
        require(actor, "instance.cancel")
        if loaded.record.status in ("completed", "cancelled"):
            raise Conflict(f"the instance is {loaded.record.status}", code=f"instance_{loaded.record.status}")
        now = clock.now(services, uow)
        loaded.run.cancel()
        loaded.cancelled = True
        snapshot = save(services, uow, loaded, now, actor, "instance.cancelled", reason=reason.strip())
        view = view_of(uow, loaded, snapshot, actor)
        uow.commit()
        return view


def instance_history(services: Services, actor: Actor, instance_id: str) -> list[dict[str, Any]]:
    """The audit entries of an instance the caller may see, oldest first; before and after as objects."""
    with services.uow(read_only=True) as uow:
        if uow.store.load(instance_id) is None or not uow.store.visible(instance_id, actor):
            raise NotFound(f"no process instance {instance_id}", code="instance_not_found")
        return [
            {"seq": e.seq, "at": e.at, "actor": e.actor, "actor_org": e.actor_org, "action": e.action,
             "before": _parsed(e.before), "after": _parsed(e.after), "reason": e.reason}
            for e in uow.audit.for_aggregate("instance", instance_id)
        ]


def retry_incident(services: Services, actor: Actor, incident_id: str) -> InstanceView:
    """Retry the failed step of an errored instance after its cause was fixed; resolves the incident on success."""
    require(actor, "incident.handle")
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
        view = view_of(uow, loaded, snapshot, actor)
        uow.commit()
        return view


def list_incidents(
    services: Services, actor: Actor, status: str | None = None, limit: int = 50, offset: int = 0
) -> list[IncidentView]:
    """Incidents, newest first (administrators)."""
    require(actor, "incident.handle")
    with services.uow(read_only=True) as uow:
        return [incident_view(i) for i in uow.incidents.list(status, max(1, min(limit, MAX_PAGE)), offset)]


# --- helpers --------------------------------------------------------------------------------------------
def _check_starter(uow: UnitOfWork, actor: Actor, diagram: Diagram) -> None:
    """The diagram's start roles (ACC-3), and its owner-scoped lanes against the starter's organization (ACC-15)."""
    if not can(actor, "instance.start", diagram.start_roles):  # the refusal's detail is built only when refused
        require(actor, "instance.start", diagram.start_roles,
                detail=f"{diagram.key} is started by {', '.join(diagram.start_roles or ())}")
    lanes = _owner_scoped_lanes(diagram)
    if lanes:  # their tasks go to the starter's organization: it must be one that works them
        require_scopable_lanes(lanes, implied_org_kind(actor) or _org_kind(uow, actor.org_id))


def _owner_scoped_lanes(diagram: Diagram) -> tuple[str, ...]:
    # A version's lanes never change: decided once per diagram version (its content hash), not on every start.
    lanes = _OWNER_LANES.get(diagram.content_hash)
    if lanes is None:
        lanes = _OWNER_LANES[diagram.content_hash] = owner_scoped_lanes(t.lane for t in diagram.user_tasks)
    return lanes


_OWNER_LANES: dict[str, tuple[str, ...]] = {}


def _org_kind(uow: UnitOfWork, org_id: str | None) -> str | None:
    org = uow.identity.org(org_id) if org_id else None
    return org.kind if org is not None else None


def _parsed(text: str | None) -> Any:
    # Audit entries keep before/after as the canonical JSON text they were hashed in; callers get the objects.
    return json.loads(text) if text is not None else None
