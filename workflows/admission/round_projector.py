"""The projector of the round diagram: keeps the ``rounds`` row and its tables in step with the instance.

Each human step's policy is checked here, against the tables and the catalog, before the step may stand (a
refusal rolls back the whole step): the window (DA-1), the expert assignment (DA-5, SV-3), each review (DA-5, CM-2),
the consolidated decisions and retirements (DA-5, CM-2, CM-3, VBP, DA-9), the NHSA's answer (DA-6), the objections'
resolutions (SV-1) and the publication (CM-6, DA-9).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from domain.admission.deadlines import passes_at
from domain.admission.round import RoundApplication, RoundWindow, aggregate, check_window
from domain.errors import InvalidInput
from storage.admission_models import Candidate, Round
from storage.admission_repository import Applications, Rounds
from storage.uow import UnitOfWork

from ..projections import Step, projector
from . import round_steps
from .application_projector import completed_element
from .publication import publish
from .records import current_catalog_codes

PROCESS_KEY = "consumable_round"
STAGE_OF_TASK = {"window": "open", "assign_experts": "assigning", "expert_review": "reviewing",
                 "consolidate": "consolidating", "resolve_objections": "objections", "publish": "publishing"}
STAGE_OF_WAIT = {"filing_acknowledged": "filing", "objection_lodged": "notice"}
MAX_NAME = 200

Handler = Callable[[UnitOfWork, Round, Step], None]
ON_TASK: dict[str, Handler] = {
    "assign_experts": round_steps.assigned, "expert_review": round_steps.reviewed,
    "consolidate": round_steps.consolidated, "resolve_objections": round_steps.objections_resolved,
    "publish": publish,
}
ON_MESSAGE: dict[str, Handler] = {
    "filing_acknowledged": round_steps.filing_answered, "filing_rejected": round_steps.filing_answered,
    "objection_lodged": round_steps.objection_delivered,
}


@projector(PROCESS_KEY)
def project_round(uow: UnitOfWork, step: Step) -> None:
    """Create the round when its instance starts; afterwards check and record each step."""
    rounds = uow.repository(Rounds)
    if step.action == "instance.started":
        _opened(uow, step)
        return
    row = rounds.by_instance(step.instance.id)
    if row is None:
        raise InvalidInput("this round has no record", code="round_record_missing")
    completed = completed_element(step)
    message = step.action.removeprefix("message.delivered:") if step.action.startswith("message.") else None
    handler = ON_TASK.get(completed or "") or ON_MESSAGE.get(message or "")
    if handler is not None:
        handler(uow, row, step)
    stage = _stage(row, step)
    if stage != row.stage:
        _entered(uow, row, stage, step)
    round_steps.link_review_tasks(uow, row, step)
    row.stage, row.updated_at = stage, step.now


def _stage(row: Round, step: Step) -> str:
    snapshot = step.snapshot
    if snapshot.status == "completed":
        return "published"
    if snapshot.status in ("cancelled", "errored"):
        return snapshot.status
    ready = {t.bpmn_id for t in snapshot.user_tasks}
    for bpmn_id, stage in STAGE_OF_TASK.items():
        if bpmn_id in ready or (bpmn_id == "expert_review" and bpmn_id in snapshot.active_element_ids):
            return stage
    for bpmn_id, stage in STAGE_OF_WAIT.items():
        if bpmn_id in snapshot.active_element_ids:
            return stage
    return row.stage


def _entered(uow: UnitOfWork, row: Round, stage: str, step: Step) -> None:
    if stage == "assigning" and row.stage == "open":
        _aggregate(uow, row)
    if stage == "notice":
        notice = step.data.get("notice") or {}
        row.notice_last_day = date.fromisoformat(notice["last_day"]) if notice.get("last_day") else None
        row.notice_warnings = json.dumps(notice.get("warnings") or [], ensure_ascii=False)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise InvalidInput(f"{name} must be 1–{MAX_NAME} characters; open rounds with POST /admission/rounds",
                           field=name)
    return value.strip()


def _day(data: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(str(data.get(name)))
    except ValueError:
        raise InvalidInput(f"{name} must be a date YYYY-MM-DD", field=name) from None


def _opened(uow: UnitOfWork, step: Step) -> None:
    data = step.data
    rounds = uow.repository(Rounds)
    window = RoundWindow(step.instance.business_key or step.instance.id, _day(data, "opens_on"),
                         _day(data, "closes_on"))
    check_window(window, [RoundWindow(r.id, r.opens_on, r.closes_on) for r in rounds.all()])
    if data.get("closes_at") != passes_at(window.closes_on).isoformat():
        raise InvalidInput("closes_at must be the end of closes_on, China time", field="closes_at", rule="DA-1")
    days = data.get("notice_working_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 60:
        raise InvalidInput("notice_working_days must be 1–60", field="notice_working_days", rule="SV-1")
    rounds.add(Round(id=window.round_id, instance_id=step.instance.id, name=_text(data, "name"),
                     opens_on=window.opens_on, closes_on=window.closes_on, stage="open", notice_working_days=days,
                     created_by=step.actor.user_id, created_at=step.now, updated_at=step.now))
    rounds.flush()
    for application in uow.repository(Applications).waiting_for_a_round():  # DA-1: they join the next round
        application.round_id = window.round_id


def _aggregate(uow: UnitOfWork, row: Round) -> None:
    """DA-3: the round's accepted applications, except those included by the fast path, by 15-character entry."""
    rounds = uow.repository(Rounds)
    rounds.get(row.id, lock=True)  # acceptances into this round wait for us (application_projector._round_for)
    applications = [a for a in uow.repository(Applications).in_round(row.id, ("accepted",)) if not a.fast_path]
    entries = sorted({a.code[:15] for a in applications if a.code})
    in_catalog = current_catalog_codes(uow, entries)
    candidates = aggregate([RoundApplication(a.id, a.hospital_id, a.code or "") for a in applications], in_catalog)
    for candidate in candidates:
        rounds.add(Candidate(round_id=row.id, entry_code=candidate.entry_code, in_catalog=candidate.in_catalog,
                             applications=len(candidate.applications)))
