"""Repositories of the foundation tables (definitions, instances, incidents, subscriptions, audit, clock), in the ORM.

Used only through the unit of work (``uow.definitions`` …); the instance hot path is ``instance_store.py`` (Core).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from domain.actors import Actor

from .audit import GENESIS, HASHED_FIELDS, entry_hash, to_json
from .models import (
    AuditEntry,
    ClockSetting,
    Incident,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
)
from .task_models import ProcessForm
from .task_store import instance_visible_to


class Definitions:
    """Deployed diagram versions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_hash(self, digest: str) -> ProcessDefinition | None:
        return self.session.scalars(select(ProcessDefinition).where(ProcessDefinition.content_hash == digest)).first()

    def get(self, definition_id: str) -> ProcessDefinition | None:
        return self.session.get(ProcessDefinition, definition_id)

    def meta(self, definition_id: str) -> tuple[str, str, int, str] | None:
        """(id, key, version, content hash) of a version, without its BPMN text."""
        t = ProcessDefinition
        row = self.session.execute(
            select(t.id, t.key, t.version, t.content_hash).where(t.id == definition_id)
        ).first()
        return (row[0], row[1], row[2], row[3]) if row is not None else None

    def text(self, definition_id: str) -> str:
        """The BPMN text of a version."""
        query = select(ProcessDefinition.bpmn_text).where(ProcessDefinition.id == definition_id)
        return str(self.session.scalar(query))

    def form(self, definition_id: str, filename: str) -> str | None:
        """The JSON Schema text of one form of a version."""
        query = select(ProcessForm.schema_text).where(ProcessForm.definition_id == definition_id,
                                                      ProcessForm.filename == filename)
        return self.session.scalar(query)

    def latest(self, key: str) -> ProcessDefinition | None:
        query = select(ProcessDefinition).where(ProcessDefinition.key == key)
        return self.session.scalars(query.order_by(ProcessDefinition.version.desc()).limit(1)).first()

    def version(self, key: str, version: int) -> ProcessDefinition | None:
        query = select(ProcessDefinition).where(ProcessDefinition.key == key, ProcessDefinition.version == version)
        return self.session.scalars(query).first()

    def next_version(self, key: str) -> int:
        current = self.session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key))
        return (current or 0) + 1

    def list(self, key: str | None = None) -> Sequence[ProcessDefinition]:
        query = select(ProcessDefinition)
        if key is not None:
            query = query.where(ProcessDefinition.key == key)
        return self.session.scalars(query.order_by(ProcessDefinition.key, ProcessDefinition.version)).all()

    def add(self, definition: ProcessDefinition) -> None:
        self.session.add(definition)

    def add_form(self, definition_id: str, filename: str, schema_text: str) -> None:
        """Store one form (JSON Schema text) of a version; a version's forms never change."""
        self.session.add(ProcessForm(definition_id=definition_id, filename=filename, schema_text=schema_text))


class Instances:
    """Process instances and the timer sweep's claim."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def list(
        self, actor: Actor, *, definition_key: str | None = None, status: str | None = None,
        business_key: str | None = None, limit: int = 50, offset: int = 0,
    ) -> tuple[Sequence[ProcessInstance], int]:
        """Instances the actor may see, newest first, with the total."""
        query = select(ProcessInstance).where(
            instance_visible_to(actor, ProcessInstance.id, ProcessInstance.owner_org)  # type: ignore[arg-type]
        )
        if definition_key is not None:
            query = query.join(ProcessDefinition).where(ProcessDefinition.key == definition_key)
        if status is not None:
            query = query.where(ProcessInstance.status == status)
        if business_key is not None:
            query = query.where(ProcessInstance.business_key == business_key)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(ProcessInstance.created_at.desc(), ProcessInstance.id).limit(limit).offset(offset)
        ).all()
        return rows, total

    def counts_by_status(self) -> dict[str, int]:
        """How many instances are in each status."""
        rows = self.session.execute(select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status))
        return {status: count for status, count in rows}

    def earliest_due(self, until: datetime) -> datetime | None:
        """The earliest pending deadline not after ``until``."""
        return self.session.scalar(
            select(func.min(ProcessInstance.next_timer_at)).where(
                ProcessInstance.status == "waiting", ProcessInstance.next_timer_at <= until
            )
        )

    def next_deadline(self, after: datetime, until: datetime) -> datetime | None:
        """The earliest pending deadline later than ``after`` and not after ``until``."""
        return self.session.scalar(
            select(func.min(ProcessInstance.next_timer_at)).where(
                ProcessInstance.status == "waiting", ProcessInstance.next_timer_at > after,
                ProcessInstance.next_timer_at <= until,
            )
        )

    def oldest_due(self, now: datetime) -> datetime | None:
        return self.session.scalar(
            select(func.min(ProcessInstance.next_timer_at)).where(
                ProcessInstance.status == "waiting", ProcessInstance.next_timer_at <= now
            )
        )


class Incidents:
    """Failures waiting for an administrator."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, incident: Incident) -> None:
        self.session.add(incident)

    def get(self, incident_id: str) -> Incident | None:
        return self.session.get(Incident, incident_id)

    def open_for(self, instance_id: str) -> Sequence[Incident]:
        """Open incidents of an instance."""
        query = select(Incident).where(Incident.instance_id == instance_id, Incident.status == "open")
        return self.session.scalars(query.order_by(Incident.created_at)).all()

    def for_instance(self, instance_id: str) -> Sequence[Incident]:
        query = select(Incident).where(Incident.instance_id == instance_id)
        return self.session.scalars(query.order_by(Incident.created_at)).all()

    def list(self, status: str | None = None, limit: int = 50, offset: int = 0) -> Sequence[Incident]:
        query = select(Incident)
        if status is not None:
            query = query.where(Incident.status == status)
        return self.session.scalars(query.order_by(Incident.created_at.desc()).limit(limit).offset(offset)).all()


