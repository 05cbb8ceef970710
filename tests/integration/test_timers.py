"""The timer sweep on both backends: fires what is due, once, in order; the simulated clock is shared."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from domain.actors import SYSTEM
from domain.errors import Forbidden
from storage.models import AuditEntry, ProcessInstance
from workflows import clock, definitions, instances, timers
from workflows.context import Services

from ..bpmn import diagrams

T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def start_timed(services: Services, due: datetime, key: str) -> str:
    return instances.start_instance(services, SYSTEM, "tiny", {"due_at": due.isoformat()}, business_key=key).id


def fired_counts(services: Services) -> dict[str, int]:
    with services.uow() as uow:
        rows = uow.session.execute(
            select(AuditEntry.aggregate_id, func.count()).where(AuditEntry.action == "timer.fired")
            .group_by(AuditEntry.aggregate_id)
        ).all()
    return {r[0]: r[1] for r in rows}


@pytest.fixture
def timed(services: Services) -> Services:
    definitions.deploy(services, SYSTEM, diagrams.timer("due_at"), "timer.bpmn")
    clock.set_clock(services, SYSTEM, T0)
    return services


def test_sweep_fires_only_due_timers_each_once(timed: Services) -> None:
    due = [start_timed(timed, T0 + timedelta(hours=h), f"k{h}") for h in (1, 2, 30)]
    assert timers.sweep(timed) == []
    clock.set_clock(timed, SYSTEM, T0 + timedelta(hours=3))
    assert sorted(timers.sweep(timed)) == sorted(due[:2])
    assert timers.sweep(timed) == []
    assert fired_counts(timed) == {due[0]: 1, due[1]: 1}
    assert instances.get_instance(timed, SYSTEM, due[0]).status == "completed"
    assert instances.get_instance(timed, SYSTEM, due[2]).next_timer_at == T0 + timedelta(hours=30)


def test_run_until_fires_every_due_timer_in_order_and_leaves_the_clock_there(timed: Services) -> None:
    ids = {start_timed(timed, T0 + timedelta(days=d), f"d{d}"): d for d in (9, 3, 6, 400)}
    fired = timers.run_until(timed, T0 + timedelta(days=10))
    assert [ids[i] for i in fired] == [3, 6, 9]
    assert clock.read_clock(timed).now == T0 + timedelta(days=10)
    with timed.uow() as uow:
        completed_at = {i: uow.store.load(i).updated_at for i in fired}  # type: ignore[union-attr]
    assert all(completed_at[i] > T0 + timedelta(days=ids[i]) for i in fired)


def test_the_simulated_clock_lives_in_the_database(timed: Services, more_services: Callable[..., Services]) -> None:
    other = more_services()  # a second process, as far as the clock knows
    clock.set_clock(timed, SYSTEM, T0 + timedelta(days=42))
    assert clock.read_clock(other).now == T0 + timedelta(days=42)


def test_the_clock_cannot_be_set_without_clock_control(
    services: Services, more_services: Callable[..., Services]
) -> None:
    with pytest.raises(Forbidden):
        clock.set_clock(more_services(allow_clock_control=False), SYSTEM, T0)


@pytest.mark.parametrize("batch", [1, 2, 10])
def test_sweep_fires_in_due_order_whatever_the_batch(timed: Services, batch: int) -> None:
    ids = {start_timed(timed, T0 + timedelta(minutes=m), f"m{m}"): m for m in (7, 3, 5, 1, 6, 2, 4)}
    clock.set_clock(timed, SYSTEM, T0 + timedelta(hours=1))
    fired = timers.sweep(timed, batch=batch)
    assert [ids[i] for i in fired] == [1, 2, 3, 4, 5, 6, 7]
    assert fired_counts(timed) == dict.fromkeys(ids, 1)


def test_a_bad_instance_fails_alone_its_batch_fires_and_the_sweep_reports_its_error(timed: Services) -> None:
    ids = [start_timed(timed, T0 + timedelta(minutes=m), f"m{m}") for m in (1, 2, 3)]
    with timed.uow() as uow:  # its state no longer restores: firing it raises outside the engine
        uow.connection.execute(update(ProcessInstance.__table__).where(ProcessInstance.id == ids[1])
                               .values(state=b"not a state"))
        uow.commit()
    clock.set_clock(timed, SYSTEM, T0 + timedelta(hours=1))
    with pytest.raises(Exception):  # noqa: B017 - whatever restoring garbage raises
        timers.sweep(timed, batch=10)
    assert fired_counts(timed) == {ids[0]: 1, ids[2]: 1}  # the others' work is kept
    with timed.uow() as uow:
        bad = uow.store.load(ids[1])
    assert bad is not None and (bad.status, bad.next_timer_at) == ("waiting", T0 + timedelta(minutes=2))


def test_a_batch_does_not_claim_an_instance_it_fired_that_is_due_again(timed: Services) -> None:
    first = start_timed(timed, T0 + timedelta(minutes=1), "first")
    second = start_timed(timed, T0 + timedelta(minutes=2), "second")
    now = T0 + timedelta(hours=1)
    fired = timers.fire_batch(timed, now, waiting={first: T0 + timedelta(minutes=1), second: now})
    assert fired == [(second, None)]  # first is due again (per ``waiting``); second's next deadline is not passed


def test_an_idle_worker_wakes_at_the_next_deadline_on_a_running_clock(timed: Services) -> None:
    start_timed(timed, T0 + timedelta(seconds=30), "soon")
    assert timers.idle_pause(timed, 60) == 60  # frozen: the simulated clock moves only when set
    clock.set_clock(timed, SYSTEM, T0, frozen=False)
    assert 29 < timers.idle_pause(timed, 60) <= 30.01
    assert timers.idle_pause(timed, 5) == 5  # the deadline is further than the interval


def test_an_idle_worker_does_not_spin_on_a_deadline_it_cannot_fire(timed: Services) -> None:
    start_timed(timed, T0 + timedelta(seconds=1), "held")
    clock.set_clock(timed, SYSTEM, T0 + timedelta(seconds=2), frozen=False)  # due, left: another worker holds it
    assert timers.idle_pause(timed, 1) == 1


def test_failing_instances_count_towards_the_sweeps_limit(timed: Services) -> None:
    ids = [start_timed(timed, T0 + timedelta(minutes=m), f"m{m}") for m in (1, 2, 3, 4)]
    with timed.uow() as uow:
        uow.connection.execute(update(ProcessInstance.__table__).where(ProcessInstance.id.in_(ids[:3]))
                               .values(state=b"not a state"))
        uow.commit()
    clock.set_clock(timed, SYSTEM, T0 + timedelta(hours=1))
    with pytest.raises(Exception):  # noqa: B017 - whatever restoring garbage raises
        timers.sweep(timed, limit=2)
    assert fired_counts(timed) == {}  # two failures used up the sweep: the worker gets back to its loop
