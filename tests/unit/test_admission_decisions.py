"""The consolidated decision: CM-2 terms, CM-3/VBP-1 selected price, VBP-2 cap, VBP-4 coronary stents, DA-5 majority,
DA-9 reasons, and retirements (DA-5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.admission.categories import PaymentCategory, PriceZone
from domain.admission.decisions import (
    EntryDecision,
    ProcurementFacts,
    Retirement,
    decision_findings,
    retirement_findings,
    terms_findings,
)
from domain.admission.experts import ExpertReview, ReviewSummary, summarise
from domain.admission.findings import Finding
from domain.errors import InvalidInput

STENT = "C02010100100101"
MESH = "C12020300200002"
A = PaymentCategory.A
B = PaymentCategory.B


def rules(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.field) for f in findings]


@pytest.mark.parametrize(
    ("category", "standard", "expected"),
    [
        (A, Decimal("6000.00"), []),
        (B, Decimal("6000.00"), []),
        (B, None, []),  # CM-2: a 乙 entry may have no maximum standard
        (A, None, [("CM-2", "max_payment_standard")]),  # CM-2: 甲 has a maximum standard
        (None, Decimal("1.00"), [("CM-2", "category")]),
        (B, Decimal("0.00"), [("CM-2", "max_payment_standard")]),
        (B, Decimal("1.001"), [("CM-2", "max_payment_standard")]),
    ],
)
def test_cm2_an_included_entry_has_a_category_and_a_a_entry_has_a_maximum_standard(
        category: PaymentCategory | None, standard: Decimal | None, expected: list[tuple[str, str]]) -> None:
    assert rules(terms_findings(category, standard)) == expected


SELECTED = ProcurementFacts(selected=True, selected_price=Decimal("590.00"))


@pytest.mark.parametrize(
    ("standard", "expected"),
    [(Decimal("590.00"), []), (Decimal("600.00"), [("VBP-1", "max_payment_standard")]),
     (None, [("CM-3", "max_payment_standard")])],
)
def test_cm3_vbp1_a_selected_products_standard_is_its_selected_price_set_at_inclusion(
        standard: Decimal | None, expected: list[tuple[str, str]]) -> None:
    assert rules(terms_findings(B, standard, SELECTED)) == expected


NON_SELECTED = ProcurementFacts(selected=False, highest_selected_price=Decimal("798.00"))


@pytest.mark.parametrize(
    ("standard", "expected"),
    [(Decimal("798.00"), []), (Decimal("700.00"), []), (Decimal("798.01"), [("VBP-2", "max_payment_standard")]),
     (None, [("VBP-2", "max_payment_standard")])],
)
def test_vbp2_a_non_selected_standard_does_not_exceed_the_highest_selected_price(
        standard: Decimal | None, expected: list[tuple[str, str]]) -> None:
    assert rules(terms_findings(B, standard, NON_SELECTED)) == expected


def stent(listing: str | None, zone: PriceZone | None) -> ProcurementFacts:
    return ProcurementFacts(selected=False, highest_selected_price=Decimal("798.00"), coronary_stent=True,
                            listing_price=Decimal(listing) if listing else None, price_zone=zone)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (stent("7000.00", PriceZone.HIGH), []),
        (stent("2500.00", PriceZone.LOW), []),
        (stent("7000.01", PriceZone.HIGH), [("VBP-4", "procurement.listing_price")]),
        (stent(None, PriceZone.MIDDLE), [("VBP-4", "procurement.listing_price")]),
        (stent("3000.00", None), [("VBP-4", "procurement.price_zone")]),
    ],
)
def test_vbp4_a_non_selected_coronary_stent_is_listed_at_most_7000_yuan_with_a_price_zone(
        facts: ProcurementFacts, expected: list[tuple[str, str]]) -> None:
    assert rules(terms_findings(B, Decimal("798.00"), facts)) == expected


def test_vbp4_price_zones_have_chinese_labels() -> None:
    assert [z.label for z in PriceZone] == ["高价区", "中价区", "低价区"]


def summary(ayes: int, nays: int, assigned: int | None = None) -> ReviewSummary:
    votes = {f"e{i}": ExpertReview(i < ayes, B, Decimal("6000.00"), reasoning="x") for i in range(ayes + nays)}
    return summarise(STENT, [f"e{i}" for i in range(assigned or ayes + nays)], votes)


def test_da5_the_decision_follows_the_experts_majority() -> None:
    include = EntryDecision(STENT, True, B, Decimal("6000.00"))
    exclude = EntryDecision(STENT, False, reason="临床替代产品充足")
    assert decision_findings(include, summary(2, 1)) == []
    assert decision_findings(exclude, summary(1, 2)) == []
    assert rules(decision_findings(include, summary(2, 2))) == [("DA-5", "include")]  # a tie is not included
    assert rules(decision_findings(exclude, summary(3, 0))) == [("DA-5", "include")]


def test_da5_no_decision_before_every_assigned_expert_has_reviewed() -> None:
    findings = decision_findings(EntryDecision(STENT, True, B), summary(2, 0, assigned=3))
    assert rules(findings) == [("DA-5", "reviews")] and "e2" in findings[0].detail


def test_da9_a_decision_not_to_include_states_its_reason() -> None:
    assert rules(decision_findings(EntryDecision(STENT, False))) == [("DA-9", "reason")]


def test_an_included_decision_checks_its_terms() -> None:
    decision = EntryDecision(STENT, True, A, None, procurement=SELECTED)
    assert rules(decision_findings(decision)) == [("CM-2", "max_payment_standard"), ("CM-3", "max_payment_standard")]


def test_a_summary_of_another_entry_is_an_input_error() -> None:
    with pytest.raises(InvalidInput):
        decision_findings(EntryDecision(MESH, True, B), summary(2, 1))


def test_da5_retirements_name_current_entries_once_with_a_reason() -> None:
    catalog = {STENT, MESH}
    assert retirement_findings([Retirement(MESH, "已无临床使用")], catalog) == []
    findings = retirement_findings(
        [Retirement("C99999999999999", "x"), Retirement(MESH, " "), Retirement(MESH, "重复"),
         Retirement(STENT, "与本轮决定冲突")],
        catalog, [EntryDecision(STENT, True, B)])
    assert rules(findings) == [("DA-5", "retirements[0].entry_code"), ("DA-5", "retirements[1].reason"),
                               ("DA-5", "retirements[2].entry_code"), ("DA-5", "retirements[3].entry_code")]
