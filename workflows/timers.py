"""Use cases of the timer worker: fire due timers, one instance per transaction, never twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from domain.actors import SYSTEM
from domain.dates import china_date
from domain.errors import Conflict

from . import audit, clock, housekeeping, login_throttle, task_drafts  # noqa: F401 - task_drafts: its job
from .context import Services
from .errorlog import error_fields
from .persistence import restore, save

log = logging.getLogger("yibao.worker")
_TICK = timedelta(microseconds=1)
SEAL_INTERVAL_SECONDS = 300
HELD_PATIENCE_SECONDS = 30.0
_STALLED_PAUSE_SECONDS = 0.05


def fire_one(services: Services, now: datetime | None = None, exclude: tuple[str, ...] = ()) -> str | None:
    """Fire the due timers of one instance, locked so no other worker takes it; return its id or None."""
    with services.uow() as uow:
        at = now or clock.now(services, uow)
        record = uow.store.claim_due(at, exclude)
        if record is None:
            return None
        loaded = restore(services, uow, record)
        loaded.run.advance(at)
        save(services, uow, loaded, at, SYSTEM, "timer.fired")
        uow.commit()
        return record.id


def sweep(services: Services, now: datetime | None = None, limit: int | None = None) -> list[str]:
    """Fire every timer due at ``now`` (default: the clock); each instance at most once per sweep."""
    fired: list[str] = []
    while limit is None or len(fired) < limit:
        instance_id = fire_one(services, now, tuple(fired))
        if instance_id is None:
            break
        fired.append(instance_id)
    return fired


def run_until(services: Services, until: datetime, patience: float = HELD_PATIENCE_SECONDS) -> list[str]:
    """Advance the simulated clock to ``until``, firing every due timer in order of its due time; return the
    instances this worker fired.

    A timer fires once the clock is past its deadline (SpiffWorkflow compares strictly), so each step moves the
    clock one microsecond past the earliest deadline still pending. Other workers may fire timers meanwhile (on
    PostgreSQL they share the sweep): a timer someone else fired is done, not an error. A deadline still pending
    after ``patience`` seconds without progress — another worker holds its instance, or it does not fire —
    raises Conflict (``timer_not_fired``).
    """
    fired: list[str] = []
    stalled_since: float | None = None
    with services.uow(read_only=True) as uow:
        last_day = china_date(clock.now(services, uow))
    while True:
        with services.uow(read_only=True) as uow:
            current = clock.now(services, uow)
            due = uow.instances.earliest_due(until - _TICK)
        if due is None:
            break
        step = max(due + _TICK, current)
        clock.set_clock(services, SYSTEM, step)
        if china_date(step) != last_day:  # a simulated midnight passed: the day's housekeeping first
            last_day = china_date(step)
            housekeeping.run_jobs(services)
        fired += sweep(services, step)
        if _earliest_due(services, until) != due:  # that deadline is done, whoever fired it
            stalled_since = None
            continue
        stalled_since = stalled_since or time.monotonic()
        if time.monotonic() - stalled_since > patience:
            raise Conflict(f"a timer due at {due.isoformat()} is still pending after {patience:g} s: another "
                           "worker holds its instance, or it does not fire (see the instance's incidents)",
                           code="timer_not_fired")
        time.sleep(_STALLED_PAUSE_SECONDS)  # another worker is firing it (its row is locked): let it finish
    clock.set_clock(services, SYSTEM, until)
    if china_date(until) != last_day:
        housekeeping.run_jobs(services)
        fired += sweep(services, until)  # what the jobs' steps left due
    return fired


def _earliest_due(services: Services, until: datetime) -> datetime | None:
    with services.uow(read_only=True) as uow:
        return uow.instances.earliest_due(until - _TICK)


def run_forever(
    services: Services, interval: float, stop: Callable[[], bool] = lambda: False,
) -> None:
    """Sweep, sleep ``interval`` seconds, repeat until ``stop()`` is true; now and then seal the audit chains,
    forget old failed logins and run the slices' housekeeping jobs (``workflows.housekeeping``)."""
    next_seal = time.monotonic()
    while not stop():
        try:
            if time.monotonic() >= next_seal:
                audit.seal(services)  # a signed checkpoint over every chain head (docs/audit.md)
                login_throttle.forget(services)
                housekeeping.run_jobs(services)  # the slices' jobs (ending registrations of ended drugs, ND-12)
                next_seal = time.monotonic() + SEAL_INTERVAL_SECONDS
            fired = sweep(services, limit=services.settings.worker_batch)
            if fired:
                log.info("fired timers", extra={"instances": len(fired)})
                continue
        except Exception as exc:  # the worker must survive one bad instance; logged by class and frames
            log.error("timer sweep failed", extra=error_fields(exc))
        time.sleep(interval)

