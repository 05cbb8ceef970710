"""The hot path of every engine operation, in SQLAlchemy Core: find a start's diagram version, load an instance,
save it, its read models.

Loading, completing and saving an instance happens on nearly every request; the ORM's unit-of-work bookkeeping
cost more than the engine itself (bench/engine.py), so this module speaks Core on the unit of work's connection.
Concurrency: the save is ``UPDATE … WHERE version = :read_version``; no row updated means another transaction
saved first, and the caller gets a Conflict. The audit chain head lives on the same row (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from domain.actors import Actor
from domain.errors import Conflict

from .audit import chained_entry
from .db import DriverStatement
from .models import AuditEntry, Incident, MessageSubscription, ProcessDefinition, ProcessInstance, new_id
from .task_store import instance_visible_to

_INSTANCES = cast(Table, ProcessInstance.__table__)
_SUBSCRIPTIONS = cast(Table, MessageSubscription.__table__)
_INCIDENTS = cast(Table, Incident.__table__)
_AUDIT = cast(Table, AuditEntry.__table__)
_DEFINITIONS = cast(Table, ProcessDefinition.__table__)


@dataclass
class InstanceRecord:
    """One row of process_instances as plain values."""

    id: str
    definition_id: str
    business_key: str | None
    owner_org: str | None
    status: str
    state: bytes
    state_format: str
    next_timer_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    started_by: str
    audit_seq: int
    audit_head: str


@dataclass(frozen=True)
class SubscriptionRow:
    """A message an instance waits for."""

    message_name: str
    correlation_key: str
    task_id: str
    element_id: str


_COLUMNS = [_INSTANCES.c[f.name] for f in fields(InstanceRecord)]
_FIXED = ("id", "version", "definition_id", "created_at")
# Statements are built once: building and cache-keying a statement per call cost more than running it.
# The hot statements go on the driver's cursor (storage/db.py, DriverStatement): writes whose every value is
# given, and queries read as plain tuples.
_SELECT_ROW = select(*_COLUMNS).where(_INSTANCES.c.id == bindparam("p_id"))
_SELECT = DriverStatement(_SELECT_ROW)
_SELECT_LOCKED = DriverStatement(_SELECT_ROW.with_for_update())
_INSERT = DriverStatement(insert(_INSTANCES).inline(), [c.name for c in _COLUMNS])
_UPDATE = DriverStatement(
    update(_INSTANCES)
    .where(_INSTANCES.c.id == bindparam("p_id"), _INSTANCES.c.version == bindparam("p_version"))
    .values({c: bindparam(f"v_{c.name}") for c in _COLUMNS if c.name not in _FIXED[1:] and c.name != "id"}
            | {_INSTANCES.c.version: bindparam("p_version") + 1})
)
_UPDATE_HEAD = DriverStatement(
    update(_INSTANCES)
    .where(_INSTANCES.c.id == bindparam("p_id"), _INSTANCES.c.version == bindparam("p_version"))
    .values(audit_seq=bindparam("v_seq"), audit_head=bindparam("v_head"), version=bindparam("p_version") + 1)
)
_DELETE_SUBSCRIPTIONS = DriverStatement(
    delete(_SUBSCRIPTIONS).where(_SUBSCRIPTIONS.c.instance_id == bindparam("p_id"))
)
_INSERT_SUBSCRIPTION = DriverStatement(
    insert(_SUBSCRIPTIONS).inline(),
    ["instance_id", "created_at", *(f.name for f in fields(SubscriptionRow))],
)
_SELECT_SUBSCRIPTIONS = (
    select(_SUBSCRIPTIONS.c.message_name, _SUBSCRIPTIONS.c.correlation_key, _SUBSCRIPTIONS.c.task_id,
           _SUBSCRIPTIONS.c.element_id)
    .where(_SUBSCRIPTIONS.c.instance_id == bindparam("p_id")).order_by(_SUBSCRIPTIONS.c.id)
)
_INSERT_INCIDENT = DriverStatement(insert(_INCIDENTS).inline(), [c.name for c in _INCIDENTS.columns])
_SELECT_INCIDENTS = (
    select(_INCIDENTS).where(_INCIDENTS.c.instance_id == bindparam("p_id")).order_by(_INCIDENTS.c.created_at)
)
# The due instances in deadline order; built once (a statement per call cost more than running it). The exclusion is
# an expanding list: the ids a sweep must not claim again (an empty list excludes nothing).
_CLAIM_DUE = (
    select(*_COLUMNS)
    .where(_INSTANCES.c.status == "waiting", _INSTANCES.c.next_timer_at < bindparam("p_now"),
           _INSTANCES.c.id.not_in(bindparam("p_exclude", expanding=True)))
    .order_by(_INSTANCES.c.next_timer_at).limit(bindparam("p_limit")).with_for_update(skip_locked=True)
)
# Public: every aggregate that keeps its chain head on its own row appends with it (storage/audit.chained_entry).
INSERT_AUDIT = DriverStatement(insert(_AUDIT).inline(), [c.name for c in _AUDIT.columns if c.name != "id"])
# A version's identity without its BPMN text (the ORM entity would load the whole diagram on every start).
_DEFINITION_REF = select(_DEFINITIONS.c.id, _DEFINITIONS.c.key, _DEFINITIONS.c.version, _DEFINITIONS.c.content_hash)
_LATEST_DEFINITION = DriverStatement(
    _DEFINITION_REF.where(_DEFINITIONS.c.key == bindparam("p_key")).order_by(_DEFINITIONS.c.version.desc()).limit(1)
)
_DEFINITION_VERSION = DriverStatement(_DEFINITION_REF.where(
    _DEFINITIONS.c.key == bindparam("p_key"), _DEFINITIONS.c.version == bindparam("p_version")
))


class InstanceStore:
    """Core queries of instances and of what is written with them, in the unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        # Instances inserted by this unit of work without an incident: they have none (their id is new).
        self._inserted_clean: set[str] = set()

    def load(self, instance_id: str, *, lock: bool = False) -> InstanceRecord | None:
        """The instance, optionally locked for update (PostgreSQL; SQLite's writer lock is already held)."""
        row = (_SELECT_LOCKED if lock else _SELECT).first(self._conn, {"p_id": instance_id})
        return InstanceRecord(*row) if row is not None else None

    def lock(self, instance_ids: Sequence[str], *, skip_locked: bool = False) -> set[str]:
        """Lock these instances for update, in id order, without reading their state, and return the ids locked
        (PostgreSQL; SQLite's writer lock is already held, and every id comes back). A use case that locks a
        process's own rows and then steps their instances calls this first: every engine step (the queue, the timer
        worker, messages) locks the instance before the process's rows, and one order everywhere means no deadlock.
        ``skip_locked`` leaves out the instances another transaction holds, instead of waiting for them."""
        ids = sorted(set(instance_ids))
        if not ids:
            return set()
        query = select(_INSTANCES.c.id).where(_INSTANCES.c.id.in_(ids)).order_by(_INSTANCES.c.id)
        return set(self._conn.execute(query.with_for_update(skip_locked=skip_locked)).scalars())

    def definition_ref(self, key: str, version: int | None = None) -> tuple[str, str, int, str] | None:
        """(id, key, version, content hash) of the latest deployed version of ``key``, or of ``version``."""
        if version is None:
            row = _LATEST_DEFINITION.first(self._conn, {"p_key": key})
        else:
            row = _DEFINITION_VERSION.first(self._conn, {"p_key": key, "p_version": version})
        return (row[0], row[1], row[2], row[3]) if row is not None else None

    def visible(self, instance_id: str, actor: Actor) -> bool:
        """True when ``actor`` may see the instance (scoping in the query, DESIGN.md)."""
        query = select(_INSTANCES.c.id).where(
            _INSTANCES.c.id == instance_id, instance_visible_to(actor, _INSTANCES.c.id, _INSTANCES.c.owner_org)
        )
        return self._conn.execute(query).first() is not None

    def claim_due(self, now: datetime, exclude: Sequence[str] = ()) -> InstanceRecord | None:
        """Lock the waiting instance whose deadline passed longest ago; rows other workers hold are skipped."""
        claimed = self.claim_due_many(now, exclude, 1)
        return claimed[0] if claimed else None

    def claim_due_many(self, now: datetime, exclude: Sequence[str] = (), limit: int = 1) -> list[InstanceRecord]:
        """Lock up to ``limit`` waiting instances whose deadlines passed, longest ago first; rows other workers hold
        are skipped (PostgreSQL), so two workers never claim the same instance."""
        rows = self._conn.execute(_CLAIM_DUE, {"p_now": now, "p_exclude": list(exclude), "p_limit": limit})
        return [InstanceRecord(*row) for row in rows]

    def insert(self, record: InstanceRecord) -> None:
        """Store a new instance."""
        record.version = 1
        _INSERT.execute(self._conn, vars(record))
        self._inserted_clean.add(record.id)

    def update(self, record: InstanceRecord) -> None:
        """Save ``record`` if nobody saved it since it was read; bump its version."""
        params = {f"v_{k}": v for k, v in vars(record).items() if k not in _FIXED}
        if _UPDATE.execute(self._conn, {**params, "p_id": record.id, "p_version": record.version}) != 1:
            raise Conflict("the instance was changed by another request; reload and retry", code="concurrent_update")
        record.version += 1

    def save_audit_head(self, record: InstanceRecord) -> None:
        """Save only the audit chain head (and version) of an instance whose state did not change."""
        changed = _UPDATE_HEAD.execute(self._conn, {"p_id": record.id, "p_version": record.version,
                                                    "v_seq": record.audit_seq, "v_head": record.audit_head})
        if changed != 1:
            raise Conflict("the instance was changed by another request; reload and retry", code="concurrent_update")
        record.version += 1

    def replace_subscriptions(self, instance_id: str, rows: Sequence[SubscriptionRow], now: datetime,
                              had_any: bool) -> None:
        """Make ``rows`` the instance's message subscriptions."""
        if had_any:
            _DELETE_SUBSCRIPTIONS.execute(self._conn, {"p_id": instance_id})
        if rows:
            values = [{"instance_id": instance_id, "created_at": now, **vars(r)} for r in rows]
            _INSERT_SUBSCRIPTION.execute(self._conn, values[0] if len(values) == 1 else values)

    def subscriptions(self, instance_id: str) -> list[SubscriptionRow]:
        """The instance's current message subscriptions."""
        return [SubscriptionRow(*r) for r in self._conn.execute(_SELECT_SUBSCRIPTIONS, {"p_id": instance_id})]

    def add_incident(self, instance_id: str, element_id: str | None, code: str, message: str, now: datetime) -> None:
        """Open an incident for the instance."""
        self._inserted_clean.discard(instance_id)
        _INSERT_INCIDENT.execute(self._conn, {
            "id": new_id(), "instance_id": instance_id, "element_id": element_id, "code": code, "message": message,
            "status": "open", "created_at": now, "resolved_at": None, "resolved_by": None,
        })

    def incidents(self, instance_id: str) -> list[Any]:
        """The instance's incidents, oldest first."""
        if instance_id in self._inserted_clean:
            return []
        return list(self._conn.execute(_SELECT_INCIDENTS, {"p_id": instance_id}))

    def audit(self, record: InstanceRecord, *, at: datetime, actor: str, actor_org: str | None, action: str,
              before: Any = None, after: Any = None, reason: str | None = None) -> None:
        """Append an entry to the instance's audit chain; the new head is saved with the instance."""
        values = chained_entry(record.audit_seq, record.audit_head, aggregate_type="instance",
                               aggregate_id=record.id, at=at, actor=actor, actor_org=actor_org, action=action,
                               object_type="process_instance", object_id=record.id, before=before, after=after,
                               reason=reason)
        INSERT_AUDIT.execute(self._conn, values)
        record.audit_seq, record.audit_head = values["seq"], values["hash"]
