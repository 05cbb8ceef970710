"""Races settled by PostgreSQL with real concurrent connections: the sweep, a crashed worker, a lost update."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.actors import SYSTEM, Actor
from domain.errors import Conflict
from workflows import clock, definitions, instances, tasks, timers
from workflows.context import Services

from ..bpmn import diagrams
from ..concurrency import at_once, contend
from ..conftest import diagram_form_texts, diagram_text
from ..factories import build_world
from .test_timers import fired_counts, start_timed

pytestmark = pytest.mark.postgres
T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


@pytest.fixture
def timed(postgres_services: Services) -> Services:
    definitions.deploy(postgres_services, SYSTEM, diagrams.timer("due_at"), "timer.bpmn")
    clock.set_clock(postgres_services, SYSTEM, T0)
    return postgres_services




def test_two_workers_over_200_due_timers_fire_each_exactly_once(timed: Services, postgres_url: str) -> None:
    ids = [start_timed(timed, T0 + timedelta(minutes=1), f"k{i}") for i in range(200)]
    clock.set_clock(timed, SYSTEM, T0 + timedelta(hours=1))
    results = at_once(2, postgres_url, timers.sweep)
    assert all(isinstance(r, list) for r in results), results
    fired = results[0] + results[1]
    assert sorted(fired) == sorted(ids)  # every timer fired, none twice across workers
    assert fired_counts(timed) == dict.fromkeys(ids, 1)
    assert {instances.get_instance(timed, SYSTEM, i).status for i in ids[:5]} == {"completed"}


def test_a_crashed_workers_claim_is_picked_up_by_another(timed: Services) -> None:
    first = start_timed(timed, T0 + timedelta(minutes=1), "first")
    second = start_timed(timed, T0 + timedelta(minutes=2), "second")
    now = T0 + timedelta(hours=1)
    crashed = timed.uow().__enter__()
    claimed = crashed.store.claim_due(now)  # holds the row lock, then dies without committing
    assert claimed is not None and claimed.id == first
    assert timers.sweep(timed, now) == [second]  # the locked row is skipped, not waited for
    crashed.__exit__(None, None, None)  # the connection goes away: its transaction is rolled back, the lock released
    assert timers.sweep(timed, now) == [first]
    assert fired_counts(timed) == {first: 1, second: 1}


def test_two_completions_of_one_task_one_wins_the_other_gets_a_conflict(
    postgres_services: Services, postgres_url: str
) -> None:
    world = build_world(postgres_services)
    hospital = Actor(world.users["h1_officer"], world.orgs["h1"], frozenset({"hospital_officer"}))
    definitions.deploy(postgres_services, SYSTEM, diagram_text(), "foundation.bpmn", diagram_form_texts())
    started = instances.start_instance(postgres_services, hospital, "foundation_demo", {})
    task_id = started.tasks[0].id
    data = {"code": "C09100100000000211790000049", "amount": 1}
    outcomes = at_once(2, postgres_url, lambda services: tasks.complete(services, hospital, task_id, data))
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "InstanceView"]
    after = instances.get_instance(postgres_services, SYSTEM, started.id)
    assert after.completed_element_ids.count("submit") == 1
    assert after.active_element_ids == ["wait_ack"]
    (row,) = tasks.list_tasks(postgres_services, SYSTEM, tasks.TaskFilter(instance_id=started.id)).items
    assert (row.status, row.completed_by) == ("completed", hospital.user_id)


def test_concurrent_appends_to_one_audit_chain_queue_instead_of_failing(postgres_services: Services,
                                                                        postgres_url: str) -> None:
    """SV-2: two logins of one user at the same instant both land in the user's chain, in order."""
    from workflows import audit, identity

    from ..factories import PASSWORD

    world = build_world(postgres_services)
    outcomes = at_once(4, postgres_url, lambda services: identity.login(services, "h1_officer", PASSWORD))
    assert all(type(o).__name__ == "TokenView" for o in outcomes), outcomes
    entries = audit.read_audit(postgres_services, SYSTEM, aggregate_type="user",
                               aggregate_id=world.users["h1_officer"], limit=50)
    assert [e.action for e in entries.items].count("session.login") == 4
    assert audit.verify(postgres_services).problems == []


def test_a_deadlock_between_two_transactions_is_a_conflict_for_one_and_the_other_commits(
    timed: Services, postgres_url: str
) -> None:
    """PostgreSQL breaks a deadlock by aborting one transaction: that one answers a Conflict (409, retry), not an
    internal error; the other goes on and commits."""
    first = start_timed(timed, T0 + timedelta(minutes=1), "first")
    second = start_timed(timed, T0 + timedelta(minutes=2), "second")
    both_hold_one = threading.Barrier(2)

    def lock_in_order(order: tuple[str, str]) -> Callable[[Services], str]:
        def run(services: Services) -> str:
            with services.uow() as uow:
                uow.store.lock([order[0]])
                both_hold_one.wait(10)
                uow.store.lock([order[1]])
                uow.commit()
            return "committed"
        return run

    outcomes = contend(postgres_url, [lock_in_order((first, second)), lock_in_order((second, first))])
    assert sorted(map(type, outcomes), key=str) == sorted([str, Conflict], key=str), outcomes
    (conflict,) = [o for o in outcomes if isinstance(o, Conflict)]
    assert conflict.code == "concurrent_update"
