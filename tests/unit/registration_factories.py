"""Valid facts for the registration rules' unit tests (tests/unit/test_registration_*.py), changed per test."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from domain.identity import OrganizationFacts
from domain.reference_data import parse_drugs
from domain.registration.dates import validity_end
from domain.registration.eligibility import RegistrationRequest
from domain.registration.facts import (
    ClinicalRecord,
    PatientFacts,
    PhysicianFacts,
    Prescription,
    RegistrationFacts,
)

DRUGS = {d.name: d for d in parse_drugs((Path(__file__).resolve().parents[2] / "data" / "negotiated-drugs.csv")
                                         .read_text(encoding="utf-8"))}
HOSPITAL = OrganizationFacts(kind="hospital", code="H45010300001", name="示例三级医院", region_code="450103", tier=3,
                             specialized=False, cross_province=False)
OTHER_HOSPITAL = replace(HOSPITAL, code="H45010400002", region_code="450104")
PHYSICIAN = PhysicianFacts(code="D450103000001", title="主任医师", specialty="rheumatology",
                           hospital_code=HOSPITAL.code)
COLLEAGUE = replace(PHYSICIAN, code="D450103000002", title="副主任医师")
PATIENT = PatientFacts(psn_no="45010000000000000001", insurance_type="employee", insurance_region="450100",
                       entitled=True)
RECORD = ClinicalRecord(
    diagnosis_code="M05.900", diagnosis_name="类风湿关节炎", diagnostic_basis="ACR/EULAR 2010 评分 7 分，DAS28 5.6",
    indication="类风湿关节炎经传统DMARDs治疗3-6个月疾病活动度下降低于50%", indication_confirmed=True,
    prescription=Prescription(dose="5 mg", frequency="每日2次", quantity_per_fill=Decimal("56")),
)


def request(name: str = "托法替布", **changes: object) -> RegistrationRequest:
    """A valid registration for the drug ``name`` with ``changes`` applied to the request's fields."""
    base = RegistrationRequest(patient=PATIENT, hospital=HOSPITAL, physician=PHYSICIAN, drug_name=name,
                               drug=DRUGS.get(name), record=RECORD)
    return replace(base, **changes)  # type: ignore[arg-type]


def registration(start: date = date(2026, 8, 31), **changes: object) -> RegistrationFacts:
    """A stored registration of PATIENT for 托法替布 by PHYSICIAN at HOSPITAL, a year from ``start``."""
    base = RegistrationFacts(id="r1", psn_no=PATIENT.psn_no, drug="托法替布", hospital_code=HOSPITAL.code,
                             physician_code=PHYSICIAN.code, start=start, end=validity_end(start),
                             benefit_year_start=start)
    return replace(base, **changes)  # type: ignore[arg-type]
