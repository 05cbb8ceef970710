"""Each application learns its outcome with the reason (DA-9): inclusion (DA-4, DA-5), rejection, withdrawal (DA-10)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.admission.categories import PaymentCategory
from domain.admission.decisions import EntryDecision
from domain.admission.findings import Finding
from domain.admission.outcomes import (
    OutcomeKind,
    included_automatically,
    rejected_at_precheck,
    rejected_in_material_review,
    round_outcomes,
    withdrawn_by_hospital,
    withdrawn_deadline_missed,
)
from domain.admission.round import RoundApplication, aggregate
from domain.errors import InvalidInput

STENT = "C02010100100101"
MESH = "C12020300200002"
EFFECTIVE = date(2027, 1, 1)


def test_da9_a_precheck_rejection_gives_every_finding_as_its_reason() -> None:
    findings = [Finding("CA-2", "certificate_expires_on", "注册证或备案在申请日已过有效期", "expired"),
                Finding("CX-1", "use_category", "助听器不予纳入医保医用耗材目录", "excluded")]
    outcome = rejected_at_precheck(findings)
    assert outcome.kind is OutcomeKind.REJECTED_AT_PRECHECK and not outcome.included
    assert outcome.reason == "注册证或备案在申请日已过有效期；助听器不予纳入医保医用耗材目录"
    assert outcome.rules == ("CA-2", "CX-1")
    assert outcome.to_dict()["findings"][1]["field"] == "use_category"  # type: ignore[index]
    with pytest.raises(InvalidInput):
        rejected_at_precheck([])


def test_da9_da10_withdrawals_and_material_rejections_carry_their_reason() -> None:
    assert withdrawn_deadline_missed(date(2026, 10, 16)).reason == "未在补正期限（2026-10-16）内补正材料，视为撤回"
    assert withdrawn_deadline_missed(date(2026, 10, 16)).rules == ("DA-10",)
    assert withdrawn_by_hospital().kind is OutcomeKind.WITHDRAWN_BY_HOSPITAL
    assert rejected_in_material_review(" 说明书与注册证不符 ").reason == "说明书与注册证不符"
    with pytest.raises(InvalidInput) as err:
        rejected_in_material_review("  ")
    assert err.value.rule == "DA-9"


def test_da4_an_auto_inclusion_names_the_entry_and_the_effective_date() -> None:
    outcome = included_automatically(MESH, EFFECTIVE)
    assert outcome.included and outcome.entry_code == MESH and outcome.to_dict()["effective_on"] == "2027-01-01"
    assert outcome.to_dict()["label"] == "自动纳入"


def test_da9_every_application_of_a_candidate_learns_the_candidates_decision() -> None:
    candidates = aggregate([RoundApplication("a1", "h1", STENT + "039410000049"),
                            RoundApplication("a2", "h2", STENT + "039410000050"),
                            RoundApplication("a3", "h3", MESH + "001230000001")])
    decisions = {STENT: EntryDecision(STENT, True, PaymentCategory.B, Decimal("6000.00")),
                 MESH: EntryDecision(MESH, False, reason="经济性评价不足")}
    outcomes = round_outcomes(candidates, decisions, EFFECTIVE)
    assert {k: v.kind for k, v in outcomes.items()} == {
        "a1": OutcomeKind.INCLUDED, "a2": OutcomeKind.INCLUDED, "a3": OutcomeKind.REJECTED_BY_EXPERTS}
    assert outcomes["a1"].effective_on == EFFECTIVE and outcomes["a3"].effective_on is None
    assert outcomes["a3"].reason == "经济性评价不足"
    with pytest.raises(InvalidInput) as err:
        round_outcomes(candidates, {STENT: decisions[STENT]}, EFFECTIVE)
    assert MESH in err.value.detail


def test_every_outcome_kind_has_a_chinese_label() -> None:
    assert all(kind.label for kind in OutcomeKind)
