"""The round's human steps as its projector records them, each checked by the domain before it may stand."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from domain.admission.categories import PaymentCategory
from domain.admission.decisions import EntryDecision, decision_findings, retirement_findings
from domain.admission.experts import Expert, ExpertReview, assignment_findings, review_findings, summarise
from domain.admission.findings import Finding, refuse
from domain.admission.round import Candidate as DomainCandidate
from domain.admission.round import RoundApplication
from domain.admission.round_data import decision_from_data, retirements_from_data, review_from_data
from domain.errors import Conflict, InvalidInput
from domain.permissions import require
from storage.admission_models import Candidate, ExpertAssignment, Filing, Round
from storage.admission_models import ExpertReview as ReviewRow
from storage.admission_repository import Applications, Rounds
from storage.uow import UnitOfWork

from ..projections import Step
from .records import current_catalog_codes

MAX_ANSWER = 2000


def _task_data(step: Step) -> dict[str, Any]:
    return step.task_data(step.completed_task or "")


def _within(where: str, findings: list[Finding]) -> list[Finding]:
    return [replace(f, field=f"{where}.{f.field}") for f in findings]


def domain_candidates(uow: UnitOfWork, row: Round) -> dict[str, DomainCandidate]:
    """The round's candidates with their applications, as the domain sees them (DA-3)."""
    applications = [a for a in uow.repository(Applications).in_round(row.id, ("accepted",)) if not a.fast_path]
    by_entry: dict[str, list[RoundApplication]] = {}
    for a in applications:  # grouped once: each candidate's applications without a scan per candidate
        by_entry.setdefault((a.code or "")[:15], []).append(RoundApplication(a.id, a.hospital_id, a.code or ""))
    return {c.entry_code: DomainCandidate(c.entry_code, tuple(by_entry.get(c.entry_code, ())), c.in_catalog)
            for c in uow.repository(Rounds).candidates(row.id)}


def _expert(uow: UnitOfWork, user_id: object, where: str) -> Expert | Finding:
    user = uow.identity.user(user_id) if isinstance(user_id, str) else None
    if user is None or not user.active or user.role != "expert":
        return Finding("DA-5", where, "所指派的人员不是在册专家", f"{user_id!r} is not an active expert")
    fields = frozenset(f for f in (user.expert_fields or "").split(",") if f)
    return Expert(user.id, fields, user.org_id)


def assigned(uow: UnitOfWork, row: Round, step: Step) -> None:
    """Record the experts of every candidate; refuse an assignment breaking DA-5 or SV-3, naming the rule."""
    assignments = _task_data(step).get("assignments") or {}
    candidates = domain_candidates(uow, row)
    unknown = sorted(set(assignments) - set(candidates))
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a candidate of this round", field=f"assignments.{unknown[0]}",
                           rule="DA-3")
    findings: list[Finding] = []
    rows: list[ExpertAssignment] = []
    for entry, candidate in candidates.items():
        where = f"assignments.{entry}"
        experts: list[Expert] = []
        for index, user_id in enumerate(assignments.get(entry, [])):
            found = _expert(uow, user_id, f"{where}[{index}]")
            if isinstance(found, Finding):
                findings.append(found)
            else:
                experts.append(found)
        findings += _within(where, assignment_findings(candidate, experts))
        rows += [ExpertAssignment(round_id=row.id, entry_code=entry, expert_id=e.expert_id, assigned_at=step.now)
                 for e in {e.expert_id: e for e in experts}.values()]
    refuse(findings, code="assignment_refused")
    rounds = uow.repository(Rounds)
    rounds.replace_assignments(row.id, rows)
    rounds.flush()


def link_review_tasks(uow: UnitOfWork, row: Round, step: Step) -> None:
    """Note on each assignment the queue task of its review (the expert's own, SV-3)."""
    rounds = uow.repository(Rounds)
    for task in step.snapshot.user_tasks:
        if task.bpmn_id != "expert_review":
            continue
        data = step.run.task_data(task.id)
        assignment = rounds.assignment(row.id, str(data.get("entry_code")), str(data.get("reviewer")))
        if assignment is not None and assignment.task_id != task.id:
            assignment.task_id = task.id


def review_of(row: ReviewRow) -> ExpertReview:
    return ExpertReview(row.include, PaymentCategory(row.category) if row.category else None,
                        row.max_payment_standard, row.restricted_scope, row.reasoning)


def reviewed(uow: UnitOfWork, row: Round, step: Step) -> None:
    """Record one expert's review under their id (never by completion order, DA-5)."""
    data = _task_data(step)
    entry, expert = str(data.get("entry_code")), str(data.get("reviewer"))
    rounds = uow.repository(Rounds)
    if rounds.assignment(row.id, entry, expert) is None:
        raise Conflict("this expert is not assigned to this candidate", code="not_assigned", rule="SV-3")
    review = review_from_data(data.get("review"))
    refuse(review_findings(review), code="review_refused")
    rounds.put_review(ReviewRow(
        round_id=row.id, entry_code=entry, expert_id=expert, include=review.include,
        category=review.category.value if review.category else None,
        max_payment_standard=review.max_payment_standard, restricted_scope=review.restricted_scope,
        reasoning=review.reasoning, reviewed_at=step.now))


