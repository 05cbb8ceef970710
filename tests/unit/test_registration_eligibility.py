"""Checks of a new registration: ND-2 patient, ND-3 hospital and one at a time, ND-4 physician, ND-5 drug, ND-6 record,
ND-10 off-site, ND-16 specialist; no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import PolicyViolation
from domain.identity import OrganizationFacts
from domain.registration.eligibility import (
    Period,
    RegistrationRequest,
    check_registration,
    record_violations,
    region_contains,
    registration_violations,
)
from domain.registration.facts import ClinicalRecord, PatientFacts, PhysicianFacts, RegistrationFacts
from tests.unit.registration_factories import DRUGS, HOSPITAL, PATIENT, PHYSICIAN, RECORD, request

TODAY = date(2026, 8, 31)


def existing(hospital: str = "H45010400002", drug: str = "托法替布", start: date = date(2026, 3, 1),
             **changes: object) -> RegistrationFacts:
    """A registration of the same patient made earlier."""
    base = RegistrationFacts(id="old", psn_no=PATIENT.psn_no, drug=drug, hospital_code=hospital,
                             physician_code="D450104000009", start=start, end=date(start.year + 1, start.month, 1),
                             benefit_year_start=start)
    return replace(base, **changes)  # type: ignore[arg-type]


def refusals(req: RegistrationRequest, before: tuple[RegistrationFacts, ...] = ()) -> list[tuple[str, str]]:
    """(rule, field) of every refusal of ``req`` registered today."""
    found = registration_violations(req, before, Period.starting(TODAY))
    return [(v.rule or "", v.field or "") for v in found]


def test_nd2_to_nd6_a_complete_registration_by_a_senior_physician_at_a_tier3_hospital_is_accepted() -> None:
    accepted = check_registration(request(), [], TODAY)
    assert accepted.period == Period(date(2026, 8, 31), date(2027, 8, 31), date(2026, 8, 31))
    assert (accepted.psn_no, accepted.drug, accepted.hospital_code, accepted.physician_code) == (
        PATIENT.psn_no, "托法替布", HOSPITAL.code, PHYSICIAN.code)
    assert (accepted.insurance_region, accepted.off_site) == ("450100", False)
    facts = accepted.facts("r1")
    assert (facts.id, facts.start, facts.end, facts.last_reassessed_on) == ("r1", TODAY, date(2027, 8, 31), None)


@pytest.mark.parametrize(
    ("patient", "field"),
    [
        (replace(PATIENT, insurance_type="commercial"), "insurance_type"),
        (replace(PATIENT, insurance_type=""), "insurance_type"),
        (replace(PATIENT, entitled=False), "entitled"),
        (replace(PATIENT, psn_no=""), "psn_no"),
        (replace(PATIENT, psn_no="4501 0000"), "psn_no"),
    ],
)
def test_nd2_patient_must_be_employee_or_resident_insured_and_entitled(patient: PatientFacts, field: str) -> None:
    assert refusals(request(patient=patient)) == [("ND-2", field)]


@pytest.mark.parametrize("insurance_type", ["employee", "resident"])
def test_nd2_employee_and_resident_insurance_are_accepted(insurance_type: str) -> None:
    assert refusals(request(patient=replace(PATIENT, insurance_type=insurance_type))) == []


@pytest.mark.parametrize(
    "hospital",
    [
        replace(HOSPITAL, tier=2),
        replace(HOSPITAL, tier=1),
        replace(HOSPITAL, designated=False),
        OrganizationFacts(kind="pharmacy", code="P45010300001", name="药房", region_code="450103", dual_channel=True),
    ],
)
def test_nd3_only_a_designated_tier3_hospital_registers(hospital: OrganizationFacts) -> None:
    assert ("ND-3", "hospital") in refusals(request(hospital=hospital))


def test_nd3_tier3_specialized_hospital_registers_too() -> None:
    assert refusals(request(hospital=replace(HOSPITAL, specialized=True))) == []


@pytest.mark.parametrize(
    "other",
    [
        existing(),  # at another hospital, active
        existing(hospital=HOSPITAL.code),  # at this hospital
        existing(last_reassessed_on=None, start=date(2026, 1, 15)),  # suspended counts: it is still registered
        existing(start=date(2026, 9, 10)),  # a pending one that would overlap
    ],
)
def test_nd3_one_registration_per_patient_and_drug_at_a_time(other: RegistrationFacts) -> None:
    with pytest.raises(PolicyViolation) as exc:
        check_registration(request(), [other], TODAY)
    assert (exc.value.rule, exc.value.field) == ("ND-3", "drug")


@pytest.mark.parametrize(
    "other",
    [
        existing(drug="巴瑞替尼"),  # another drug
        existing(ended_on=date(2026, 8, 31), end_reason="cancelled"),  # ended today
        existing(start=date(2025, 8, 1)),  # expired on 2026-08-01
        existing(psn_no="someone-else"),
    ],
)
def test_nd3_an_ended_expired_or_unrelated_registration_does_not_block(other: RegistrationFacts) -> None:
    assert refusals(request(), (other,)) == []


@pytest.mark.parametrize(
    ("physician", "rules"),
    [
        (replace(PHYSICIAN, title="主治医师"), [("ND-4", "physician")]),
        (replace(PHYSICIAN, title="住院医师"), [("ND-4", "physician")]),
        (replace(PHYSICIAN, title=None), [("ND-4", "physician")]),
        (replace(PHYSICIAN, hospital_code="H45010400002"), [("ND-4", "physician")]),
        (replace(PHYSICIAN, title="主治医师", hospital_code="H45010400002"), [("ND-4", "physician")] * 2),
    ],
)
def test_nd4_physician_must_be_senior_and_of_that_hospital(physician: PhysicianFacts,
                                                          rules: list[tuple[str, str]]) -> None:
    assert refusals(request(physician=physician)) == rules


def test_nd4_associate_chief_physician_is_senior() -> None:
    assert refusals(request(physician=replace(PHYSICIAN, title="副主任医师"))) == []


def test_nd5_drug_must_be_in_the_current_list() -> None:
    assert refusals(request("阿司匹林")) == [("ND-5", "drug")]


@pytest.mark.parametrize(
    ("start", "end", "accepted"),
    [
        (date(2025, 1, 1), date(2026, 8, 30), False),  # ended yesterday
        (date(2025, 1, 1), date(2026, 8, 31), True),  # the last day of the agreement is covered
        (date(2026, 9, 1), date(2028, 12, 31), False),  # not yet begun
        (None, None, True),  # the list states no agreement period: covered while listed
    ],
)
def test_nd5_drug_must_be_within_its_agreement_period(start: date | None, end: date | None, accepted: bool) -> None:
    drug = replace(DRUGS["托法替布"], agreement_start=start, agreement_end=end)
    assert refusals(request(drug=drug)) == ([] if accepted else [("ND-5", "drug")])


def test_nd5_physician_must_confirm_the_restricted_indication() -> None:
    assert refusals(request(record=replace(RECORD, indication_confirmed=False))) == [("ND-5", "indication_confirmed")]


def test_nd5_a_restricted_drug_names_the_indication_that_applies() -> None:
    assert ("ND-5", "indication") in refusals(request(record=replace(RECORD, indication=" ")))


def test_nd5_a_drug_without_restriction_needs_no_indication() -> None:
    record = replace(RECORD, diagnosis_code="E83.100", diagnosis_name="输血依赖性铁过载", indication="")
    physician = replace(PHYSICIAN, specialty="hematology")
    assert refusals(request("地拉罗司", record=record, physician=physician)) == []


@pytest.mark.parametrize("code", ["M05.900", "L40.000x001", "I10.x00x002", "K50.9", "U07.1", "E75.2", "C34", "M05.80"])
def test_nd6_icd10_codes_of_who_and_the_national_clinical_version_are_accepted(code: str) -> None:
    assert record_violations(replace(RECORD, diagnosis_code=code)) == []


@pytest.mark.parametrize(
    "code", ["m05.900", "M5.9", "M05.", "M05.90000", "05.900", "M05-900", "M05.900x01", "", " M05"]
)
def test_nd6_malformed_icd10_codes_are_refused(code: str) -> None:
    assert [(v.rule, v.field) for v in record_violations(replace(RECORD, diagnosis_code=code))] == [
        ("ND-6", "diagnosis_code")]


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (replace(RECORD, diagnosis_name=""), "diagnosis_name"),
        (replace(RECORD, diagnosis_name="病" * 201), "diagnosis_name"),
        (replace(RECORD, diagnostic_basis="  "), "diagnostic_basis"),
        (replace(RECORD, indication="适" * 501), "indication"),
        (replace(RECORD, prescription=replace(RECORD.prescription, dose="")), "prescription.dose"),
        (replace(RECORD, prescription=replace(RECORD.prescription, frequency="")), "prescription.frequency"),
    ],
)
def test_nd6_record_needs_diagnosis_basis_and_prescription(record: ClinicalRecord, field: str) -> None:
    assert [(v.rule, v.field) for v in record_violations(record)] == [("ND-6", field)]


@pytest.mark.parametrize(
    "quantity",
    [0, -1, Decimal("0"), Decimal("-0.5"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("1.005"),
     Decimal("100000"), 1.5, True, "28"],
)
def test_nd6_quantity_per_fill_must_be_a_positive_finite_amount(quantity: object) -> None:
    record = replace(RECORD, prescription=replace(RECORD.prescription, quantity_per_fill=quantity))  # type: ignore[arg-type]
    assert [(v.rule, v.field) for v in record_violations(record)] == [("ND-6", "prescription.quantity_per_fill")]


@pytest.mark.parametrize("quantity", [1, 28, Decimal("0.5"), Decimal("99999"), Decimal("2.50")])
def test_nd6_whole_and_decimal_quantities_are_accepted(quantity: Decimal | int) -> None:
    record = replace(RECORD, prescription=replace(RECORD.prescription, quantity_per_fill=quantity))
    assert record_violations(record) == []


@pytest.mark.parametrize(
    ("region", "division", "inside"),
    [
        ("450100", "450103", True),  # a city pool contains its districts
        ("450000", "451302", True),  # a provincial pool contains the province
        ("110000", "110105", True),
        ("450100", "450200", False),
        ("110000", "450103", False),
        ("450103", "450103", True),
    ],
)
def test_nd10_insurance_region_contains_its_divisions(region: str, division: str, inside: bool) -> None:
    assert region_contains(region, division) is inside


def test_nd10_patient_insured_elsewhere_needs_a_hospital_with_cross_province_settlement() -> None:
    elsewhere = replace(PATIENT, insurance_region="110000")
    assert refusals(request(patient=elsewhere)) == [("ND-10", "hospital")]
    accepted = check_registration(request(patient=elsewhere, hospital=replace(HOSPITAL, cross_province=True)), [],
                                  TODAY)
    assert (accepted.off_site, accepted.insurance_region) == (True, "110000")


@pytest.mark.parametrize("region", ["45010", "4501000", "ABCDEF", "001234", ""])
def test_nd10_insurance_region_must_be_a_gbt2260_code(region: str) -> None:
    assert refusals(request(patient=replace(PATIENT, insurance_region=region))) == [("ND-10", "insurance_region")]


@pytest.mark.parametrize(
    ("drug", "indication", "specialty", "accepted"),
    [
        ("托法替布", "类风湿关节炎", "cardiology", False),
        ("巴瑞替尼", "类风湿关节炎", "rheumatology", True),
        ("阿达木单抗", "中重度斑块状银屑病", "dermatology", True),  # exempt indication (ND-16, our reading)
        ("阿达木单抗", "强直性脊柱炎", "dermatology", False),
        ("英夫利西单抗", "克罗恩病患者的二线治疗", "gastroenterology", True),
        ("英夫利西单抗", "中重度溃疡性结肠炎患者的二线治疗", "gastroenterology", True),
        ("依那西普", "强直性脊柱炎", None, False),
        ("司库奇尤单抗", "中重度斑块状银屑病", "dermatology", True),
        ("维得利珠单抗", "中度至重度活动性克罗恩病", "gastroenterology", True),  # no specialist rule
    ],
)
def test_nd16_only_the_required_specialist_registers_for_that_indication(
    drug: str, indication: str, specialty: str | None, accepted: bool
) -> None:
    found = refusals(request(drug, physician=replace(PHYSICIAN, specialty=specialty),
                             record=replace(RECORD, indication=indication)))
    assert found == ([] if accepted else [("ND-16", "physician")])


def test_every_refusal_is_reported_and_the_first_is_raised_with_its_rule() -> None:
    bad = request(hospital=replace(HOSPITAL, tier=2), physician=replace(PHYSICIAN, title="主治医师"),
                  patient=replace(PATIENT, entitled=False))
    with pytest.raises(PolicyViolation) as exc:
        check_registration(bad, [], TODAY)
    assert (exc.value.rule, exc.value.field) == ("ND-2", "entitled")
    assert "ND-2" in exc.value.detail
    assert [v["rule"] for v in exc.value.extra["violations"]] == ["ND-2", "ND-3", "ND-4"]

