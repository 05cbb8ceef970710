"""The projector of the application diagram: keeps each ``applications`` row in step with its instance.

It also holds the policy an engine step cannot see from task data, and refuses the whole step when it fails
(the unit of work rolls back state, queue and audit with it): the submitted facts must be the recorded ones (the
pre-check's digest), the DA-4 flag must match the catalog, and every material listed must have been uploaded.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.admission.process import facts_digest
from domain.admission.round import RoundWindow, round_for
from domain.errors import PolicyViolation
from storage.admission_models import Application
from storage.admission_repository import Applications, Rounds
from storage.uow import UnitOfWork

from ..projections import Step, projector
from .records import china_date, existing_entry, submission

PROCESS_KEY = "consumable_application"
STATUS_OF_TASK = {"submit": "draft", "fast_path": "fast_path_check", "material_review": "material_review",
                  "supplement": "supplement_requested"}
FINAL = ("included_automatically", "included", "rejected_at_precheck", "rejected_in_material_review",
         "rejected_by_experts", "withdrawn_by_hospital", "withdrawn_deadline_missed", "cancelled")


def completed_element(step: Step) -> str | None:
    """The BPMN id of the user task the step completed, if it completed one."""
    prefix = "task.completed:"
    return step.action[len(prefix):] if step.action.startswith(prefix) else None


@projector(PROCESS_KEY)
def project_application(uow: UnitOfWork, step: Step) -> None:
    """Create the row when the instance starts; afterwards follow its steps."""
    apps = uow.repository(Applications)
    if step.action == "instance.started":
        apps.add(Application(
            id=step.instance.business_key or step.instance.id, instance_id=step.instance.id,
            hospital_id=step.instance.owner_org, created_by=step.actor.user_id, status="draft", facts="{}",
            existing_entry=False, fast_path=False, created_at=step.now, updated_at=step.now))
        return
    row = apps.by_instance(step.instance.id)
    if row is None:
        raise PolicyViolation("this application has no record", rule="DA-2", code="application_record_missing")
    completed = completed_element(step)
    if completed in ("submit", "supplement"):
        _submitted(uow, row, step.task_data(step.completed_task or ""), step)
    elif completed == "fast_path":
        row.fast_path = step.task_data(step.completed_task or "").get("same_function_and_use") is True
    elif completed == "material_review":
        row.review_note = step.task_data(step.completed_task or "").get("reason")
    _follow(uow, row, step)


def _submitted(uow: UnitOfWork, row: Application, data: dict[str, Any], step: Step) -> None:
    precheck = data.get("precheck") or {}
    recorded = submission(uow, row)["application"]
    if precheck.get("facts_digest") != facts_digest(recorded):
        raise PolicyViolation(
            "the submitted facts differ from the application's record: save them first (PUT "
            "/admission/applications/{id}) and submit the record's `submission`", rule="DA-2",
            code="submission_not_recorded", field="application")
    expected = bool(precheck.get("passed")) and existing_entry(uow, recorded.get("code"))
    if bool(precheck.get("passed")) and data.get("existing_entry") is not expected:
        raise PolicyViolation(
            f"existing_entry must be {str(expected).lower()}: the code's first 15 characters are "
            f"{'' if expected else 'not '}an entry of the current catalog", rule="DA-4",
            code="existing_entry_mismatch", field="existing_entry")
    row.existing_entry, row.submitted_at = expected, step.now
    row.code = recorded.get("code")
    row.entry_code = precheck.get("entry_code")
    row.product_name, row.manufacturer = recorded.get("product_name"), recorded.get("manufacturer")


def _status(row: Application, step: Step) -> str:
    snapshot = step.snapshot
    if snapshot.status in ("cancelled", "errored"):
        return snapshot.status
    if snapshot.status == "completed":
        return str((snapshot.data.get("outcome") or {}).get("kind") or "completed")
    ready = {t.bpmn_id for t in snapshot.user_tasks}
    for bpmn_id, status in STATUS_OF_TASK.items():
        if bpmn_id in ready:
            return status
    return "accepted" if "wait_outcome" in snapshot.active_element_ids else row.status


def _follow(uow: UnitOfWork, row: Application, step: Step) -> None:
    status = _status(row, step)
    if status == "supplement_requested":
        deadline = (step.data.get("supplement") or {}).get("last_day")
        row.supplement_last_day = date.fromisoformat(deadline) if deadline else None
    if status == "accepted" and row.status != "accepted":
        row.accepted_on = china_date(step.now)
        row.round_id = _round_for(uow, row.accepted_on)
    if step.snapshot.status == "completed":
        outcome = step.snapshot.data.get("outcome") or {}
        row.outcome_kind, row.outcome, row.decided_at = outcome.get("kind"), json.dumps(outcome, ensure_ascii=False), \
            step.now
    row.status, row.updated_at = status, step.now


def _round_for(uow: UnitOfWork, accepted_on: date) -> str | None:
    """The open round the application joins (DA-1), locked so that its closing waits for this step."""
    rounds = uow.repository(Rounds)
    excluded: set[str] = set()
    while True:
        windows = [RoundWindow(r.id, r.opens_on, r.closes_on) for r in rounds.all(stage="open")
                   if r.id not in excluded]
        chosen = round_for(accepted_on, windows)
        if chosen is None:
            return None
        locked = rounds.get(chosen.round_id, lock=True)
        if locked is not None and locked.stage == "open":
            return locked.id
        excluded.add(chosen.round_id)
