"""Several `worker --until` at once: a timer another worker fired is done, not an error; each fires once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.actors import SYSTEM
from domain.errors import Conflict
from workflows import clock, definitions, timers
from workflows.context import Services

from ..bpmn import diagrams
from ..concurrency import at_once
from .test_timers import fired_counts, start_timed

T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
UNTIL = T0 + timedelta(days=30)
YIBAO = str(Path(sys.executable).with_name("yibao"))




@pytest.fixture
def timed(services: Services) -> Services:
    definitions.deploy(services, SYSTEM, diagrams.timer("due_at"), "timer.bpmn")
    clock.set_clock(services, SYSTEM, T0)
    return services


def test_three_workers_until_one_instant_all_succeed_and_fire_each_timer_once(
    timed: Services, database_url: str
) -> None:
    ids = [start_timed(timed, T0 + timedelta(hours=h % 7, minutes=h), f"k{h}") for h in range(40)]
    outcomes = at_once(3, database_url, lambda services: timers.run_until(services, UNTIL), timeout=120)
    assert all(isinstance(o, list) for o in outcomes), outcomes  # nobody fails because another fired first
    assert sorted(i for o in outcomes for i in o) == sorted(ids)
    assert fired_counts(timed) == dict.fromkeys(ids, 1)
    assert clock.read_clock(timed).now == UNTIL


@pytest.mark.postgres
def test_a_timer_held_by_another_worker_too_long_is_reported(postgres_services: Services) -> None:
    definitions.deploy(postgres_services, SYSTEM, diagrams.timer("due_at"), "timer.bpmn")
    clock.set_clock(postgres_services, SYSTEM, T0)
    held = start_timed(postgres_services, T0 + timedelta(hours=1), "held")
    other = start_timed(postgres_services, T0 + timedelta(hours=2), "other")
    stuck = postgres_services.uow().__enter__()
    assert stuck.store.claim_due(T0 + timedelta(days=1)).id == held  # type: ignore[union-attr]
    with pytest.raises(Conflict) as err:
        timers.run_until(postgres_services, UNTIL, patience=0.3)
    assert err.value.code == "timer_not_fired" and "still pending" in err.value.detail
    stuck.__exit__(None, None, None)  # the other worker goes away: its lock is released
    assert timers.run_until(postgres_services, UNTIL) == [held, other]


@pytest.mark.postgres
def test_concurrent_worker_commands_on_postgres_all_exit_0(postgres_services: Services, postgres_url: str) -> None:
    definitions.deploy(postgres_services, SYSTEM, diagrams.timer("due_at"), "timer.bpmn")
    clock.set_clock(postgres_services, SYSTEM, T0)
    ids = [start_timed(postgres_services, T0 + timedelta(hours=h), f"c{h}") for h in range(24)]
    env = {**os.environ, "YIBAO_DATABASE_URL": postgres_url, "YIBAO_ALLOW_CLOCK_CONTROL": "true"}
    workers = [subprocess.Popen([YIBAO, "worker", "--until", UNTIL.isoformat()], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], results
    assert fired_counts(postgres_services) == dict.fromkeys(ids, 1)
