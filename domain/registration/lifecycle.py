"""What may happen to a registration after it is made: reassessment and update (ND-8), change and cancellation
(ND-14), renewal (ND-7) and the end of a drug's agreement (ND-12). Each check returns the registration's new facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.errors import PolicyViolation
from domain.reference_data import DrugRow
from domain.registration.dates import renewal_dates, renewal_opens, status
from domain.registration.eligibility import (
    NewRegistration,
    Period,
    RegistrationRequest,
    accept,
    drug_covered,
    physician_violations,
    record_violations,
    registration_violations,
)
from domain.registration.facts import ClinicalRecord, PhysicianFacts, RegistrationFacts, raise_first, violation

MAX_REASON = 500
LIVE = ("pending", "active", "suspended")  # not yet ended or expired


@dataclass(frozen=True)
class HospitalChange:
    """A change of designated hospital (ND-14): the registrations that end, and the new one at the new hospital."""

    ended: tuple[RegistrationFacts, ...]
    new: NewRegistration


@dataclass(frozen=True)
class Renewal:
    """A renewal (ND-7): the new registration from the old end, and the current one with the day's reassessment."""

    current: RegistrationFacts
    new: NewRegistration


@dataclass(frozen=True)
class Ending:
    """A registration that ends because its drug's coverage ended (ND-12)."""

    registration_id: str
    ended_on: date
    reason: str  # agreement_ended | drug_delisted


def reason_violations(reason: str, rule: str) -> list[PolicyViolation]:
    """A recorded reason: 1–500 characters (ND-8 update, ND-14 change and cancellation)."""
    if not reason.strip() or len(reason) > MAX_REASON:
        return [violation(rule, "reason", f"give a reason of 1–{MAX_REASON} characters")]
    return []


def _status_violations(registration: RegistrationFacts, today: date, allowed: tuple[str, ...],
                       rule: str, action: str) -> list[PolicyViolation]:
    current = status(registration, today)
    if current not in allowed:
        return [violation(rule, "registration", f"registration {registration.id} is {current}: it cannot be "
                                                f"{action}")]
    return []


def _clinical_violations(registration: RegistrationFacts, physician: PhysicianFacts, drug: DrugRow | None,
                         record: ClinicalRecord, today: date) -> list[PolicyViolation]:
    """A senior physician of the registered hospital with the needed specialty, a complete confirmed record."""
    found = physician_violations(physician, registration.hospital_code, drug, record.indication)
    if drug is None or not drug_covered(drug, today):
        found.append(violation("ND-12", "drug", f"{registration.drug} is no longer covered"))
    if not record.indication_confirmed:
        found.append(violation("ND-5", "indication_confirmed", "confirm that the restricted indication applies"))
    return found + record_violations(record)


def reassess(registration: RegistrationFacts, physician: PhysicianFacts, drug: DrugRow | None,
             record: ClinicalRecord, today: date) -> RegistrationFacts:
    """ND-8: any senior physician of the hospital reassesses; the next due counts from today (lifts a suspension)."""
    raise_first([
        *_status_violations(registration, today, ("active", "suspended"), "ND-8", "reassessed"),
        *_clinical_violations(registration, physician, drug, record, today),
    ])
    return replace(registration, last_reassessed_on=today)


def check_update(registration: RegistrationFacts, physician: PhysicianFacts, drug: DrugRow | None,
                 record: ClinicalRecord, reason: str, today: date) -> None:
    """ND-8: a senior physician of the hospital updates the record, with a reason; not a reassessment."""
    raise_first([
        *_status_violations(registration, today, ("active", "suspended"), "ND-8", "updated"),
        *_clinical_violations(registration, physician, drug, record, today),
        *reason_violations(reason, "ND-8"),
    ])


def change_physician(registration: RegistrationFacts, physician: PhysicianFacts, drug: DrugRow | None,
                     indication: str, reason: str, today: date) -> RegistrationFacts:
    """ND-14: amend the registered physician — another senior physician of the same hospital — with a reason."""
    found = _status_violations(registration, today, LIVE, "ND-14", "amended")
    if physician.code == registration.physician_code:
        found.append(violation("ND-14", "physician", f"{physician.code} is already the registered physician"))
    found += physician_violations(physician, registration.hospital_code, drug, indication)
    raise_first(found + reason_violations(reason, "ND-14"))
    return replace(registration, physician_code=physician.code)