class Subscriptions:
    """Message subscriptions of waiting instances."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def matching(self, message_name: str, correlation_key: str) -> list[str]:
        query = select(MessageSubscription.instance_id).where(
            MessageSubscription.message_name == message_name, MessageSubscription.correlation_key == correlation_key
        )
        return sorted(set(self.session.scalars(query).all()))


class Audit:
    """The append-only audit log, hash-chained per aggregate."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # Heads appended in this unit of work and not yet flushed (the session does not autoflush).
        self._pending: dict[tuple[str, str], tuple[int, str]] = {}

    def append(
        self, *, aggregate_type: str, aggregate_id: str, at: datetime, actor: str, actor_org: str | None,
        action: str, object_type: str, object_id: str, before: Any = None, after: Any = None,
        reason: str | None = None,
    ) -> AuditEntry:
        """Append an entry to the aggregate's chain (writers of one chain queue for it on PostgreSQL)."""
        key = (aggregate_type, aggregate_id)
        if key not in self._pending:
            self._lock_chain(aggregate_type, aggregate_id)
        last = self._pending.get(key) or self.session.execute(
            select(AuditEntry.seq, AuditEntry.hash)
            .where(AuditEntry.aggregate_type == aggregate_type, AuditEntry.aggregate_id == aggregate_id)
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        fields: dict[str, Any] = {
            "aggregate_type": aggregate_type, "aggregate_id": aggregate_id, "seq": seq, "at": at, "actor": actor,
            "actor_org": actor_org, "action": action, "object_type": object_type, "object_id": object_id,
            "before": to_json(before), "after": to_json(after), "reason": reason,
        }
        entry = AuditEntry(**fields, prev_hash=prev, hash=entry_hash(prev, {k: fields[k] for k in HASHED_FIELDS}))
        self.session.add(entry)
        self._pending[(aggregate_type, aggregate_id)] = (seq, entry.hash)
        return entry

    def _lock_chain(self, aggregate_type: str, aggregate_id: str) -> None:
        # Two transactions appending to one chain would both read the same head and collide on (aggregate, seq).
        # A transaction-scoped advisory lock per chain makes the second wait and then read the first one's entry.
        # SQLite needs none: its writers are serialized by BEGIN IMMEDIATE.
        if self.session.get_bind().dialect.name != "postgresql":
            return
        digest = hashlib.sha256(f"{aggregate_type}\x00{aggregate_id}".encode()).digest()
        self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                             {"key": int.from_bytes(digest[:8], "big", signed=True)})

    def for_aggregate(self, aggregate_type: str, aggregate_id: str) -> Sequence[AuditEntry]:
        query = select(AuditEntry).where(
            AuditEntry.aggregate_type == aggregate_type, AuditEntry.aggregate_id == aggregate_id
        )
        return self.session.scalars(query.order_by(AuditEntry.seq)).all()


class Clock:
    """The stored simulated clock."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self) -> ClockSetting | None:
        return self.session.get(ClockSetting, 1)

    def set(self, simulated_at: datetime, set_at: datetime, frozen: bool) -> ClockSetting:
        row = self.get()
        if row is None:
            row = ClockSetting(id=1, simulated_at=simulated_at, set_at=set_at, frozen=frozen)
            self.session.add(row)
        else:
            row.simulated_at, row.set_at, row.frozen = simulated_at, set_at, frozen
        return row

    def clear(self) -> None:
        row = self.get()
        if row is not None:
            self.session.delete(row)
