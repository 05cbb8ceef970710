"""Who may be registered for which drug, where and by whom (ND-2…ND-6, ND-10, ND-16): the checks of a registration.

Each ``*_violations`` function returns every refusal it finds as a ``PolicyViolation`` naming its rule and field;
``check_registration`` raises the first, carrying them all in ``extra['violations']``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.errors import PolicyViolation
from domain.identity import OrganizationFacts, is_senior
from domain.reference_data import DrugRow, specialty_required
from domain.registration.dates import covered_until, validity_end
from domain.registration.facts import (
    INSURANCE_TYPES,
    ClinicalRecord,
    PatientFacts,
    PhysicianFacts,
    RegistrationFacts,
    raise_first,
    violation,
)

# ICD-10 by format, not by lookup: a category (M05), optionally a subdivision of up to four characters, where the
# national clinical version writes "x" for an absent digit (I10.x00), and its extension x + 3 digits (L40.000x001).
ICD10 = re.compile(r"[A-Z][0-9]{2}(?:\.[0-9x][0-9A-Z]{0,3}(?:x[0-9]{3})?)?")
REGION_CODE = re.compile(r"(?!00)[0-9]{6}")  # GB/T 2260 administrative division
PSN_NO = re.compile(r"[0-9A-Za-z]{1,64}")
MAX_QUANTITY = Decimal("99999")
TEXT_LIMITS = {"diagnosis_name": 200, "diagnostic_basis": 2000, "indication": 500}


@dataclass(frozen=True)
class RegistrationRequest:
    """What a physician submits to register a patient for one drug at their hospital (ND-2…ND-6)."""

    patient: PatientFacts
    hospital: OrganizationFacts
    physician: PhysicianFacts
    drug_name: str
    drug: DrugRow | None  # the current list's row of that name; None when the list has none (ND-1, ND-5)
    record: ClinicalRecord


@dataclass(frozen=True)
class Period:
    """The validity a new registration would have: [start, end) and the start of its benefit year (ND-7, ND-9)."""

    start: date
    end: date
    benefit_year_start: date

    @classmethod
    def starting(cls, start: date) -> Period:
        """A full year from ``start`` (ND-7), its own benefit year."""
        return cls(start, validity_end(start), start)


@dataclass(frozen=True)
class NewRegistration:
    """An accepted registration: who, what, where, when, and whether it is off-site (ND-10)."""

    psn_no: str
    drug: str
    hospital_code: str
    physician_code: str
    insurance_type: str
    insurance_region: str
    off_site: bool
    period: Period

    def facts(self, registration_id: str) -> RegistrationFacts:
        """The registration as stored under ``registration_id``."""
        return RegistrationFacts(
            id=registration_id, psn_no=self.psn_no, drug=self.drug, hospital_code=self.hospital_code,
            physician_code=self.physician_code, start=self.period.start, end=self.period.end,
            benefit_year_start=self.period.benefit_year_start,
        )


def patient_violations(patient: PatientFacts) -> list[PolicyViolation]:
    """ND-2: insured in employee or resident basic insurance and currently entitled to benefits."""
    found = []
    if not PSN_NO.fullmatch(patient.psn_no):
        found.append(violation("ND-2", "psn_no", "the insured person number must be 1–64 letters or digits"))
    if patient.insurance_type not in INSURANCE_TYPES:
        found.append(violation("ND-2", "insurance_type", "the patient must be insured in employee or resident "
                                                         f"basic medical insurance, not '{patient.insurance_type}'"))
    if not patient.entitled:
        found.append(violation("ND-2", "entitled", "the patient is not currently entitled to benefits"))
    return found


def hospital_violations(hospital: OrganizationFacts) -> list[PolicyViolation]:
    """ND-3: a designated tier-3 (三级) general or specialized hospital."""
    if hospital.kind != "hospital":
        return [violation("ND-3", "hospital", f"{hospital.code} is not a hospital")]
    found = []
    if not hospital.designated:
        found.append(violation("ND-3", "hospital", f"{hospital.code} is not a designated hospital"))
    if hospital.tier != 3:
        found.append(violation("ND-3", "hospital", f"{hospital.code} is a tier-{hospital.tier} hospital, "
                                                   "not tier 3"))
    return found


def physician_violations(physician: PhysicianFacts, hospital_code: str, drug: DrugRow | None,
                         indication: str) -> list[PolicyViolation]:
    """ND-4: a senior physician (主任医师 or 副主任医师) of that hospital; ND-16: the specialty the indication needs."""
    found = []
    if not is_senior(physician.title):
        found.append(violation("ND-4", "physician", f"physician {physician.code} is {physician.title or 'untitled'}"
                                                    ", not 主任医师 or 副主任医师"))
    if physician.hospital_code != hospital_code:
        found.append(violation("ND-4", "physician", f"physician {physician.code} does not belong to "
                                                    f"hospital {hospital_code}"))
    needed = specialty_required(drug, indication) if drug is not None and indication.strip() else None
    if needed is not None and physician.specialty != needed:
        found.append(violation("ND-16", "physician", f"{drug.name if drug else ''} for '{indication}' needs a "
                                                     f"{needed} specialist, physician {physician.code} is "
                                                     f"{physician.specialty or 'without specialty'}"))
    return found


def drug_covered(drug: DrugRow, on: date) -> bool:
    """True when ``on`` lies in the drug's agreement period, inclusive; a drug without one is covered (ND-5, ND-12)."""
    if drug.agreement_start is not None and on < drug.agreement_start:
        return False
    return drug.agreement_end is None or on <= drug.agreement_end


