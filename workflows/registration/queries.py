"""Reads of registrations, scoped to the hospital (ND-3): get, list, revisions. Another hospital gets 404."""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import InvalidInput, NotFound
from domain.permissions import can
from storage.registration import RegistrationFilter, Registrations
from storage.registration_models import Registration
from storage.uow import UnitOfWork

from ..context import Services
from .views import RegistrationPage, RegistrationView, RevisionView, registration_view, revision_view

__all__ = ["RegistrationFilter", "get_registration", "list_registrations", "registration_revisions",
           "visible_row"]

MAX_PAGE = 200
STATUSES = ("pending", "active", "suspended", "expired", "ended")


def visible_row(uow: UnitOfWork, actor: Actor, registration_id: str, *, lock: bool = False) -> Registration:
    """The registration if ``actor`` may see it; 404 otherwise, exactly as for one that does not exist.

    ``lock`` locks its instance, then the row, read afresh: every engine step of a registration (the queue, the
    timer worker) locks the instance first and then writes the row (projector.py), so a use case that steps the
    instance after locking the row the other way round could deadlock with it."""
    repo = uow.repository(Registrations)
    row = repo.get(registration_id)
    if row is None or not can(actor, "registration.read", row):
        raise NotFound(f"no registration {registration_id}", code="registration_not_found")
    if lock:
        if row.instance_id is not None:
            uow.store.lock([row.instance_id])
        row = repo.get(registration_id, lock=True)
        if row is None:
            raise NotFound(f"no registration {registration_id}", code="registration_not_found")
    return row


def get_registration(services: Services, actor: Actor, registration_id: str) -> RegistrationView:
    """One registration the caller may see."""
    with services.uow(read_only=True) as uow:
        return registration_view(visible_row(uow, actor, registration_id))


def list_registrations(services: Services, actor: Actor, f: RegistrationFilter, limit: int = 50,
                       offset: int = 0) -> RegistrationPage:
    """The registrations the caller may see, filtered by status, drug, physician, patient or due date."""
    if f.status is not None and f.status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
    limit = max(1, min(limit, MAX_PAGE))
    with services.uow(read_only=True) as uow:
        rows, total = uow.repository(Registrations).list(actor, f, limit, max(0, offset))
        return RegistrationPage([registration_view(r) for r in rows], total, limit, offset)


def registration_revisions(services: Services, actor: Actor, registration_id: str) -> list[RevisionView]:
    """Every change of a registration, oldest first, with the values each replaced (ND-8, ND-14)."""
    with services.uow(read_only=True) as uow:
        row = visible_row(uow, actor, registration_id)
        return [revision_view(r) for r in uow.repository(Registrations).revisions(row.id)]
