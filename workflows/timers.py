"""Use cases of the timer worker: fire due timers, a few instances per transaction, never twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
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
_WAKE_MARGIN_SECONDS = 0.002  # a timer fires once the clock is past its deadline (strictly)
FIRE_BATCH = 10  # instances fired per transaction (bench/README.md, timers: the speed round)


class _InstanceFailed(Exception):
    """Firing one instance of a batch raised; the batch's transaction is rolled back."""

    def __init__(self, instance_id: str, error: Exception) -> None:
        super().__init__(instance_id)
        self.instance_id, self.error = instance_id, error


def fire_batch(
    services: Services, now: datetime | None = None, exclude: Sequence[str] = (), size: int = FIRE_BATCH,
    waiting: Mapping[str, datetime] | None = None,
) -> list[tuple[str, datetime | None]]:
    """Fire the due timers of up to ``size`` instances in one transaction, claimed together in due order and locked
    so no other worker takes them; return (id, next deadline while it waits) of each, [] when none is due.

    Neither the ``exclude`` ids nor those of ``waiting`` (id: deadline) whose deadline has passed are claimed.
    """
    with services.uow() as uow:
        at = now or clock.now(services, uow)
        again = [i for i, due in (waiting or {}).items() if due < at]
        records = uow.store.claim_due_many(at, [*exclude, *again] if again else exclude, size)
        for record in records:
            try:
                loaded = restore(services, uow, record)
                loaded.run.advance(at)
                save(services, uow, loaded, at, SYSTEM, "timer.fired")
                uow.flush()  # the projections' writes now, so that a failure is this instance's
            except Exception as exc:
                raise _InstanceFailed(record.id, exc) from exc
        if records:
            uow.commit()
        return [(r.id, r.next_timer_at if r.status == "waiting" else None) for r in records]


def fire_one(services: Services, now: datetime | None = None, exclude: Sequence[str] = ()) -> str | None:
    """Fire the due timers of one instance in its own transaction; return its id or None."""
    fired = fire_batch(services, now, exclude, 1)
    return fired[0][0] if fired else None


def sweep(services: Services, now: datetime | None = None, limit: int | None = None,
          batch: int = FIRE_BATCH) -> list[str]:
    """Fire every timer due at ``now`` (default: the clock); each instance at most once per sweep, ``batch``
    instances per transaction.

    An instance that raises while it fires rolls its batch back; it is left out for the rest of the sweep, the
    others fire again, and at the end the sweep raises the first such error (the worker logs it). Failed instances
    count towards ``limit``.
    """
    fired: list[str] = []
    waiting: dict[str, datetime] = {}  # fired instances still waiting on a timer: due again, they must not refire
    failed: list[str] = []
    error: Exception | None = None
    while limit is None or len(fired) + len(failed) < limit:  # failures count: a sweep of ``limit`` stays bounded
        size = batch if limit is None else min(batch, limit - len(fired) - len(failed))
        try:
            # Only a fired instance due again could be claimed again: the exclusion stays short however many one
            # sweep fires (it used to be every fired id, sent with every claim).
            batch_fired = fire_batch(services, now, failed, size, waiting)
        except _InstanceFailed as failure:
            failed.append(failure.instance_id)
            error = error or failure.error
            continue
        if not batch_fired:
            break
        for instance_id, next_due in batch_fired:
            fired.append(instance_id)
            if next_due is not None:
                waiting[instance_id] = next_due
    if error is not None:
        raise error
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
    """Sweep, sleep up to ``interval`` seconds (less when a deadline comes sooner), repeat until ``stop()`` is true;
    now and then seal the audit chains, forget old failed logins and run the slices' housekeeping jobs
    (``workflows.housekeeping``)."""
    next_seal = time.monotonic()
    while not stop():
        pause = interval
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
            pause = idle_pause(services, interval)
        except Exception as exc:  # the worker must survive one bad instance; logged by class and frames
            log.error("timer sweep failed", extra=error_fields(exc))
        time.sleep(pause)


def idle_pause(services: Services, interval: float) -> float:
    """How long an idle worker sleeps: ``interval``, or until the next deadline when it comes sooner on a clock that
    runs by itself (a frozen simulated clock moves only when set)."""
    with services.uow(read_only=True) as uow:
        at, running = clock.now_running(services, uow)
        # Deadlines already passed are not waited for: held by another worker, or failing, they would spin the loop.
        due = uow.instances.next_deadline(at, at + timedelta(seconds=interval)) if running else None
    if due is None:
        return interval
    return min(interval, (due - at).total_seconds() + _WAKE_MARGIN_SECONDS)
