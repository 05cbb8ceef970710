"""The facts the registration rules read: patient, physician, clinical record, stored registration (ND-2…ND-8)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import PolicyViolation

INSURANCE_TYPES = ("employee", "resident")  # 职工 / 城乡居民基本医疗保险 (ND-2)
# pending: a renewal waiting for its start (ND-7); the others in docs/registration-dates.md.
STATUSES = ("pending", "active", "suspended", "expired", "ended")
# Why a registration ended before its term (ND-12, ND-14); expiry at the end of the year is not an end reason.
END_REASONS = ("cancelled", "hospital_changed", "agreement_ended", "drug_delisted")


@dataclass(frozen=True)
class PatientFacts:
    """The insured patient (参保人) as the insurance system reports them (ND-2, ND-10)."""

    psn_no: str  # 人员编号, opaque
    insurance_type: str  # employee | resident
    insurance_region: str  # 参保地 (insu_admdv): 6-digit GB/T 2260 division of the insurance pool
    entitled: bool  # 正常享受医保待遇: currently entitled to benefits


@dataclass(frozen=True)
class PhysicianFacts:
    """A physician acting on a registration: code, title, specialty and the hospital they belong to (ND-4, ND-16)."""

    code: str  # D + 6-digit division + 6-digit sequence
    title: str | None  # 主任医师 | 副主任医师 | 主治医师 | 住院医师
    specialty: str | None  # lower-case identifier, e.g. rheumatology
    hospital_code: str  # H-code of the physician's own hospital


@dataclass(frozen=True)
class Prescription:
    """处方信息 (ND-6): dose and frequency as written, quantity dispensed per fill."""

    dose: str  # e.g. "40 mg"
    frequency: str  # e.g. "每2周1次"
    quantity_per_fill: Decimal | int  # positive, at most two decimals


@dataclass(frozen=True)
class ClinicalRecord:
    """What a registration, reassessment or update records (ND-5, ND-6)."""

    diagnosis_code: str  # ICD-10, e.g. M05.900 or L40.000x001
    diagnosis_name: str
    diagnostic_basis: str  # 诊断依据
    indication: str  # the restricted indication (限定支付范围) the drug is registered for
    indication_confirmed: bool  # the physician confirms the restriction applies (ND-5)
    prescription: Prescription


@dataclass(frozen=True)
class RegistrationFacts:
    """One stored registration as the rules read it; ``end`` is exclusive (docs/registration-dates.md)."""

    id: str
    psn_no: str
    drug: str  # the drug's name in the list (unique per list version, ND-1)
    hospital_code: str
    physician_code: str
    start: date
    end: date
    benefit_year_start: date  # == start, except after a change of hospital (ND-9, ND-14)
    last_reassessed_on: date | None = None
    ended_on: date | None = None  # set when it ended before its term
    end_reason: str | None = None


def violation(rule: str, field: str, detail: str, code: str | None = None) -> PolicyViolation:
    """A refusal by ``rule`` of POLICY.md, naming the offending ``field``."""
    return PolicyViolation(f"{detail} ({rule})", rule=rule, field=field, code=code)


def raise_first(violations: Iterable[PolicyViolation]) -> None:
    """Raise the first violation, carrying every violation in ``extra['violations']``; do nothing if none."""
    found = list(violations)
    if not found:
        return
    first = found[0]
    listed: list[dict[str, Any]] = [{"rule": v.rule, "field": v.field, "detail": v.detail} for v in found]
    first.extra["violations"] = listed
    raise first
