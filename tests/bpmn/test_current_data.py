"""The current process data of an instance: its live tasks' data while it runs, the end data once completed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflows.engine import Engine, Run, ScriptLimits
from workflows.script_functions import SCRIPT_FUNCTIONS

from ..conftest import diagram_text

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
CODE = "C09100100000000211790000049"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(SCRIPT_FUNCTIONS, ScriptLimits())


def restored(engine: Engine, run: Run) -> Run:
    return engine.restore(run.diagram, run.dump())


def test_a_waiting_instance_has_the_data_its_live_tasks_hold_also_after_a_restore(engine: Engine) -> None:
    run = engine.start(engine.diagram(diagram_text()), {"applicant": "H52010200001"}, T0)
    assert run.snapshot().data == {}  # the workflow's own data fills only at the end
    assert restored(engine, run).current_data() == {"applicant": "H52010200001"}
    (task,) = run.snapshot().user_tasks
    run.complete(task.id, {"code": CODE, "amount": 10}, T0)
    data = restored(engine, run).current_data()
    assert (data["applicant"], data["code"], data["entry_key"], data["needs_review"]) == (
        "H52010200001", CODE, CODE[:15], False)
    run.deliver("nhsa_ack", {"ack_no": "NHSA-1"}, T0)
    assert restored(engine, run).current_data()["nhsa_ack"] == {"ack_no": "NHSA-1"}


def test_a_completed_instance_has_its_end_data_and_a_cancelled_one_keeps_what_it_had(engine: Engine) -> None:
    run = engine.start(engine.diagram(diagram_text()), {"applicant": "H52010200001"}, T0)
    (task,) = run.snapshot().user_tasks
    run.complete(task.id, {"code": CODE, "amount": 5000}, T0)
    (review,) = run.snapshot().user_tasks
    cancelled = restored(engine, run)
    run.complete(review.id, {"decision": "include"}, T0)
    assert run.snapshot().status == "completed" and run.current_data() == run.snapshot().data
    cancelled.cancel()
    data = restored(engine, cancelled).current_data()
    assert (data["applicant"], data["code"]) == ("H52010200001", CODE) and "decision" not in data
