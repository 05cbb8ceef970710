"""The service's clock: the machine's time, or in development and tests a simulated time kept in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.actors import Actor
from domain.errors import Forbidden, InvalidInput
from domain.permissions import require
from storage.uow import UnitOfWork

from .context import Services


def system_now() -> datetime:
    """The machine's time, UTC."""
    return datetime.now(UTC)


def now(services: Services, uow: UnitOfWork) -> datetime:
    """The current instant for this transaction: simulated when clock control is on and a time was set."""
    return now_running(services, uow)[0]


def now_running(services: Services, uow: UnitOfWork) -> tuple[datetime, bool]:
    """The current instant, and whether the clock runs by itself (the machine's, or a simulated one not frozen)."""
    if not services.settings.allow_clock_control:
        return system_now(), True
    row = uow.clock.get()
    if row is None:
        return system_now(), True
    return simulated(row.simulated_at, row.set_at, row.frozen), not row.frozen


def now_from(services: Services, simulated_at: datetime | None, set_at: datetime | None,
             frozen: bool | None) -> datetime:
    """The current instant from a clock setting the caller read itself (with other facts, in one statement);
    ``None`` values mean no simulated time is set."""
    if not services.settings.allow_clock_control or simulated_at is None or set_at is None:
        return system_now()
    return simulated(simulated_at, set_at, bool(frozen))


def simulated(simulated_at: datetime, set_at: datetime, frozen: bool) -> datetime:
    """The simulated instant: frozen at ``simulated_at``, or running since ``set_at``."""
    return simulated_at if frozen else simulated_at + (system_now() - set_at)


@dataclass(frozen=True)
class ClockView:
    """What the clock says and whether it is simulated."""

    now: datetime
    simulated: bool
    frozen: bool
    controllable: bool


def read_clock(services: Services) -> ClockView:
    """Show the current time of the service."""
    with services.uow() as uow:
        row = uow.clock.get() if services.settings.allow_clock_control else None
        return ClockView(now(services, uow), row is not None, bool(row and row.frozen),
                         services.settings.allow_clock_control)


def set_clock(services: Services, actor: Actor, at: datetime | None, frozen: bool = True) -> ClockView:
    """Set the simulated time (or return to the machine's time with ``at=None``); refused unless allowed."""
    require(actor, "clock.set")
    if not services.settings.allow_clock_control:
        raise Forbidden("the clock can be set only when YIBAO_ALLOW_CLOCK_CONTROL is on", code="clock_locked")
    if at is not None and at.tzinfo is None:
        raise InvalidInput("the time must carry a timezone offset", code="naive_datetime", field="now")
    with services.uow() as uow:
        before = now(services, uow)
        if at is None:
            uow.clock.clear()
        else:
            uow.clock.set(at.astimezone(UTC), system_now(), frozen)
        uow.audit.append(
            aggregate_type="clock", aggregate_id="clock", at=system_now(), actor=actor.user_id,
            actor_org=actor.org_id, action="clock.set", object_type="clock", object_id="clock",
            before={"now": before.isoformat()}, after={"now": at.isoformat() if at else None, "frozen": frozen},
        )
        uow.commit()
    return read_clock(services)