def _decide(uow: UnitOfWork, row: Round, candidate: Candidate, data: object,
            decided: dict[str, tuple[EntryDecision, str | None]]) -> list[Finding]:
    where = f"decisions.{candidate.entry_code}"
    decision, names = decision_from_data(candidate.entry_code, data, where)
    rounds = uow.repository(Rounds)
    assigned_experts = [a.expert_id for a in rounds.assignments(row.id, candidate.entry_code)]
    reviews = {r.expert_id: review_of(r) for r in rounds.reviews(row.id, candidate.entry_code)}
    findings = _within(where, decision_findings(decision, summarise(candidate.entry_code, assigned_experts,
                                                                      reviews)))
    if decision.include and not candidate.in_catalog and names is None:
        findings.append(Finding("CM-1", f"{where}.names", "新增品种须填写三级分类名称和医保通用名",
                                "a new entry names its classification levels and generic name"))
    decided[candidate.entry_code] = (decision, json.dumps(vars(names), ensure_ascii=False) if names else None)
    return findings


def consolidated(uow: UnitOfWork, row: Round, step: Step) -> None:
    """Record the bureau's decision on every candidate and its retirements, and file them with the NHSA (DA-6)."""
    data = _task_data(step)
    decisions = data.get("decisions") or {}
    rounds = uow.repository(Rounds)
    candidates = rounds.candidates(row.id)
    unknown = sorted(set(decisions) - {c.entry_code for c in candidates})
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a candidate of this round", field=f"decisions.{unknown[0]}")
    findings: list[Finding] = []
    decided: dict[str, tuple[EntryDecision, str | None]] = {}
    for candidate in candidates:
        if candidate.entry_code not in decisions:
            findings.append(Finding("DA-5", f"decisions.{candidate.entry_code}", "请对每个候选品种作出审定",
                                    f"no decision on {candidate.entry_code}"))
            continue
        findings += _decide(uow, row, candidate, decisions[candidate.entry_code], decided)
    retirements = retirements_from_data(data.get("retirements"))
    in_catalog = current_catalog_codes(uow, [r.entry_code for r in retirements])
    findings += retirement_findings(retirements, in_catalog, [d for d, _ in decided.values()])
    refuse(findings, code="consolidation_refused")
    for candidate in candidates:
        decision, names = decided[candidate.entry_code]
        candidate.include, candidate.reason, candidate.names = decision.include, decision.reason or None, names
        candidate.category = decision.category.value if decision.category else None
        candidate.max_payment_standard = decision.max_payment_standard
        candidate.restricted_scope = decision.restricted_scope or None
        candidate.decided_at = step.now
    row.retirements = json.dumps([vars(r) for r in retirements], ensure_ascii=False)
    rounds.add(Filing(round_id=row.id, seq=rounds.next_filing_seq(row.id), status="pending", submitted_at=step.now))


def _answer_text(answer: dict[str, Any], name: str, limit: int) -> str:
    value = answer.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidInput(f"the NHSA's answer carries {name}: 1–{limit} characters", field=f"payload.{name}",
                           rule="DA-6")
    return value.strip()


def filing_answered(uow: UnitOfWork, row: Round, step: Step) -> None:
    """Record the NHSA's acknowledgement (with its filing number) or rejection (with reasons) of the filing."""
    require(step.actor, "admission.filing.answer")  # also through the generic messages endpoint (DA-6)
    filing = uow.repository(Rounds).pending_filing(row.id)
    if filing is None:
        raise Conflict("no filing of this round waits for an answer", code="no_pending_filing", rule="DA-6")
    answer = step.data.get("filing_answer") or {}
    if not isinstance(answer, dict):
        raise InvalidInput("the payload must be an object", field="payload", rule="DA-6")
    if step.action.endswith("filing_acknowledged"):
        filing.status, filing.filing_number = "acknowledged", _answer_text(answer, "filing_number", 100)
    else:
        filing.status, filing.reasons = "rejected", _answer_text(answer, "reasons", MAX_ANSWER)
    filing.answered_by, filing.answered_at = step.actor.user_id, step.now


def objection_delivered(uow: UnitOfWork, row: Round, step: Step) -> None:
    """An objection reaches the round only as a recorded, open objection of this round (SV-1)."""
    objection = step.data.get("objection") or {}
    found = uow.repository(Rounds).objection(str(objection.get("objection_id"))) if isinstance(objection, dict) \
        else None
    if found is None or found.round_id != row.id or found.status != "open":
        raise InvalidInput("lodge objections with POST /admission/rounds/{id}/objections", field="payload",
                           rule="SV-1")


def objections_resolved(uow: UnitOfWork, row: Round, step: Step) -> None:
    """Record the bureau's resolution of every open objection; none may stay open (SV-1)."""
    resolutions = _task_data(step).get("resolutions") or {}
    open_ones = uow.repository(Rounds).objections(row.id, status="open")
    unknown = sorted(set(resolutions) - {o.id for o in open_ones})
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not an open objection of this round", field=f"resolutions.{unknown[0]}")
    missing = [Finding("SV-1", f"resolutions.{o.id}", "每项异议都须处理", f"objection {o.id} is not resolved")
               for o in open_ones if o.id not in resolutions]
    refuse(missing, code="objections_unresolved")
    for objection in open_ones:
        answer = resolutions[objection.id]
        objection.status, objection.upheld = "resolved", answer.get("upheld") is True
        objection.resolution = str(answer.get("resolution", "")).strip() or None
        objection.resolved_by, objection.resolved_at = step.actor.user_id, step.now


def decision_of(candidate: Candidate) -> EntryDecision:
    """The bureau's recorded decision on a candidate."""
    return EntryDecision(
        candidate.entry_code, bool(candidate.include),
        PaymentCategory(candidate.category) if candidate.category else None,
        Decimal(candidate.max_payment_standard) if candidate.max_payment_standard is not None else None,
        candidate.restricted_scope or "", candidate.reason or "")
