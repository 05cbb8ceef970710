"""Expert review of a candidate (专家论证、评审, DA-5): who may review (DA-5, SV-3), what a review says, and the
summary the bureau consolidates from.

Our reading (POLICY.md DA-5): at least 3 experts covering at least 3 of the 5 fields review each candidate;
inclusion needs a simple majority of the assigned experts — more than half, so a tie is not included — and every
assigned expert must have reviewed before the candidate is consolidated. Only the experts for inclusion propose a
category, a maximum payment standard and a restricted scope.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from domain.admission.categories import PaymentCategory
from domain.admission.findings import Finding
from domain.admission.money import is_amount, to_fen
from domain.admission.round import Candidate
from domain.errors import InvalidInput
from domain.identity import EXPERT_FIELDS

MIN_EXPERTS = 3
MIN_FIELDS = 3
FIELD_LABELS = {
    "clinical_medicine": "临床", "health_administration": "卫生健康", "drug_supervision": "市场（药品）监督管理",
    "insurance_management": "医保管理", "health_economics": "卫生经济学",
}


@dataclass(frozen=True)
class Expert:
    """An expert as assignment sees them: their fields (domain.identity.EXPERT_FIELDS) and employer."""

    expert_id: str
    fields: frozenset[str]
    employer_id: str | None = None


def assignment_findings(candidate: Candidate, experts: Sequence[Expert]) -> list[Finding]:
    """Every reason the experts may not review the candidate: DA-5 (number, fields, repeats), SV-3 (employer)."""
    found = []
    seen: set[str] = set()
    for index, expert in enumerate(experts):
        unknown = sorted(expert.fields - set(EXPERT_FIELDS))
        if unknown:
            raise InvalidInput(f"expert {expert.expert_id} has unknown fields {', '.join(unknown)}",
                               field=f"experts[{index}].fields")
        if expert.expert_id in seen:
            found.append(Finding("DA-5", f"experts[{index}]", "同一专家不能重复指派",
                                 f"expert {expert.expert_id} is assigned twice"))
        seen.add(expert.expert_id)
        if expert.employer_id is not None and expert.employer_id in candidate.hospital_ids:
            found.append(Finding("SV-3", f"experts[{index}]", "专家不得评审本单位提出的申请",
                                 f"expert {expert.expert_id} is employed by an applying hospital"))
    if len(seen) < MIN_EXPERTS:
        found.append(Finding("DA-5", "experts", f"每个拟纳入品种至少指派{MIN_EXPERTS}名专家",
                             f"assign at least {MIN_EXPERTS} experts, got {len(seen)}"))
    covered = set().union(*(e.fields for e in experts))
    if len(covered) < MIN_FIELDS:
        names = "、".join(FIELD_LABELS[f] for f in EXPERT_FIELDS if f in covered) or "无"
        found.append(Finding("DA-5", "experts", f"指派的专家至少覆盖{MIN_FIELDS}个领域（现为：{names}）",
                             f"the experts cover {len(covered)} of the 5 fields, at least {MIN_FIELDS} are needed"))
    return found


@dataclass(frozen=True)
class ExpertReview:
    """One expert's review of one candidate: include or not, and for inclusion the proposed terms (DA-5)."""

    include: bool
    category: PaymentCategory | None = None
    max_payment_standard: Decimal | None = None
    restricted_scope: str = ""
    reasoning: str = ""


