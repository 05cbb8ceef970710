"""The outcome each application learns, with the reason at every rejection (DA-9, our reading).

An outcome is final: included automatically (DA-4) or after review, rejected at pre-check, in material review or by
the experts, or withdrawn — by the hospital or because a supplement deadline passed (DA-10).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.admission.decisions import EntryDecision
from domain.admission.findings import Finding, rules_of
from domain.admission.round import Candidate
from domain.errors import InvalidInput


class OutcomeKind(StrEnum):
    """How an application ended (办理结果)."""

    INCLUDED_AUTOMATICALLY = "included_automatically"
    INCLUDED = "included"
    REJECTED_AT_PRECHECK = "rejected_at_precheck"
    REJECTED_IN_MATERIAL_REVIEW = "rejected_in_material_review"
    REJECTED_BY_EXPERTS = "rejected_by_experts"
    WITHDRAWN_BY_HOSPITAL = "withdrawn_by_hospital"
    WITHDRAWN_DEADLINE_MISSED = "withdrawn_deadline_missed"

    @property
    def label(self) -> str:
        """The Chinese label the hospital sees."""
        return _LABELS[self]


_LABELS = {
    OutcomeKind.INCLUDED_AUTOMATICALLY: "自动纳入", OutcomeKind.INCLUDED: "经专家评审纳入",
    OutcomeKind.REJECTED_AT_PRECHECK: "预审未通过", OutcomeKind.REJECTED_IN_MATERIAL_REVIEW: "材料审核未通过",
    OutcomeKind.REJECTED_BY_EXPERTS: "专家评审未通过", OutcomeKind.WITHDRAWN_BY_HOSPITAL: "医疗机构撤回",
    OutcomeKind.WITHDRAWN_DEADLINE_MISSED: "逾期未补正，视为撤回",
}


@dataclass(frozen=True)
class Outcome:
    """An application's outcome: kind, the reason in Chinese, the rules behind it, and where it was included."""

    kind: OutcomeKind
    reason: str
    rules: tuple[str, ...] = ()
    entry_code: str | None = None
    effective_on: date | None = None  # the catalog version's effective date, for an inclusion (CM-6)
    findings: tuple[Finding, ...] = ()

    @property
    def included(self) -> bool:
        """True for both kinds of inclusion."""
        return self.kind in (OutcomeKind.INCLUDED, OutcomeKind.INCLUDED_AUTOMATICALLY)

    def to_dict(self) -> dict[str, object]:
        """The outcome as plain data for task data and API bodies."""
        return {"kind": self.kind.value, "label": self.kind.label, "reason": self.reason, "rules": list(self.rules),
                "entry_code": self.entry_code,
                "effective_on": self.effective_on.isoformat() if self.effective_on else None,
                "findings": [f.to_dict() for f in self.findings]}


def _reason(text: str) -> str:
    if not text.strip():
        raise InvalidInput("a rejection or withdrawal states its reason", field="reason", rule="DA-9")
    return text.strip()


def rejected_at_precheck(findings: Sequence[Finding]) -> Outcome:
    """Rejected by the automatic pre-check, with every finding as the reason."""
    if not findings:
        raise InvalidInput("a pre-check rejection has findings", field="findings", rule="DA-9")
    return Outcome(OutcomeKind.REJECTED_AT_PRECHECK, "；".join(f.message for f in findings), rules_of(findings),
                   findings=tuple(findings))


def rejected_in_material_review(reason: str) -> Outcome:
    """Rejected by the bureau officer reviewing the materials, with their reason."""
    return Outcome(OutcomeKind.REJECTED_IN_MATERIAL_REVIEW, _reason(reason), ("DA-3",))


def withdrawn_by_hospital(reason: str = "医疗机构主动撤回申请") -> Outcome:
    """Withdrawn by the applying hospital."""
    return Outcome(OutcomeKind.WITHDRAWN_BY_HOSPITAL, _reason(reason), ("DA-9",))


def withdrawn_deadline_missed(deadline: date) -> Outcome:
    """Closed as withdrawn because the supplement deadline passed (DA-10)."""
    return Outcome(OutcomeKind.WITHDRAWN_DEADLINE_MISSED, f"未在补正期限（{deadline.isoformat()}）内补正材料，视为撤回",
                   ("DA-10",))


def included_automatically(entry_code: str, effective_on: date) -> Outcome:
    """Included under an existing entry by the auto-inclusion fast path (DA-4)."""
    reason = f"编码前15位与目录内品种{entry_code}一致且功能用途相同，自动纳入"
    return Outcome(OutcomeKind.INCLUDED_AUTOMATICALLY, reason, ("DA-4",), entry_code, effective_on)


def round_outcomes(candidates: Sequence[Candidate], decisions: Mapping[str, EntryDecision],
                   effective_on: date) -> dict[str, Outcome]:
    """The outcome of every application of the round's candidates, by application id, from the decisions by entry."""
    missing = [c.entry_code for c in candidates if c.entry_code not in decisions]
    if missing:
        raise InvalidInput(f"no decision for candidates {', '.join(missing)}", field="decisions", rule="DA-5")
    outcomes: dict[str, Outcome] = {}
    for candidate in candidates:
        decision = decisions[candidate.entry_code]
        if decision.include:
            outcome = Outcome(OutcomeKind.INCLUDED, f"经专家评审纳入目录品种{candidate.entry_code}", ("DA-5",),
                              candidate.entry_code, effective_on)
        else:
            outcome = Outcome(OutcomeKind.REJECTED_BY_EXPERTS, _reason(decision.reason), ("DA-5",),
                              candidate.entry_code)
        outcomes.update((a.application_id, outcome) for a in candidate.applications)
    return outcomes
