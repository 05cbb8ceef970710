"""The decisions the admission diagrams call by name: plain data in, plain data out (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.admission.categories import PaymentCategory
from domain.admission.process import (
    any_upheld,
    deadline_missed,
    facts_digest,
    material_rejection,
    precheck_rejection,
    precheck_submission,
    review_plan,
    withdrawal,
)
from domain.admission.round_data import (
    decision_from_data,
    decision_to_data,
    names_from_data,
    retirements_from_data,
    review_from_data,
)
from domain.errors import InvalidInput

from ..admission_support import NEW_ENTRY, REQUIRED_KINDS, facts

TODAY = date(2026, 9, 1)


def complete() -> dict[str, object]:
    return {**facts(), "documents": list(REQUIRED_KINDS)}


def test_a_complete_application_passes_the_precheck_with_its_entry_and_digest_only() -> None:
    result = precheck_submission(complete(), TODAY)
    assert result == {"passed": True, "entry_code": NEW_ENTRY, "facts_digest": facts_digest(complete())}
    assert len(result["facts_digest"]) == 32


def test_ca2_an_expired_certificate_fails_the_precheck_with_every_reason_at_once() -> None:
    application = {**complete(), "certificate_expires_on": "2026-08-31", "use_category": "hearing_aids"}
    del application["documents"]
    result = precheck_submission(application, TODAY)
    assert result["passed"] is False
    assert result["rules"] == ["DA-2", "CA-2", "CX-1"]
    fields = [f["field"] for f in result["findings"]]
    assert "certificate_expires_on" in fields and "use_category" in fields and "documents.instructions" in fields
    outcome = precheck_rejection(result)
    assert outcome["kind"] == "rejected_at_precheck" and "已过有效期" in str(outcome["reason"])


@pytest.mark.parametrize("application", [None, "text", ["code"], {"unknown_field": 1}])
def test_da2_an_application_of_the_wrong_shape_fails_the_precheck_instead_of_crashing(application: object) -> None:
    result = precheck_submission(application, TODAY)
    assert result["passed"] is False and result["rules"] == ["DA-2"]


def test_the_facts_digest_does_not_depend_on_the_order_of_the_keys_but_on_every_value() -> None:
    one = complete()
    assert facts_digest(dict(reversed(list(one.items())))) == facts_digest(one)
    assert facts_digest({**one, "price": "1280.01"}) != facts_digest(one)


def test_da9_material_rejection_deadline_and_withdrawal_outcomes_carry_their_reasons() -> None:
    assert material_rejection("材料不齐")["reason"] == "材料不齐"
    with pytest.raises(InvalidInput):
        material_rejection("  ")
    missed = deadline_missed("2026-09-08")
    assert missed["kind"] == "withdrawn_deadline_missed" and "2026-09-08" in str(missed["reason"])
    assert missed["rules"] == ["DA-10"]
    assert withdrawal("不再申请")["reason"] == "不再申请"
    assert withdrawal("")["reason"] == "医疗机构主动撤回申请"


def test_da5_the_review_plan_keys_each_review_by_candidate_and_expert() -> None:
    plan = review_plan({"C02010105200001": ["e2", "e1", "e1"], NEW_ENTRY: ["e3"]})
    assert list(plan) == ["C02010105200001/e1", "C02010105200001/e2", f"{NEW_ENTRY}/e3"]
    assert plan["C02010105200001/e1"] == {"entry_code": "C02010105200001", "expert_id": "e1"}


@pytest.mark.parametrize("assignments", [[], {NEW_ENTRY: "e1"}, {NEW_ENTRY: [1]}, {"C1": ["e1"]},
                                          {NEW_ENTRY: ["e"] * 26}])
def test_da5_a_malformed_assignment_is_refused_naming_its_field(assignments: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        review_plan(assignments)
    assert refused.value.field is not None and refused.value.field.startswith("assignments")


def test_sv1_any_upheld_objection_sends_the_round_back() -> None:
    assert any_upheld({"o1": {"upheld": False}, "o2": {"upheld": True}}) is True
    assert any_upheld({"o1": {"upheld": False}}) is False
    with pytest.raises(InvalidInput):
        any_upheld([])


def test_cm2_a_review_reads_its_category_and_standard() -> None:
    review = review_from_data({"include": True, "category": "甲", "max_payment_standard": "99.50",
                               "reasoning": " ok "})
    assert (review.category, review.max_payment_standard, review.reasoning) == (
        PaymentCategory.A, Decimal("99.50"), "ok")
    for bad in ({"include": "yes"}, {"include": True, "category": "丙"},
                {"include": True, "max_payment_standard": "NaN"}, {"include": True, "max_payment_standard": 1.5}):
        with pytest.raises(InvalidInput):
            review_from_data(bad)


def test_a_decision_and_its_names_read_back_as_plain_data() -> None:
    decision, names = decision_from_data(NEW_ENTRY, {
        "include": True, "category": "乙", "max_payment_standard": "1200", "restricted_scope": "限三级医院",
        "names": {"primary_class": "一", "secondary_class": "二", "tertiary_class": "三", "common_name": "导管"}},
        "decisions.x")
    assert names is not None and names.common_name == "导管" and names.material == ""
    assert decision_to_data(decision) == {"include": True, "category": "乙", "max_payment_standard": "1200",
                                          "restricted_scope": "限三级医院", "reason": ""}
    assert names_from_data(None, "n") is None
    with pytest.raises(InvalidInput):
        names_from_data({"common_name": "x" * 101}, "n")


def test_da5_retirements_read_as_entry_and_reason() -> None:
    assert retirements_from_data(None) == ()
    (one,) = retirements_from_data([{"entry_code": "C01010100101004", "reason": "临床已淘汰"}])
    assert (one.entry_code, one.reason) == ("C01010100101004", "临床已淘汰")
    for bad in ({"entry_code": "x"}, [{"entry_code": 1}], ["x"]):
        with pytest.raises(InvalidInput):
            retirements_from_data(bad)