def review_findings(review: ExpertReview, where: str = "review") -> list[Finding]:
    """A review gives its reasoning; a vote for inclusion proposes a category, and 甲 a maximum standard (CM-2).

    The panel, not code, judges CA-1 (clinically necessary, safe, effective, reasonably priced) and CX-4 (otherwise
    outside the payment scope): what code holds is that the judgement is written down — a vote for inclusion says
    why CA-1 holds, a vote against records its reason (CX-4)."""
    found = []
    if not review.reasoning.strip() and review.include:
        found.append(Finding("CA-1", f"{where}.reasoning", "建议纳入时请说明临床必需、安全有效、价格合理的理由",
                             "a vote for inclusion states why the product is clinically necessary, safe, effective "
                             "and reasonably priced"))
    elif not review.reasoning.strip():
        found.append(Finding("CX-4", f"{where}.reasoning", "不建议纳入时请记录理由",
                             "a vote against inclusion records its reason"))
    if review.include and review.category is None:
        found.append(Finding("CM-2", f"{where}.category", "建议纳入时请提出支付类别（甲类或乙类）",
                             "a vote for inclusion proposes the payment category"))
    standard = review.max_payment_standard
    if review.include and review.category is PaymentCategory.A and standard is None:
        found.append(Finding("CM-2", f"{where}.max_payment_standard", "甲类医用耗材须提出医保最高支付标准",
                             "a 甲 (A) proposal has a maximum payment standard"))
    if standard is not None and not (is_amount(standard) and standard > 0):
        found.append(Finding("CM-2", f"{where}.max_payment_standard", "医保最高支付标准应大于0，最多两位小数",
                             f"the maximum payment standard must be more than 0 with two decimals, got {standard}"))
    return found


def reviews_findings(assigned: Sequence[str], reviews: Mapping[str, ExpertReview]) -> list[Finding]:
    """Reviews are keyed by expert id; only assigned experts review (SV-3), each review well formed (DA-5, CM-2)."""
    found = []
    for expert_id in sorted(reviews):
        if expert_id not in assigned:
            found.append(Finding("SV-3", f"reviews.{expert_id}", "专家只能评审指派给本人的品种",
                                 f"expert {expert_id} is not assigned to this candidate"))
        found.extend(review_findings(reviews[expert_id], f"reviews.{expert_id}"))
    return found


@dataclass(frozen=True)
class ReviewSummary:
    """The experts' reviews of one candidate, as the bureau sees them when consolidating (DA-5)."""

    entry_code: str
    assigned: tuple[str, ...]
    votes_for: tuple[str, ...]
    votes_against: tuple[str, ...]
    category_votes: Mapping[PaymentCategory, int] = field(default_factory=dict)
    standards: tuple[Decimal, ...] = ()  # the proposed maximum standards, lowest first
    standard_median: Decimal | None = None
    restricted_scopes: tuple[tuple[str, str], ...] = ()  # (expert id, proposed scope), by expert id

    @property
    def missing(self) -> tuple[str, ...]:
        """The assigned experts who have not reviewed yet."""
        voted = set(self.votes_for) | set(self.votes_against)
        return tuple(e for e in self.assigned if e not in voted)

    @property
    def complete(self) -> bool:
        """True when every assigned expert has reviewed."""
        return not self.missing

    @property
    def included(self) -> bool:
        """Complete, and more than half of the assigned experts voted for inclusion (a tie is not)."""
        return self.complete and 2 * len(self.votes_for) > len(self.assigned)


def summarise(entry_code: str, assigned: Sequence[str], reviews: Mapping[str, ExpertReview]) -> ReviewSummary:
    """Count the votes and gather the proposals of the experts for inclusion, keyed by expert, never by order."""
    unexpected = sorted(set(reviews) - set(assigned))
    if unexpected:
        raise InvalidInput(f"reviews from experts not assigned: {', '.join(unexpected)}", field="reviews",
                           rule="SV-3")
    ayes = sorted(e for e, r in reviews.items() if r.include)
    standards = sorted(s for e in ayes if (s := reviews[e].max_payment_standard) is not None)
    categories = [c for e in ayes if (c := reviews[e].category) is not None]
    return ReviewSummary(
        entry_code=entry_code,
        assigned=tuple(sorted(set(assigned))),
        votes_for=tuple(ayes),
        votes_against=tuple(sorted(e for e, r in reviews.items() if not r.include)),
        category_votes={c: categories.count(c) for c in PaymentCategory if c in categories},
        standards=tuple(standards),
        standard_median=to_fen(statistics.median(standards)) if standards else None,
        restricted_scopes=tuple((e, scope) for e in ayes if (scope := reviews[e].restricted_scope.strip())),
    )
