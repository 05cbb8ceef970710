"""Expert assignment (DA-5, SV-3), reviews keyed by expert (DA-5, CM-2) and the summary the bureau consolidates from."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.admission.categories import PaymentCategory
from domain.admission.experts import (
    Expert,
    ExpertReview,
    assignment_findings,
    review_findings,
    reviews_findings,
    summarise,
)
from domain.admission.findings import refuse
from domain.admission.round import Candidate, RoundApplication
from domain.errors import InvalidInput, PolicyViolation
from domain.identity import EXPERT_FIELDS

STENT = "C01010100101001"
CANDIDATE = Candidate(STENT, (RoundApplication("a1", "h1", STENT + "039410000049"),
                              RoundApplication("a2", "h2", STENT + "039410000050")))
A = PaymentCategory.A
B = PaymentCategory.B


def panel() -> list[Expert]:
    return [Expert("e1", frozenset({"clinical_medicine"}), "h9"),
            Expert("e2", frozenset({"health_economics", "insurance_management"}), "bureau"),
            Expert("e3", frozenset({"drug_supervision"}), None)]


def rules(experts: list[Expert]) -> list[tuple[str, str]]:
    return [(f.rule, f.field) for f in assignment_findings(CANDIDATE, experts)]


def test_da5_three_experts_covering_four_fields_may_review() -> None:
    assert rules(panel()) == []


def test_da5_the_five_fields_are_those_of_domain_identity() -> None:
    assert rules([Expert(f"e{i}", frozenset({f})) for i, f in enumerate(EXPERT_FIELDS)]) == []


def test_da5_fewer_than_three_experts_are_refused() -> None:
    two = [panel()[0], Expert("e2", frozenset({"health_economics", "insurance_management"}))]
    assert rules(two) == [("DA-5", "experts")]


def test_da5_three_experts_from_two_fields_are_refused_with_the_fields_named() -> None:
    narrow = [Expert(f"e{i}", frozenset({"clinical_medicine"})) for i in range(3)]
    narrow[2] = Expert("e2", frozenset({"health_economics"}))
    findings = assignment_findings(CANDIDATE, narrow)
    assert [(f.rule, f.field) for f in findings] == [("DA-5", "experts")]
    assert "临床、卫生经济学" in findings[0].message


def test_da5_the_same_expert_twice_counts_once() -> None:
    assert rules([*panel()[:2], panel()[0]]) == [("DA-5", "experts[2]"), ("DA-5", "experts")]


def test_sv3_an_expert_employed_by_an_applying_hospital_may_not_review() -> None:
    conflicted = [*panel(), Expert("e4", frozenset({"clinical_medicine"}), "h2")]
    assert rules(conflicted) == [("SV-3", "experts[3]")]


def test_da5_sv3_an_assignment_that_breaks_the_rules_is_refused_naming_the_rule() -> None:
    with pytest.raises(PolicyViolation) as err:
        refuse(assignment_findings(CANDIDATE, [Expert("e1", frozenset({"clinical_medicine"}), "h1")]))
    assert (err.value.rule, err.value.field) == ("SV-3", "experts[0]")
    assert [f["rule"] for f in err.value.extra["findings"]] == ["SV-3", "DA-5", "DA-5"]


def test_an_expert_with_an_unknown_field_is_an_input_error() -> None:
    with pytest.raises(InvalidInput):
        assignment_findings(CANDIDATE, [Expert("e1", frozenset({"astrology"}))])


@pytest.mark.parametrize(
    ("review", "fields"),
    [
        (ExpertReview(True, A, Decimal("6000.00"), "限冠心病", "疗效确切"), []),
        (ExpertReview(True, B, None, "", "可纳入"), []),  # 乙 may have no standard (CM-2)
        (ExpertReview(False, reasoning="同类产品已足够"), []),
        (ExpertReview(True, A, None, reasoning="x"), [("CM-2", "review.max_payment_standard")]),
        (ExpertReview(True, None, None, reasoning="x"), [("CM-2", "review.category")]),
        (ExpertReview(True, B, Decimal("0"), reasoning="x"), [("CM-2", "review.max_payment_standard")]),
        (ExpertReview(False), [("CX-4", "review.reasoning")]),
        (ExpertReview(False, reasoning=" \n"), [("CX-4", "review.reasoning")]),
        (ExpertReview(True, B, None, reasoning=""), [("CA-1", "review.reasoning")]),
    ],
)
def test_da5_ca1_cx4_cm2_a_review_states_its_reasoning_and_a_vote_for_inclusion_proposes_terms(
        review: ExpertReview, fields: list[tuple[str, str]]) -> None:
    assert [(f.rule, f.field) for f in review_findings(review)] == fields


def test_sv3_a_review_from_an_expert_not_assigned_is_refused() -> None:
    reviews = {"e9": ExpertReview(False, reasoning="x"), "e1": ExpertReview(False)}
    assert [(f.rule, f.field) for f in reviews_findings(["e1", "e2", "e3"], reviews)] == [
        ("CX-4", "reviews.e1.reasoning"), ("SV-3", "reviews.e9")]
    with pytest.raises(InvalidInput) as err:
        summarise(STENT, ["e1", "e2", "e3"], reviews)
    assert err.value.rule == "SV-3"


def reviews() -> dict[str, ExpertReview]:
    return {
        "e3": ExpertReview(True, B, Decimal("7000.00"), "限二级以上医院", "可替代现有产品"),
        "e1": ExpertReview(True, A, Decimal("6000.00"), "", "疗效确切"),
        "e4": ExpertReview(False, reasoning="价格偏高"),
        "e2": ExpertReview(True, B, Decimal("6500.00"), "限冠心病", "需求明确"),
    }


def test_da5_the_summary_counts_votes_and_gathers_the_proposals_by_expert() -> None:
    summary = summarise(STENT, ["e1", "e2", "e3", "e4"], reviews())
    assert (summary.votes_for, summary.votes_against) == (("e1", "e2", "e3"), ("e4",))
    assert summary.complete and summary.included
    assert summary.category_votes == {A: 1, B: 2}
    assert summary.standards == (Decimal("6000.00"), Decimal("6500.00"), Decimal("7000.00"))
    assert summary.standard_median == Decimal("6500.00")
    assert summary.restricted_scopes == (("e2", "限冠心病"), ("e3", "限二级以上医院"))


def test_da5_the_summary_does_not_depend_on_the_order_reviews_arrived_in() -> None:
    forward = reviews()
    backward = dict(reversed(list(forward.items())))
    assert summarise(STENT, ["e4", "e3", "e2", "e1"], backward) == summarise(STENT, ["e1", "e2", "e3", "e4"], forward)


def test_da5_the_median_of_an_even_number_of_standards_is_rounded_to_the_fen() -> None:
    two = {"e1": ExpertReview(True, B, Decimal("100.00"), reasoning="x"),
           "e2": ExpertReview(True, B, Decimal("100.01"), reasoning="x")}
    assert summarise(STENT, ["e1", "e2", "e3"], two).standard_median == Decimal("100.01")  # 100.005 half up


@pytest.mark.parametrize(
    ("ayes", "nays", "included"),
    [(2, 1, True), (3, 0, True), (1, 2, False), (2, 2, False), (3, 2, True), (0, 3, False)],
)
def test_da5_inclusion_needs_a_simple_majority_and_a_tie_is_not_included(ayes: int, nays: int,
                                                                          included: bool) -> None:
    votes = {f"e{i}": ExpertReview(i < ayes, B, reasoning="x") for i in range(ayes + nays)}
    assert summarise(STENT, sorted(votes), votes).included is included


def test_da5_a_candidate_is_not_included_while_an_assigned_expert_has_not_reviewed() -> None:
    partial = {k: v for k, v in reviews().items() if k in ("e1", "e2", "e3")}
    summary = summarise(STENT, ["e1", "e2", "e3", "e4", "e5"], partial)
    assert summary.missing == ("e4", "e5")
    assert not summary.complete and not summary.included
