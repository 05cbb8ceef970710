"""The registration diagram (bpmn/registration/registration.bpmn) through its paths on engine time, saved and
restored around every step (ND-7, ND-8, ND-12, ND-14)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest

import workflows.registration  # noqa: F401 - registers registration_timers with the script functions
from domain.dates import china_midnight
from domain.registration.dates import validity_end
from workflows.engine import Engine, Run, ScriptLimits, Snapshot
from workflows.script_functions import SCRIPT_FUNCTIONS

from ..registration_world import DIAGRAM, form_record

START = date(2026, 8, 31)
STATE_LIMIT = 2000  # bytes of stored state of a waiting registration (DESIGN.md: ≤ 2 KB)


def at(day: date, second: int = 1) -> datetime:
    return china_midnight(day).replace(second=second)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(SCRIPT_FUNCTIONS, ScriptLimits())


def reload(engine: Engine, run: Run) -> Run:
    """Save the run, restore it, and check that nothing was lost on the way: the restored run saves to the same
    state and shows the same instance; only a finished reassessment's inner tasks are not stored (engine.md)."""
    restored = engine.restore(run.diagram, run.dump())
    state = engine.serializer.dump_text  # the same state once parsed (two subprocesses may come back reordered)
    assert json.loads(state(restored.workflow)) == json.loads(state(run.workflow))
    assert _ordered(restored.snapshot()) == _ordered(run.snapshot())
    kept = restored.every_task_data()
    assert kept == {task_id: data for task_id, data in run.every_task_data().items() if task_id in kept}
    return restored


def _ordered(snapshot: Snapshot) -> Snapshot:
    # Two subprocesses may list their ready tasks in another order after a restore; the set is what counts.
    return replace(snapshot, user_tasks=tuple(sorted(snapshot.user_tasks, key=lambda t: t.bpmn_id)),
                   subscriptions=tuple(sorted(snapshot.subscriptions, key=lambda s: s.bpmn_id)))


def start(engine: Engine, begin: date = START, today: date = START, end: date | None = None) -> Run:
    data = {"start": begin.isoformat(), "end": (end or validity_end(begin)).isoformat(), "reassessed_on": None}
    return reload(engine, engine.start(engine.diagram(DIAGRAM.read_text(encoding="utf-8")), data, at(today)))


def advance(engine: Engine, run: Run, day: date) -> Run:
    run.advance(at(day))
    return reload(engine, run)


def tasks(run: Run) -> list[tuple[str, str | None]]:
    return [(t.bpmn_id, t.lane) for t in run.snapshot().user_tasks]


def complete(engine: Engine, run: Run, bpmn_id: str, data: dict[str, Any], day: date) -> Run:
    (task,) = [t for t in run.snapshot().user_tasks if t.bpmn_id == bpmn_id]
    run.complete(task.id, data, at(day))
    return reload(engine, run)


def messages(run: Run) -> set[str]:
    return {s.message for s in run.snapshot().subscriptions}


def test_nd7_nd8_a_new_registration_waits_on_its_reminder_with_a_small_state(engine: Engine) -> None:
    run = start(engine)
    snap = run.snapshot()
    size = len(run.dump())
    print(f"\nstored state of a waiting registration: {size} bytes")
    assert snap.status == "waiting" and snap.user_tasks == ()
    assert snap.next_timer_at == at(date(2027, 1, 29), 0)  # 30 days before the due 2027-02-28 (ND-8)
    assert messages(run) == {"registration_ended", "registration_amended"}
    assert size <= STATE_LIMIT


def test_nd8_the_reminder_opens_the_task_then_overdue_suspends_and_the_task_stays(engine: Engine) -> None:
    run = advance(engine, start(engine), date(2027, 1, 29))
    assert tasks(run) == [("reassess", "physician")]
    assert run.snapshot().user_tasks[0].properties["formJsonSchemaFilename"] == (
        "registration-reassessment.schema.json")
    run = advance(engine, run, date(2027, 2, 28))
    assert "suspended" in run.snapshot().completed_element_ids
    assert tasks(run) == [("reassess", "physician")]  # ND-8: the task stays until done


def test_nd8_a_reassessment_schedules_the_next_one_from_its_day_and_drops_the_record(engine: Engine) -> None:
    run = advance(engine, start(engine), date(2027, 1, 30))
    run = complete(engine, run, "reassess", form_record(), date(2027, 2, 10))
    snap = run.snapshot()
    assert snap.user_tasks == () and snap.next_timer_at == at(date(2027, 7, 11), 0)  # due 2027-08-10, −30 days
    assert "diagnostic_basis" not in run.current_data()
    run = advance(engine, run, date(2027, 7, 11))
    assert tasks(run) == [("reassess", "physician")]


