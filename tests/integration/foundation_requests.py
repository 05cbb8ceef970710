"""A process read model owned by the tests: the foundation diagram's requests, written by a projector.

Its table lives in its own MetaData, created and dropped by the test fixture, so the production schema (and the
migrations test that compares it with the models) is untouched. It is what a mission slice's projector and
repository look like: a Core repository taken from the unit of work, a projector keyed by the process.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.orm import Session

from storage.uow import UnitOfWork
from workflows.projections import Step

PROCESS_KEY = "foundation_demo"
METADATA = MetaData()
REQUESTS = Table(
    "foundation_requests", METADATA,
    Column("instance_id", String(36), primary_key=True),
    Column("business_key", String(200)),
    Column("owner_org", String(36)),
    Column("definition_version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("code", String(27)),
    Column("entry_key", String(15)),
    Column("amount", Integer),
    Column("steps", Integer, nullable=False),
    Column("last_action", String(200), nullable=False),
    Column("last_actor", String(36), nullable=False),
)


class FoundationRequests:
    """The requests read model, in SQLAlchemy Core on the unit of work's connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, instance_id: str, **values: Any) -> None:
        """Insert the instance's row or update it, counting the steps that wrote it."""
        conn = self._session.connection()
        changed = conn.execute(update(REQUESTS).where(REQUESTS.c.instance_id == instance_id)
                               .values(**values, steps=REQUESTS.c.steps + 1))
        if changed.rowcount == 0:
            conn.execute(insert(REQUESTS).values(instance_id=instance_id, steps=1, **values))

    def get(self, instance_id: str) -> Any:
        """The row of one instance, or None."""
        return self._session.connection().execute(
            select(REQUESTS).where(REQUESTS.c.instance_id == instance_id)).first()


def project_request(uow: UnitOfWork, step: Step) -> None:
    """Keep the instance's request row in step with the engine."""
    data = step.data
    uow.repository(FoundationRequests).record(
        step.instance.id, business_key=step.instance.business_key, owner_org=step.instance.owner_org,
        definition_version=step.definition.version, status=step.instance.status, code=data.get("code"),
        entry_key=data.get("entry_key"), amount=data.get("amount"), last_action=step.action,
        last_actor=step.actor.user_id,
    )