def cancel(registration: RegistrationFacts, reason: str, today: date) -> RegistrationFacts:
    """ND-14: end a registration (or a pending renewal) today, with a reason."""
    raise_first([
        *_status_violations(registration, today, LIVE, "ND-14", "cancelled"),
        *reason_violations(reason, "ND-14"),
    ])
    return replace(registration, ended_on=today, end_reason="cancelled")


def change_hospital(current: RegistrationFacts, request: RegistrationRequest, existing: Sequence[RegistrationFacts],
                    reason: str, today: date) -> HospitalChange:
    """ND-14: end ``current`` (and a renewal pending after it) today; register at the new hospital until the old end.

    Our reading: the new registration keeps the old end and benefit year, so a change never restarts the annual limit.
    """
    found = _status_violations(current, today, ("active", "suspended"), "ND-14", "moved to another hospital")
    found += _same_patient_and_drug(current, request, "ND-14")
    if request.hospital.code == current.hospital_code:
        found.append(violation("ND-14", "hospital", f"the patient is already registered at {current.hospital_code}"))
    period = Period(today, current.end, current.benefit_year_start)
    raise_first(found + reason_violations(reason, "ND-14")
                + registration_violations(request, existing, period, replacing=current.id))
    follow_ups = [r for r in existing if r.psn_no == current.psn_no and r.drug == current.drug
                  and r.start == current.end and status(r, today) == "pending"]
    ended = tuple(replace(r, ended_on=today, end_reason="hospital_changed") for r in (current, *follow_ups))
    return HospitalChange(ended=ended, new=accept(request, existing, period, replacing=current.id))


def renew(current: RegistrationFacts, request: RegistrationRequest, existing: Sequence[RegistrationFacts],
          today: date) -> Renewal:
    """ND-7: during the last month, register again at the same hospital from the old end, without a gap."""
    found = _status_violations(current, today, ("active", "suspended"), "ND-7", "renewed")
    if not renewal_opens(current) <= today < current.end:
        found.append(violation("ND-7", "registration", f"registration {current.id} can be renewed from "
                                                       f"{renewal_opens(current).isoformat()} to "
                                                       f"{(current.end - timedelta(days=1)).isoformat()}"))
    found += _same_patient_and_drug(current, request, "ND-7")
    if request.hospital.code != current.hospital_code:
        found.append(violation("ND-7", "hospital", "a renewal stays at the registered hospital; change it first"))
    window = renewal_dates(current)
    period = Period(window.start, window.end, window.start)
    raise_first(found + registration_violations(request, existing, period))
    new = accept(request, existing, period)
    # Renewing assesses the patient afresh, so it counts as the current registration's reassessment too.
    return Renewal(current=replace(current, last_reassessed_on=today), new=new)


def _same_patient_and_drug(current: RegistrationFacts, request: RegistrationRequest,
                           rule: str) -> list[PolicyViolation]:
    found = []
    if request.patient.psn_no != current.psn_no:
        found.append(violation(rule, "psn_no", f"registration {current.id} belongs to another patient"))
    if request.drug_name != current.drug:
        found.append(violation(rule, "drug", f"registration {current.id} is for {current.drug}"))
    return found


def endings_for_drug_list(registrations: Iterable[RegistrationFacts], drugs: Mapping[str, DrugRow],
                          today: date) -> list[Ending]:
    """ND-12: the live registrations whose drug left the list or whose agreement ended, with the day they end."""
    endings = []
    for registration in registrations:
        if status(registration, today) not in LIVE:
            continue
        drug = drugs.get(registration.drug)
        if drug is None:
            endings.append(Ending(registration.id, today, "drug_delisted"))
        elif drug.agreement_end is not None and drug.agreement_end < today:
            endings.append(Ending(registration.id, drug.agreement_end + timedelta(days=1), "agreement_ended"))
    return endings

