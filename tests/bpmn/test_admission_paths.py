"""The admission diagrams through their paths in the engine, saved and restored around every step; a waiting
application's stored state stays within 2 KB on every path (its facts and documents are in tables)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import workflows.admission  # noqa: F401 - registers the functions the diagrams call
from domain.admission.process import facts_digest
from workflows.engine import Engine, Run, ScriptLimits
from workflows.script_functions import SCRIPT_FUNCTIONS

from ..admission_support import NEW_ENTRY, REQUIRED_KINDS, facts

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "admission"
T0 = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)  # a Tuesday; 2026-10-01…07 is the National Day holiday
STATE_LIMIT = 2048
APPLICATION = {**facts(), "documents": list(REQUIRED_KINDS)}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(SCRIPT_FUNCTIONS, ScriptLimits())


def reload(engine: Engine, run: Run) -> Run:
    restored = engine.restore(run.diagram, run.dump())
    assert restored.every_task_data() == run.every_task_data()
    assert restored.snapshot() == run.snapshot()
    return restored


def start(engine: Engine, name: str, data: dict[str, Any] | None = None) -> Run:
    diagram = engine.diagram((BPMN / name).read_text(encoding="utf-8"))
    return reload(engine, engine.start(diagram, data or {}, T0))


def step(engine: Engine, run: Run, bpmn_id: str, data: dict[str, Any], at: datetime = T0) -> Run:
    (task,) = [t for t in run.snapshot().user_tasks if t.bpmn_id == bpmn_id]
    run.complete(task.id, data, at)
    snapshot = run.snapshot()
    assert snapshot.failure is None, snapshot.failure
    if snapshot.status == "waiting" and run.diagram.key == "consumable_application":
        assert len(run.dump()) <= STATE_LIMIT, (bpmn_id, len(run.dump()))
    return reload(engine, run)


def ready(run: Run) -> list[tuple[str, str | None]]:
    return [(t.bpmn_id, t.lane) for t in run.snapshot().user_tasks]


def submit(engine: Engine, run: Run, application: dict[str, Any] | None = None, existing: bool = False,
           bpmn_id: str = "submit") -> Run:
    return step(engine, run, bpmn_id, {"application": application or APPLICATION, "existing_entry": existing,
                                       "declaration": True})


def test_the_facts_are_checked_then_dropped_from_the_state_keeping_the_verdict_and_its_digest(engine: Engine) -> None:
    run = start(engine, "consumable_application.bpmn")
    assert ready(run) == [("submit", "hospital_officer")]
    run = submit(engine, run)
    assert ready(run) == [("material_review", "bureau_officer")]
    data = run.current_data()
    assert "application" not in data
    assert data["precheck"] == {"passed": True, "entry_code": NEW_ENTRY, "facts_digest": facts_digest(APPLICATION)}
    assert not any("application" in d for d in run.every_task_data().values())


def test_ca2_a_failed_precheck_ends_the_application_with_every_reason(engine: Engine) -> None:
    run = submit(engine, start(engine, "consumable_application.bpmn"),
                 {**APPLICATION, "certificate_expires_on": "2026-08-01"})
    snapshot = run.snapshot()
    assert snapshot.status == "completed" and "end_rejected_precheck" in snapshot.completed_element_ids
    assert snapshot.data["outcome"]["kind"] == "rejected_at_precheck"
    assert snapshot.data["outcome"]["rules"] == ["CA-2"]


def test_da4_an_existing_entry_goes_to_the_bureaus_confirmation_then_to_material_review(engine: Engine) -> None:
    run = submit(engine, start(engine, "consumable_application.bpmn"), existing=True)
    assert ready(run) == [("fast_path", "bureau_officer")]
    run = step(engine, run, "fast_path", {"same_function_and_use": True})
    assert ready(run) == [("material_review", "bureau_officer")]
    run = step(engine, run, "material_review", {"decision": "accept"})
    assert [s.message for s in run.snapshot().subscriptions] == ["application_withdrawn", "application_outcome"]


def test_da10_a_returned_application_is_supplemented_within_its_working_day_deadline(engine: Engine) -> None:
    run = submit(engine, start(engine, "consumable_application.bpmn"))
    run = step(engine, run, "material_review", {"decision": "return", "reason": "缺说明书",
                                                "supplement_working_days": 5})
    assert ready(run) == [("supplement", "hospital_officer")]
    assert run.current_data()["supplement"]["last_day"] == "2026-09-08"  # five working days after Tuesday 1 Sept
    assert run.snapshot().next_timer_at == datetime(2026, 9, 8, 16, 0, tzinfo=UTC)  # 9 Sept 00:00 China time
    run = submit(engine, run, existing=True, bpmn_id="supplement")
    run = step(engine, run, "fast_path", {"same_function_and_use": False})
    run = step(engine, run, "material_review", {"decision": "accept"})
    assert "wait_outcome" in run.snapshot().active_element_ids


def test_da10_a_missed_deadline_closes_the_application_as_withdrawn(engine: Engine) -> None:
    run = submit(engine, start(engine, "consumable_application.bpmn"))
    run = step(engine, run, "material_review", {"decision": "return", "reason": "缺说明书",
                                                "supplement_working_days": 1})
    run.advance(datetime(2026, 9, 2, 16, 0, 1, tzinfo=UTC))
    snapshot = reload(engine, run).snapshot()
    assert snapshot.status == "completed" and snapshot.data["outcome"]["kind"] == "withdrawn_deadline_missed"
    assert snapshot.data["outcome"]["rules"] == ["DA-10"]


def test_da9_a_rejection_in_material_review_states_its_reason(engine: Engine) -> None:
    run = submit(engine, start(engine, "consumable_application.bpmn"))
    run = step(engine, run, "material_review", {"decision": "reject", "reason": "非本地区定点医疗机构使用"})
    assert run.snapshot().data["outcome"]["reason"] == "非本地区定点医疗机构使用"


@pytest.mark.parametrize("stage", ["draft", "review", "accepted"])
def test_the_hospital_may_withdraw_at_any_step_before_the_outcome(engine: Engine, stage: str) -> None:
    run = start(engine, "consumable_application.bpmn")
    if stage != "draft":
        run = submit(engine, run)
    if stage == "accepted":
        run = step(engine, run, "material_review", {"decision": "accept"})
    run.deliver("application_withdrawn", {"reason": "产品停产"}, T0)
    snapshot = reload(engine, run).snapshot()
    assert snapshot.status == "completed" and snapshot.user_tasks == () and snapshot.subscriptions == ()
    outcome = snapshot.data["outcome"]
    assert (outcome["kind"], outcome["reason"]) == ("withdrawn_by_hospital", "产品停产")


def test_da9_the_outcome_message_ends_an_accepted_application(engine: Engine) -> None:
    run = step(engine, submit(engine, start(engine, "consumable_application.bpmn")), "material_review",
               {"decision": "accept"})
    run.deliver("application_outcome", {"kind": "included", "reason": "经专家评审纳入"}, T0)
    snapshot = reload(engine, run).snapshot()
    assert snapshot.status == "completed" and snapshot.data["outcome"]["kind"] == "included"


ROUND = {"name": "2026年度", "opens_on": "2026-09-01", "closes_on": "2026-09-30",
         "closes_at": "2026-10-01T00:00:00+08:00", "notice_working_days": 5}
A, B = NEW_ENTRY, "C02010105200001"


def reviewed_round(engine: Engine) -> Run:
    run = start(engine, "consumable_round.bpmn", ROUND)
    assert ready(run) == [("window", "bureau_officer")]
    assert run.snapshot().next_timer_at == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    run.advance(datetime(2026, 9, 30, 16, 0, 1, tzinfo=UTC))  # the window closes by itself
    run = reload(engine, run)
    run = step(engine, run, "assign_experts", {"assignments": {A: ["e1", "e2", "e3"], B: ["e3", "e4", "e5"]}})
    tasks = run.snapshot().user_tasks
    assert sorted((t.bpmn_id, t.candidate) for t in tasks) == [("expert_review", e) for e in
                                                               ("e1", "e2", "e3", "e3", "e4", "e5")]
    for task in reversed(tasks):  # in the reverse order of their creation
        data = run.task_data(task.id)
        run.complete(task.id, {"review": {"include": True, "reasoning": f"{data['entry_code']} by {task.candidate}"}},
                     T0)
        run = reload(engine, run)
    return run


def test_da5_reviews_are_kept_by_candidate_and_expert_whatever_order_they_finish_in(engine: Engine) -> None:
    run = reviewed_round(engine)
    assert ready(run) == [("consolidate", "bureau_officer")]
    reviews = run.current_data()["reviews"]
    assert sorted(reviews) == [f"{B}/e3", f"{B}/e4", f"{B}/e5", f"{A}/e1", f"{A}/e2", f"{A}/e3"]
    assert all(review["reasoning"] == key.replace("/", " by ") for key, review in reviews.items())


def test_da6_a_rejected_filing_goes_back_to_consolidation_and_an_acknowledged_one_to_the_notice(
        engine: Engine) -> None:
    run = step(engine, reviewed_round(engine), "consolidate", {"decisions": {}})
    assert [s.message for s in run.snapshot().subscriptions] == ["filing_acknowledged", "filing_rejected"]
    run.deliver("filing_rejected", {"reasons": "支付标准依据不足"}, T0)
    run = reload(engine, run)
    assert ready(run) == [("consolidate", "bureau_officer")]
    run = step(engine, run, "consolidate", {"decisions": {}})
    run.deliver("filing_acknowledged", {"filing_number": "国医保备〔2026〕1号"}, T0)
    run = reload(engine, run)
    notice = run.current_data()["notice"]
    # Five working days from Tuesday 1 September: 2, 3, 4, 7, 8 September.
    assert (notice["last_day"], notice["warnings"]) == ("2026-09-08", [])
    assert [s.message for s in run.snapshot().subscriptions] == ["objection_lodged"]


def noticed(engine: Engine, at: datetime) -> Run:
    run = step(engine, reviewed_round(engine), "consolidate", {"decisions": {}}, at)
    run.deliver("filing_acknowledged", {"filing_number": "F-1"}, at)
    return reload(engine, run)


def test_sv1_the_notice_counts_working_days_across_the_national_day_holiday(engine: Engine) -> None:
    run = noticed(engine, datetime(2026, 9, 29, 2, 0, tzinfo=UTC))  # posted Tuesday 29 September
    # Counted: 30 September; 1–7 October are the holiday; 8, 9, 10 (a Saturday worked in exchange), 12 October.
    assert run.current_data()["notice"]["last_day"] == "2026-10-12"
    run.advance(datetime(2026, 10, 12, 15, 59, tzinfo=UTC))
    assert ready(run) == []
    run.advance(datetime(2026, 10, 12, 16, 0, 1, tzinfo=UTC))
    assert ready(reload(engine, run)) == [("publish", "bureau_officer")]


def test_sv1_objections_during_the_notice_are_resolved_and_an_upheld_one_sends_the_round_back(
        engine: Engine) -> None:
    run = noticed(engine, T0)
    run.deliver("objection_lodged", {"objection_id": "o1"}, T0)
    run = reload(engine, run)
    assert run.current_data()["objections_lodged"] == 1
    assert [s.message for s in run.snapshot().subscriptions] == ["objection_lodged"]  # still listening
    run.advance(datetime(2026, 9, 8, 16, 0, 1, tzinfo=UTC))
    assert ready(reload(engine, run)) == [("resolve_objections", "bureau_officer")]
    upheld = step(engine, run, "resolve_objections", {"resolutions": {"o1": {"upheld": True, "resolution": "重审"}}})
    assert ready(upheld) == [("consolidate", "bureau_officer")]


def test_cm6_without_objections_the_bureau_publishes_and_the_round_ends(engine: Engine) -> None:
    run = noticed(engine, T0)
    run.advance(datetime(2026, 9, 8, 16, 0, 1, tzinfo=UTC))
    run = step(engine, reload(engine, run), "publish", {"effective_on": "2026-11-01"})
    assert run.snapshot().status == "completed"
    assert run.snapshot().data["effective_on"] == "2026-11-01"
