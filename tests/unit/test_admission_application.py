"""The application's facts and its automatic pre-check: CA-2…CA-5, CM-5, CX-1…CX-3, DA-2 (POLICY.md section 1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.admission.application import (
    ApplicationFacts,
    ServiceItem,
    check_draft,
    missing_findings,
    precheck,
)
from domain.admission.categories import (
    CX1_EXCLUDED,
    REQUIRED_DOCUMENTS,
    CertificateKind,
    DocumentKind,
    ProcurementStatus,
    UseCategory,
)
from domain.admission.findings import Finding, refuse, rules_of
from domain.errors import PolicyViolation

APPLIED_ON = date(2026, 9, 15)


def complete(**changes: object) -> ApplicationFacts:
    """A complete application that passes the pre-check; ``changes`` replace fields."""
    facts = ApplicationFacts(
        code="C01010100101001039410000049",
        product_name="气管支气管覆膜支架",
        manufacturer="南京微创医学科技股份有限公司",
        specification="MTN-QZ-16-60",
        certificate_number="国械注准20173461234",
        certificate_kind=CertificateKind.REGISTRATION,
        certificate_issued_on=date(2022, 3, 1),
        certificate_expires_on=date(2027, 2, 28),
        use_category=UseCategory.INTERVENTIONAL,
        separately_chargeable=True,
        service_items=(ServiceItem("310701001", "气管支气管支架置入术"),),
        price=Decimal("8000.00"),
        online_procurement=ProcurementStatus.PURCHASED_ONLINE,
        economic_evaluation="与现有术式相比缩短住院日2天。",
        annual_fund_impact=Decimal("120000.00"),
        documents=frozenset(DocumentKind),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def pairs(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.rule, f.field) for f in findings}


def test_a_complete_valid_application_passes_the_precheck() -> None:
    assert precheck(complete(), APPLIED_ON) == []


def test_precheck_reports_every_failure_at_once_each_naming_rule_and_field() -> None:
    facts = complete(
        code="C0101010010100103941",
        certificate_expires_on=date(2026, 9, 14),
        certificate_revoked=True,
        use_category=UseCategory.HEARING_AIDS,
        separately_chargeable=False,
        service_items=(),
        documents=frozenset({DocumentKind.APPLICATION_FORM}),
    )
    assert pairs(precheck(facts, APPLIED_ON)) == {
        ("CM-5", "code"), ("CA-2", "certificate_expires_on"), ("CX-3", "certificate_revoked"),
        ("CX-1", "use_category"), ("CX-2", "separately_chargeable"), ("CA-5", "service_items"),
        ("DA-2", "documents.application_letter"), ("DA-2", "documents.certificate"),
        ("DA-2", "documents.instructions"),
    }


def test_every_finding_has_a_chinese_message_and_an_english_detail() -> None:
    def chinese(text: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in text)

    findings = precheck(ApplicationFacts(use_category=UseCategory.DENTURES, certificate_number="x"), APPLIED_ON)
    assert len(findings) > 10
    for finding in findings:
        assert chinese(finding.message) and not chinese(finding.detail), finding


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("C01010100101001", "CM-5"),  # the 15-character entry code instead of the product's
        ("C010101001010010394100000491", "CM-5"),
        ("C0101010010100103941000004X", "CA-4"),
        ("X01010100101001039410000049", "CA-4"),
    ],
)
def test_cm5_an_incomplete_code_and_ca4_a_malformed_code_are_refused(code: str, rule: str) -> None:
    assert pairs(precheck(complete(code=code), APPLIED_ON)) == {(rule, "code")}


def test_cm1_the_entry_code_is_the_first_15_characters_of_a_valid_code() -> None:
    assert complete().entry_code == "C01010100101001"
    assert complete(code="C0101").entry_code is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"certificate_expires_on": date(2026, 9, 14)}, "certificate_expires_on"),  # expired the day before
        ({"certificate_issued_on": date(2026, 9, 16)}, "certificate_issued_on"),  # not yet valid
        ({"certificate_expires_on": None}, "certificate_expires_on"),  # a registration has an expiry
        ({"certificate_expires_on": date(2022, 3, 1)}, "certificate_expires_on"),  # not after the issue date
        ({"certificate_number": "国械注准2017346123"}, "certificate_number"),
        ({"certificate_number": "国械备20150001号"}, "certificate_number"),  # a filing number for a registration
        ({"certificate_kind": None}, "certificate_kind"),
    ],
)
def test_ca2_the_certificate_must_be_well_formed_and_valid_on_the_application_date(changes: dict[str, object],
                                                                                  field: str) -> None:
    assert pairs(precheck(complete(**changes), APPLIED_ON)) == {("CA-2", field)}


def test_ca2_a_certificate_is_valid_on_its_expiry_day() -> None:
    assert precheck(complete(certificate_expires_on=APPLIED_ON), APPLIED_ON) == []


@pytest.mark.parametrize("number", ["国械备20150001号", "京朝械备20150001号", "苏锡械备20170018"])
def test_ca2_a_filing_needs_no_expiry_date(number: str) -> None:
    facts = complete(certificate_kind=CertificateKind.FILING, certificate_number=number, certificate_expires_on=None)
    assert precheck(facts, APPLIED_ON) == []


@pytest.mark.parametrize("number", ["国械注准20153460123", "粤械注准20172640123", "国械注进20163461234",
                                    "国械注许20183460001"])
def test_ca2_registration_numbers_of_national_provincial_and_imported_products_are_accepted(number: str) -> None:
    assert check_draft(complete(certificate_number=number)) == []


@pytest.mark.parametrize("category", sorted(CX1_EXCLUDED))
def test_cx1_every_excluded_use_category_is_rejected_at_precheck(category: UseCategory) -> None:
    findings = precheck(complete(use_category=category), APPLIED_ON)
    assert pairs(findings) == {("CX-1", "use_category")}
    assert category.label in findings[0].message


def test_cx1_the_categories_have_stable_keys_and_chinese_labels_and_therapeutic_ones_pass() -> None:
    assert len({c.label for c in UseCategory}) == len(UseCategory)
    assert UseCategory("hearing_aids").label == "助听器" and UseCategory.SPECTACLES.excluded
    for category in set(UseCategory) - CX1_EXCLUDED:
        assert precheck(complete(use_category=category), APPLIED_ON) == [], category


def test_cx2_a_consumable_declared_not_separately_chargeable_is_rejected() -> None:
    assert pairs(precheck(complete(separately_chargeable=False), APPLIED_ON)) == {("CX-2", "separately_chargeable")}


def test_ca3_the_separately_chargeable_declaration_is_required() -> None:
    assert pairs(precheck(complete(separately_chargeable=None), APPLIED_ON)) == {("CA-3", "separately_chargeable")}


def test_cx3_a_revoked_registration_is_rejected() -> None:
    assert pairs(precheck(complete(certificate_revoked=True), APPLIED_ON)) == {("CX-3", "certificate_revoked")}


@pytest.mark.parametrize("code", ["310701001", "310701001a", "331501001-1", "003107010010000",
                                  "003107010010000-310701001"])
def test_ca5_service_item_codes_of_the_national_and_nhsa_forms_are_accepted(code: str) -> None:
    assert precheck(complete(service_items=(ServiceItem(code, "支架置入术"),)), APPLIED_ON) == []


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ((), "service_items"),
        ((ServiceItem("31070100", "支架置入术"),), "service_items[0].code"),
        ((ServiceItem("3107010011", "支架置入术"),), "service_items[0].code"),
        ((ServiceItem("310701001", " "),), "service_items[0].name"),
        ((ServiceItem("310701001", "甲"), ServiceItem("310701001", "乙")), "service_items[1].code"),
    ],
)
def test_ca5_at_least_one_well_formed_service_item_is_required(items: tuple[ServiceItem, ...], field: str) -> None:
    assert pairs(precheck(complete(service_items=items), APPLIED_ON)) == {("CA-5", field)}


@pytest.mark.parametrize("kind", REQUIRED_DOCUMENTS)
def test_da2_each_of_the_documents_of_items_1_to_4_is_required(kind: DocumentKind) -> None:
    facts = complete(documents=frozenset(DocumentKind) - {kind})
    assert pairs(precheck(facts, APPLIED_ON)) == {("DA-2", f"documents.{kind.value}")}


def test_da2_the_item_5_materials_are_optional_documents() -> None:
    assert precheck(complete(documents=frozenset(REQUIRED_DOCUMENTS)), APPLIED_ON) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": Decimal("0")}, "price"),
        ({"price": Decimal("-1.00")}, "price"),
        ({"price": Decimal("10.005")}, "price"),
        ({"price": Decimal("NaN")}, "price"),
        ({"price": None}, "price"),
        ({"online_procurement": None}, "online_procurement"),
        ({"economic_evaluation": "  "}, "economic_evaluation"),
        ({"economic_evaluation": "评" * 4001}, "economic_evaluation"),
        ({"annual_fund_impact": None}, "annual_fund_impact"),
        ({"annual_fund_impact": Decimal("1.234")}, "annual_fund_impact"),
        ({"product_name": None}, "product_name"),
        ({"manufacturer": ""}, "manufacturer"),
        ({"specification": None}, "specification"),
    ],
)
def test_da2_price_procurement_evaluation_fund_impact_and_product_facts_are_required_data(
        changes: dict[str, object], field: str) -> None:
    assert pairs(precheck(complete(**changes), APPLIED_ON)) == {("DA-2", field)}


def test_da2_a_negative_fund_impact_is_a_saving_and_is_accepted() -> None:
    assert precheck(complete(annual_fund_impact=Decimal("-35000.50")), APPLIED_ON) == []


def test_an_empty_draft_has_no_format_findings_but_misses_everything_at_precheck() -> None:
    assert check_draft(ApplicationFacts()) == []
    missing = pairs(missing_findings(ApplicationFacts()))
    assert ("CM-5", "code") in missing and ("CX-1", "use_category") in missing and len(missing) == 18


def test_a_draft_is_checked_only_for_the_format_of_what_it_holds() -> None:
    draft = ApplicationFacts(code="C0101", certificate_expires_on=date(2020, 1, 1),
                             use_category=UseCategory.SPECTACLES, price=Decimal("1.999"))
    assert pairs(check_draft(draft)) == {("CM-5", "code"), ("DA-2", "price")}


def test_refuse_raises_one_policy_violation_carrying_every_finding() -> None:
    findings = precheck(complete(certificate_revoked=True, separately_chargeable=False), APPLIED_ON)
    assert rules_of(findings) == ("CX-3", "CX-2")
    with pytest.raises(PolicyViolation) as err:
        refuse(findings)
    assert (err.value.rule, err.value.field) == ("CX-3", "certificate_revoked")
    assert [f["rule"] for f in err.value.extra["findings"]] == ["CX-3", "CX-2"]
    refuse([])  # nothing to refuse


def test_cm5_a_blank_code_is_reported_once_as_missing() -> None:
    findings = precheck(complete(code="   "), APPLIED_ON)
    assert [(f.rule, f.field, f.detail) for f in findings] == [("CM-5", "code", "code is required")]
