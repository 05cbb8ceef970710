"""Who may see and change an application, and the audit entry of a change made outside an engine step."""

from __future__ import annotations

from typing import Any

from domain.actors import Actor
from domain.errors import Conflict, NotFound
from domain.permissions import can, require
from storage.admission_models import Application
from storage.admission_repository import Applications, Rounds
from storage.uow import UnitOfWork

from .. import clock
from ..context import Services

EDITABLE = ("draft", "supplement_requested")


class _Seen:
    """What the permission checks read of an application: its hospital and its candidate's experts."""

    def __init__(self, row: Application, expert_ids: frozenset[str]) -> None:
        self.hospital_id, self.expert_ids = row.hospital_id, expert_ids


def _experts(uow: UnitOfWork, row: Application) -> frozenset[str]:
    if row.round_id is None or row.entry_code is None or row.fast_path:
        return frozenset()
    return frozenset(a.expert_id for a in uow.repository(Rounds).assignments(row.round_id, row.entry_code))


def visible(uow: UnitOfWork, actor: Actor, application_id: str, *, lock: bool = False) -> Application:
    """The application if the caller may see it; otherwise 404, exactly as if it did not exist (SV-3)."""
    row = uow.repository(Applications).get(application_id, lock=lock)
    if row is None or not can(actor, "admission.application.see", _Seen(row, _experts(uow, row))):
        raise NotFound(f"no application {application_id}", code="application_not_found")
    return row


def editable(actor: Actor, row: Application) -> None:
    require(actor, "admission.application.edit", row)
    if row.status not in EDITABLE:
        raise Conflict(f"the application is {row.status}; it changes only as a draft or when returned for "
                       "supplement", code="application_not_editable", field="status")


def audit(uow: UnitOfWork, services: Services, row: Application, actor: Actor, action: str,
          after: dict[str, Any]) -> None:
    """Record a change of the application outside an engine step in its instance's audit chain (SV-2)."""
    record = uow.store.load(row.instance_id, lock=True)
    assert record is not None  # the foreign key guarantees it
    uow.store.audit(record, at=clock.now(services, uow), actor=actor.user_id, actor_org=actor.org_id,
                    action=action, after=after)
    uow.store.save_audit_head(record)