def drug_violations(drug_name: str, drug: DrugRow | None, record: ClinicalRecord, on: date) -> list[PolicyViolation]:
    """ND-5: the drug is in the current list, within its agreement period, and its restriction is confirmed."""
    if drug is None:
        return [violation("ND-5", "drug", f"'{drug_name}' is not in the current negotiated-drug list")]
    found = []
    if not drug_covered(drug, on):
        found.append(violation("ND-5", "drug", f"{drug.name} is outside its agreement period on {on.isoformat()}"))
    if drug.restriction.strip() and not record.indication.strip():
        found.append(violation("ND-5", "indication", f"name the restricted indication of {drug.name} that applies"))
    if not record.indication_confirmed:
        found.append(violation("ND-5", "indication_confirmed",
                               f"the physician must confirm that the restricted indication of {drug.name} applies"))
    return found


def record_violations(record: ClinicalRecord) -> list[PolicyViolation]:
    """ND-6: ICD-10 diagnosis code and name, diagnostic basis and prescription (dose, frequency, quantity per fill)."""
    found = []
    if not ICD10.fullmatch(record.diagnosis_code):
        found.append(violation("ND-6", "diagnosis_code", f"'{record.diagnosis_code}' is not an ICD-10 code "
                                                         "(e.g. M05.900, L40.000x001)"))
    for name, limit in TEXT_LIMITS.items():
        value: str = getattr(record, name)
        if (name != "indication" and not value.strip()) or len(value) > limit:
            found.append(violation("ND-6", name, f"{name} must be 1–{limit} characters"))
    prescription = record.prescription
    for name in ("dose", "frequency"):
        value = getattr(prescription, name)
        if not value.strip() or len(value) > 100:
            found.append(violation("ND-6", f"prescription.{name}", f"{name} must be 1–100 characters"))
    if not is_quantity(prescription.quantity_per_fill):
        found.append(violation("ND-6", "prescription.quantity_per_fill", "quantity per fill must be a positive "
                                                                         f"number up to {MAX_QUANTITY} with at most "
                                                                         "two decimals"))
    return found


def is_quantity(value: object) -> bool:
    """True for a positive finite quantity up to MAX_QUANTITY with at most two decimals; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return False  # a float is refused: it cannot say 0.1 exactly
    amount = Decimal(value)
    exponent = amount.as_tuple().exponent
    return amount.is_finite() and isinstance(exponent, int) and exponent >= -2 and 0 < amount <= MAX_QUANTITY


def region_contains(region: str, division: str) -> bool:
    """True when GB/T 2260 ``division`` lies within ``region`` (450100 contains 450124; 450000 contains 451302)."""
    prefix = region
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return division.startswith(prefix)


def off_site_violations(patient: PatientFacts, hospital: OrganizationFacts) -> list[PolicyViolation]:
    """ND-10: a patient insured elsewhere registers only where cross-province direct settlement is open."""
    if not REGION_CODE.fullmatch(patient.insurance_region):
        return [violation("ND-10", "insurance_region", "the insurance region must be a 6-digit GB/T 2260 code")]
    if not region_contains(patient.insurance_region, hospital.region_code) and not hospital.cross_province:
        return [violation("ND-10", "hospital", f"the patient is insured in {patient.insurance_region}: hospital "
                                               f"{hospital.code} has no cross-province direct settlement")]
    return []


def duplicate_violations(psn_no: str, drug_name: str, period: Period, existing: Sequence[RegistrationFacts],
                         replacing: str | None = None) -> list[PolicyViolation]:
    """ND-3: one registration per patient and drug at a time: no other one covers a day of ``period``."""
    for other in existing:
        if other.id == replacing or other.psn_no != psn_no or other.drug != drug_name:
            continue
        if other.start < period.end and period.start < covered_until(other):
            return [violation("ND-3", "drug", f"the patient is already registered for {drug_name} at hospital "
                                              f"{other.hospital_code} until {_last_day(other)}")]
    return []


def _last_day(registration: RegistrationFacts) -> str:
    return (covered_until(registration) - timedelta(days=1)).isoformat()


def registration_violations(request: RegistrationRequest, existing: Sequence[RegistrationFacts], period: Period,
                            replacing: str | None = None) -> list[PolicyViolation]:
    """Every refusal of ``request`` for ``period``, in rule order (ND-2…ND-6, ND-10, ND-16)."""
    record = request.record
    return [
        *patient_violations(request.patient),
        *hospital_violations(request.hospital),
        *duplicate_violations(request.patient.psn_no, request.drug_name, period, existing, replacing),
        *physician_violations(request.physician, request.hospital.code, request.drug, record.indication),
        *drug_violations(request.drug_name, request.drug, record, period.start),
        *record_violations(record),
        *off_site_violations(request.patient, request.hospital),
    ]


def accept(request: RegistrationRequest, existing: Sequence[RegistrationFacts], period: Period,
           replacing: str | None = None) -> NewRegistration:
    """Raise the first refusal of ``request`` for ``period`` (all in ``extra``), else the accepted registration."""
    raise_first(registration_violations(request, existing, period, replacing))
    return NewRegistration(
        psn_no=request.patient.psn_no, drug=request.drug_name, hospital_code=request.hospital.code,
        physician_code=request.physician.code, insurance_type=request.patient.insurance_type,
        insurance_region=request.patient.insurance_region,
        off_site=not region_contains(request.patient.insurance_region, request.hospital.region_code),
        period=period,
    )


def check_registration(request: RegistrationRequest, existing: Sequence[RegistrationFacts],
                       today: date) -> NewRegistration:
    """Check a new registration starting ``today`` for a year against the patient's ``existing`` ones (ND-2…ND-16)."""
    return accept(request, existing, Period.starting(today))
