"""Use cases of an adjustment round (目录调整轮次): open, close, experts, reviews, consolidation, publication.

The human steps complete the round instance's open task through ``workflows.tasks`` (the same path as
``/tasks``); the round's projector checks and records them. Filings and objections are in ``round_messages``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.actors import Actor
from domain.admission.deadlines import passes_at
from domain.admission.experts import summarise
from domain.admission.round import RoundWindow, check_window
from domain.errors import NotFound
from domain.permissions import can, require
from storage.admission_models import Candidate, Round
from storage.admission_repository import Rounds
from storage.models import new_id
from storage.uow import UnitOfWork

from .. import instances, tasks
from ..context import Services
from .round_projector import PROCESS_KEY
from .round_steps import review_of
from .steps import open_task, require_open_task
from .views import CandidateView, ReviewView, RoundView, StepRef

BUREAU_STEPS = ("window", "assign_experts", "consolidate", "resolve_objections", "publish")


def round_row(uow: UnitOfWork, round_id: str) -> Round:
    """The round (every logged-in user may know a round and its window, DA-1)."""
    row = uow.repository(Rounds).get(round_id)
    if row is None:
        raise NotFound(f"no round {round_id}", code="round_not_found")
    return row


def round_view(uow: UnitOfWork, actor: Actor, row: Round) -> RoundView:
    """The round with the bureau's open step, when the caller may see it."""
    task = open_task(uow, row.instance_id, BUREAU_STEPS)
    step = StepRef(task.id, task.bpmn_id, task.name) if task is not None and can(actor, "task.see", task) else None
    return RoundView(
        id=row.id, instance_id=row.instance_id, name=row.name, opens_on=row.opens_on, closes_on=row.closes_on,
        stage=row.stage, notice_working_days=row.notice_working_days, notice_last_day=row.notice_last_day,
        notice_warnings=json.loads(row.notice_warnings or "[]"), retirements=json.loads(row.retirements or "[]"),
        published_version=row.published_version, effective_on=row.effective_on, published_at=row.published_at,
        created_at=row.created_at, step=step)


def open_round(services: Services, actor: Actor, name: str, opens_on: date, closes_on: date) -> RoundView:
    """Open an adjustment round with its application window (DA-1); the notice length is the current setting."""
    require(actor, "admission.round.manage")
    round_id = new_id()
    with services.uow(read_only=True) as uow:
        others = [RoundWindow(r.id, r.opens_on, r.closes_on) for r in uow.repository(Rounds).all()]
    check_window(RoundWindow(round_id, opens_on, closes_on), others)
    data = {"name": name, "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat(),
            "closes_at": passes_at(closes_on).isoformat(),
            "notice_working_days": services.settings.admission_notice_working_days}
    instances.start_instance(services, actor, PROCESS_KEY, data, business_key=round_id)
    return get_round(services, actor, round_id)


def get_round(services: Services, actor: Actor, round_id: str) -> RoundView:
    """One round."""
    with services.uow(read_only=True) as uow:
        return round_view(uow, actor, round_row(uow, round_id))


def list_rounds(services: Services, actor: Actor) -> list[RoundView]:
    """Every round, newest window first."""
    with services.uow(read_only=True) as uow:
        return [round_view(uow, actor, r) for r in uow.repository(Rounds).all()]


def complete_step(services: Services, actor: Actor, round_id: str, bpmn_id: str, what: str,
                  data: Mapping[str, Any], candidate: str | None = None) -> None:
    """Complete the round's open ``bpmn_id`` task with ``data`` (as /tasks would)."""
    with services.uow(read_only=True) as uow:
        row = round_row(uow, round_id)
        task = require_open_task(uow, row.instance_id, (bpmn_id,), what, candidate)
    tasks.complete(services, actor, task.id, dict(data))


def close_window(services: Services, actor: Actor, round_id: str, reason: str | None = None) -> RoundView:
    """Close the application window before its end (the bureau); its timer closes it otherwise (DA-1)."""
    complete_step(services, actor, round_id, "window", "the application window", {"reason": reason} if reason
                  else {})
    return get_round(services, actor, round_id)


def assign_experts(services: Services, actor: Actor, round_id: str,
                   assignments: Mapping[str, list[str]]) -> list[CandidateView]:
    """Assign experts to every candidate; an assignment breaking DA-5 or SV-3 is refused, naming the rule."""
    complete_step(services, actor, round_id, "assign_experts", "expert assignment", {"assignments": assignments})
    return list_candidates(services, actor, round_id)


def _review_view(row: Any) -> ReviewView:
    return ReviewView(row.entry_code, row.expert_id, row.include, row.category, row.max_payment_standard,
                      row.restricted_scope, row.reasoning, row.reviewed_at)


def _summary(uow: UnitOfWork, row: Round, candidate: Candidate) -> dict[str, Any]:
    rounds = uow.repository(Rounds)
    assigned = [a.expert_id for a in rounds.assignments(row.id, candidate.entry_code)]
    summary = summarise(candidate.entry_code, assigned,
                        {r.expert_id: review_of(r) for r in rounds.reviews(row.id, candidate.entry_code)})
    return {"votes_for": list(summary.votes_for), "votes_against": list(summary.votes_against),
            "missing": list(summary.missing), "complete": summary.complete, "included": summary.included,
            "category_votes": {k.value: v for k, v in summary.category_votes.items()},
            "standards": [str(s) for s in summary.standards],
            "standard_median": str(summary.standard_median) if summary.standard_median is not None else None,
            "restricted_scopes": [{"expert_id": e, "scope": s} for e, s in summary.restricted_scopes]}


