"""End a registration before its term (ND-12, ND-14): record why, then let its instance catch the end."""

from __future__ import annotations

from datetime import date, datetime

from domain.actors import Actor
from domain.dates import china_date
from storage.registration import Registrations
from storage.registration_models import Registration
from storage.uow import UnitOfWork

from ..context import Services
from . import engine_ops
from .facts import refresh

ENDED_MESSAGE = "registration_ended"


def end_registration(services: Services, uow: UnitOfWork, actor: Actor, row: Registration, reason: str,
                     note: str, now: datetime, on: date | None = None) -> None:
    """End ``row`` (ND-12, ND-14): record why, then let its instance catch the end (its tasks are cancelled)."""
    row.ended_on, row.end_reason, row.end_note = on or china_date(now), reason, note[:500]
    uow.repository(Registrations).add_revision(row.id, "ended", now, actor.user_id,
                                               {"ended_on": row.ended_on.isoformat(), "end_reason": reason},
                                               reason=note[:500])
    if not engine_ops.deliver(services, uow, actor, row.instance_id, ENDED_MESSAGE, {"reason": reason}, now,
                              reason=note[:500]):
        refresh(uow, row, china_date(now))  # its instance no longer waits: the row alone says it ended
    uow.flush()