def test_nd8_a_finished_reassessment_is_not_stored_again_so_the_state_does_not_grow_with_each_one(
    engine: Engine
) -> None:
    """SpiffWorkflow keeps every subprocess run; the stored state leaves out the finished ones (engine.md)."""
    run = start(engine)
    fresh = len(run.dump())
    sizes = []
    for opens, done in ((date(2027, 1, 30), date(2027, 2, 10)), (date(2027, 7, 11), date(2027, 7, 20))):
        run = advance(engine, run, opens)
        run = complete(engine, run, "reassess", form_record(), done)
        sizes.append(len(run.dump()))
        assert len(run.workflow.subprocesses) == 0  # restored from the state: no finished run came back
    print(f"\nstored state: fresh {fresh} B, after each reassessment {sizes} B")
    assert max(sizes) <= STATE_LIMIT and abs(sizes[1] - sizes[0]) < 200  # before: each run added about 700 B


def test_nd7_the_renewal_task_opens_in_the_last_month_and_the_year_expires_after_a_decline(engine: Engine) -> None:
    run = advance(engine, start(engine), date(2027, 1, 30))
    run = complete(engine, run, "reassess", form_record(), date(2027, 3, 1))  # next due after the end: none
    run = advance(engine, run, date(2027, 7, 31))
    assert tasks(run) == [("renew", "physician")]
    run = complete(engine, run, "renew", {"decision": "declined"}, date(2027, 8, 2))
    assert run.snapshot().status == "waiting"
    run = advance(engine, run, date(2027, 8, 31))
    snap = run.snapshot()
    assert snap.status == "completed" and "end_expired" in snap.completed_element_ids


def test_nd7_expiry_ends_every_open_task(engine: Engine) -> None:
    run = advance(engine, start(engine), date(2027, 7, 31))  # never reassessed: suspended, then the renewal opens
    assert sorted(tasks(run)) == [("reassess", "physician"), ("renew", "physician")]
    run = advance(engine, run, date(2027, 8, 31))
    assert run.snapshot().status == "completed" and run.snapshot().user_tasks == ()


@pytest.mark.parametrize("reason", ["cancelled", "hospital_changed", "agreement_ended", "drug_delisted"])
def test_nd12_nd14_an_ended_message_ends_the_registration_and_its_tasks(engine: Engine, reason: str) -> None:
    run = advance(engine, start(engine), date(2027, 2, 1))
    run.deliver("registration_ended", {"reason": reason}, at(date(2027, 2, 2)))
    run = reload(engine, run)
    snap = run.snapshot()
    assert snap.status == "completed" and snap.user_tasks == ()
    assert "end_ended" in snap.completed_element_ids and snap.data["ending"] == {"reason": reason}


def test_nd8_nd14_amendments_are_caught_again_and_again_while_in_force(engine: Engine) -> None:
    run = start(engine)
    for day in (date(2026, 9, 1), date(2026, 9, 2)):
        run.deliver("registration_amended", {"kind": "updated"}, at(day))
        run = reload(engine, run)
    assert messages(run) == {"registration_ended", "registration_amended"}
    assert run.snapshot().next_timer_at == at(date(2027, 1, 29), 0)


def test_nd7_a_renewal_waits_for_its_start_and_can_be_cancelled_before(engine: Engine) -> None:
    run = start(engine, begin=date(2027, 8, 31), today=date(2027, 8, 10))
    assert run.snapshot().next_timer_at == at(date(2027, 8, 31), 0)
    assert messages(run) == {"registration_ended", "registration_amended"}
    run = advance(engine, run, date(2027, 8, 31))
    assert run.snapshot().next_timer_at == at(date(2028, 1, 30), 0)  # due 2028-02-29, the leap day
    pending = start(engine, begin=date(2027, 8, 31), today=date(2027, 8, 10))
    pending.deliver("registration_ended", {"reason": "cancelled"}, at(date(2027, 8, 11)))
    assert reload(engine, pending).snapshot().status == "completed"


def test_nd14_a_short_registration_after_a_change_of_hospital_offers_the_renewal_at_once(engine: Engine) -> None:
    run = start(engine, begin=date(2027, 8, 5), today=date(2027, 8, 5), end=date(2027, 8, 31))
    assert tasks(run) == [("renew", "physician")]  # its last month has begun; no reassessment falls due