def _candidate_view(uow: UnitOfWork, actor: Actor, row: Round, candidate: Candidate) -> CandidateView:
    rounds = uow.repository(Rounds)
    everything = can(actor, "admission.round.see_candidates")
    mine = rounds.assignment(row.id, candidate.entry_code, actor.user_id)
    reviews = rounds.reviews(row.id, candidate.entry_code, None if everything else actor.user_id)
    return CandidateView(
        round_id=row.id, entry_code=candidate.entry_code, in_catalog=candidate.in_catalog,
        applications=candidate.applications, include=candidate.include, category=candidate.category,
        max_payment_standard=candidate.max_payment_standard, restricted_scope=candidate.restricted_scope,
        reason=candidate.reason, names=json.loads(candidate.names) if candidate.names else None,
        experts=[a.expert_id for a in rounds.assignments(row.id, candidate.entry_code)] if everything else [],
        reviews=[_review_view(r) for r in reviews if can(actor, "admission.review.see", r)],
        summary=_summary(uow, row, candidate) if everything else None,
        review_task_id=mine.task_id if mine is not None else None)


def _visible(services: Services, actor: Actor, round_id: str, entry_code: str | None) -> list[CandidateView]:
    with services.uow(read_only=True) as uow:
        row = round_row(uow, round_id)
        if can(actor, "admission.round.see_candidates"):
            found = uow.repository(Rounds).candidates(row.id, entry_code=entry_code)
        elif can(actor, "admission.review.submit"):  # an expert: the candidates assigned to them (SV-3)
            found = uow.repository(Rounds).candidates(row.id, expert_id=actor.user_id, entry_code=entry_code)
        else:
            require(actor, "admission.round.see_candidates")
            found = []
        return [_candidate_view(uow, actor, row, c) for c in found]


def list_candidates(services: Services, actor: Actor, round_id: str) -> list[CandidateView]:
    """The round's candidates (DA-3): all for the bureau and the NHSA, an expert's own only (SV-3)."""
    return _visible(services, actor, round_id, None)


def get_candidate(services: Services, actor: Actor, round_id: str, entry_code: str) -> CandidateView:
    """One candidate the caller may see (an expert: only one assigned to them; 404 for anyone else, SV-3)."""
    if not (can(actor, "admission.round.see_candidates") or can(actor, "admission.review.submit")):
        raise NotFound(f"no candidate {entry_code} in this round", code="candidate_not_found")
    found = _visible(services, actor, round_id, entry_code)
    if not found:
        raise NotFound(f"no candidate {entry_code} in this round", code="candidate_not_found")
    return found[0]


def submit_review(services: Services, actor: Actor, round_id: str, entry_code: str,
                  review: Mapping[str, Any]) -> CandidateView:
    """An expert's review of a candidate assigned to them (DA-5), recorded under their id."""
    require(actor, "admission.review.submit")
    get_candidate(services, actor, round_id, entry_code)  # 404 for a candidate not assigned to the caller
    with services.uow(read_only=True) as uow:
        row = round_row(uow, round_id)
        mine = uow.repository(Rounds).assignment(row.id, entry_code, actor.user_id)
        task = uow.tasks.get(mine.task_id) if mine is not None and mine.task_id else None
    if task is None or task.status not in ("open", "claimed"):
        raise NotFound("no open review of this candidate for you", code="review_not_open")
    tasks.complete(services, actor, task.id, {"review": dict(review)})
    return get_candidate(services, actor, round_id, entry_code)


def consolidate(services: Services, actor: Actor, round_id: str, decisions: Mapping[str, Any],
                retirements: list[dict[str, str]] | None = None) -> list[CandidateView]:
    """The bureau decides every candidate with the reviews in view and may retire entries (DA-5)."""
    data: dict[str, Any] = {"decisions": dict(decisions)}
    if retirements:
        data["retirements"] = retirements
    complete_step(services, actor, round_id, "consolidate", "consolidation", data)
    return list_candidates(services, actor, round_id)


def resolve_objections(services: Services, actor: Actor, round_id: str,
                       resolutions: Mapping[str, Mapping[str, Any]]) -> RoundView:
    """The bureau resolves every objection of the notice (SV-1); an upheld one sends the round back to DA-5."""
    complete_step(services, actor, round_id, "resolve_objections", "the objections' resolution",
                  {"resolutions": {k: dict(v) for k, v in resolutions.items()}})
    return get_round(services, actor, round_id)


def publish_round(services: Services, actor: Actor, round_id: str, effective_on: date) -> RoundView:
    """Publish the next catalog version (CM-6); every application of the round learns its outcome (DA-9)."""
    complete_step(services, actor, round_id, "publish", "publication", {"effective_on": effective_on.isoformat()})
    return get_round(services, actor, round_id)
