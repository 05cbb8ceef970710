"""The foundation test diagram through every path, saved and restored around every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.errors import Conflict, NotFound
from workflows.engine import Engine, Run, ScriptLimits
from workflows.script_functions import SCRIPT_FUNCTIONS

from ..conftest import diagram_text
from . import diagrams

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
CODE = "C09100100000000211790000049"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(SCRIPT_FUNCTIONS, ScriptLimits())


def reload(engine: Engine, run: Run) -> Run:
    """Save the run, restore it, and check that nothing was lost on the way."""
    restored = engine.restore(run.diagram, run.dump())
    assert restored.every_task_data() == run.every_task_data()
    assert restored.snapshot() == run.snapshot()
    return restored


def start(engine: Engine, **data: Any) -> Run:
    run = engine.start(engine.diagram(diagram_text()), data, T0)
    return reload(engine, run)


def submit(engine: Engine, run: Run, amount: int) -> Run:
    (task,) = run.snapshot().user_tasks
    assert (task.bpmn_id, task.lane) == ("submit", "hospital_officer")
    run.complete(task.id, {"code": CODE, "amount": amount}, T0)
    return reload(engine, run)


def test_review_path_goes_to_the_bureau_lane_and_completes(engine: Engine) -> None:
    run = submit(engine, start(engine, applicant="H45012400011"), amount=5000)
    snap = run.snapshot()
    assert [(t.bpmn_id, t.lane) for t in snap.user_tasks] == [("review", "bureau_officer")]
    assert snap.next_timer_at is None and snap.subscriptions == ()
    run.complete(snap.user_tasks[0].id, {"decision": "include"}, T0)
    run = reload(engine, run)
    snap = run.snapshot()
    assert snap.status == "completed"
    assert snap.data["entry_key"] == CODE[:15]  # computed by domain.codes through the script
    assert snap.data["decision"] == "include"
    assert "wait_ack" not in snap.completed_element_ids


def test_fast_path_waits_for_the_message_then_the_timer(engine: Engine) -> None:
    run = submit(engine, start(engine), amount=10)
    snap = run.snapshot()
    assert snap.status == "waiting" and snap.user_tasks == ()
    assert [(s.message, s.correlation_key) for s in snap.subscriptions] == [("nhsa_ack", CODE[:15])]
    assert run.deliver("nhsa_ack", {"ack_no": "NHSA-1"}, T0) == 1
    run = reload(engine, run)
    snap = run.snapshot()
    assert snap.subscriptions == ()
    # notice_deadline(today, 10): midnight China time ten days after 2026-11-24
    assert snap.next_timer_at == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    run.advance(snap.next_timer_at - timedelta(seconds=1))
    assert reload(engine, run).snapshot().status == "waiting"
    run.advance(snap.next_timer_at + timedelta(seconds=1))
    run = reload(engine, run)
    assert run.snapshot().status == "completed"
    assert run.snapshot().data["nhsa_ack"] == {"ack_no": "NHSA-1"}


def test_timers_follow_the_engine_clock_not_the_machine(engine: Engine) -> None:
    run = engine.start(engine.diagram(diagrams.timer('"2030-01-01T00:00:00+08:00"')), {}, T0)
    assert run.snapshot().status == "waiting"
    run.advance(datetime(2029, 12, 31, 15, 59, tzinfo=UTC))
    assert run.snapshot().status == "waiting"
    run.advance(datetime(2029, 12, 31, 16, 1, tzinfo=UTC))
    assert run.snapshot().status == "completed"


def test_completing_a_task_twice_or_an_unknown_task_is_refused(engine: Engine) -> None:
    run = start(engine)
    (task,) = run.snapshot().user_tasks
    run.complete(task.id, {"code": CODE, "amount": 5000}, T0)
    with pytest.raises(Conflict):
        run.complete(task.id, {}, T0)
    with pytest.raises(NotFound):
        run.complete("00000000-0000-0000-0000-000000000000", {}, T0)
    with pytest.raises(NotFound):
        run.complete("not-a-uuid", {}, T0)


def test_a_message_the_instance_does_not_wait_for_is_refused(engine: Engine) -> None:
    run = start(engine)
    with pytest.raises(NotFound) as err:
        run.deliver("nhsa_ack", {}, T0)
    assert err.value.code == "no_subscription"


def test_a_failing_script_is_recorded_with_its_element_and_retried_after_a_fix() -> None:
    strict = Engine(SCRIPT_FUNCTIONS, ScriptLimits(max_iterations=50))
    text = diagrams.script_task("n = 0\nfor i in range(100):\n    n = n + i", "tally")
    run = strict.start(strict.diagram(text), {}, T0)
    snap = run.snapshot()
    assert snap.status == "errored"
    assert snap.failure is not None and snap.failure.element_id == "tally"
    assert snap.failure.code == "script_iterations"
    # The fix: an administrator raises the limit (a new engine, as after a restart with new settings).
    relaxed = Engine(SCRIPT_FUNCTIONS, ScriptLimits(max_iterations=1000))
    again = relaxed.restore(relaxed.diagram(text), run.dump())
    assert again.snapshot().status == "errored"
    again.retry(T0)
    assert again.snapshot().status == "completed"
    assert again.snapshot().data["n"] == sum(range(100))


def test_multi_instance_creates_one_user_task_per_reviewer(engine: Engine) -> None:
    run = engine.start(engine.diagram(diagrams.multi_instance("3")), {}, T0)
    tasks = run.snapshot().user_tasks
    assert len(tasks) == 3
    for t in tasks:
        run.complete(t.id, {"vote": "yes"}, T0)
        run = reload(engine, run)
    assert run.snapshot().status == "completed"
