"""What the registration use cases return: plain views of rows, never ORM objects."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from storage.registration_models import Registration, RegistrationRevision


@dataclass(frozen=True)
class PrescriptionView:
    dose: str
    frequency: str
    quantity_per_fill: Decimal


@dataclass(frozen=True)
class RegistrationView:
    """A registration as its hospital and the bureau see it (ND-6: what it records)."""

    id: str
    instance_id: str | None
    status: str
    psn_no: str
    insurance_type: str
    insurance_region: str
    off_site: bool
    drug: str
    hospital_id: str
    hospital_code: str
    physician_code: str
    diagnosis_code: str
    diagnosis_name: str
    diagnostic_basis: str
    indication: str
    prescription: PrescriptionView
    start_date: date
    end_date: date
    last_valid_day: date
    benefit_year_start: date
    last_reassessed_on: date | None
    next_reassessment_due: date | None
    ended_on: date | None
    end_reason: str | None
    end_note: str | None
    replaces_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RevisionView:
    """One change of a registration with the values it replaced (ND-8, ND-14)."""

    seq: int
    kind: str
    at: datetime
    actor_id: str
    reason: str | None
    previous: dict[str, Any] | None
    current: dict[str, Any]


@dataclass(frozen=True)
class RegistrationPage:
    items: list[RegistrationView]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class DispensingView:
    """A settled dispensing with its itemised split (ND-9, ND-15); ``replayed`` when a retry found it."""

    id: str
    registration_id: str
    psn_no: str
    drug: str
    physician_code: str
    dispenser_code: str
    dispenser_kind: str
    external_ref: str
    quantity: Decimal
    amount: Decimal
    fund: Decimal
    patient: Decimal
    deductible_part: Decimal
    ratio_part: Decimal
    over_limit_part: Decimal
    config_version: int
    dispensed_at: datetime
    reversed_at: datetime | None
    reversal_reason: str | None
    replayed: bool = False
    remaining_limit: Decimal | None = None  # what the fund may still pay this year, right after a settlement (ND-9)


@dataclass(frozen=True)
class AnnualAccountView:
    """The annual accounting of a registration's benefit year (ND-9): spent, remaining and the dispensings."""

    registration_id: str
    psn_no: str
    drug: str
    year_start: date
    year_last_day: date
    annual_limit: Decimal
    fund_paid: Decimal
    remaining: Decimal
    deductible_met: Decimal
    dispensings: list[DispensingView] = field(default_factory=list)


@dataclass(frozen=True)
class PaymentRuleView:
    insurance_type: str
    tier: int
    deductible: Decimal
    fund_ratio: Decimal


@dataclass(frozen=True)
class PaymentConfigView:
    """One version of the payment configuration (ND-15)."""

    version: int
    created_at: datetime
    created_by: str
    note: str | None
    rules: list[PaymentRuleView]


def registration_view(row: Registration) -> RegistrationView:
    """The view of a registration row."""
    return RegistrationView(
        id=row.id, instance_id=row.instance_id, status=row.status, psn_no=row.psn_no,
        insurance_type=row.insurance_type, insurance_region=row.insurance_region, off_site=row.off_site,
        drug=row.drug, hospital_id=row.hospital_id, hospital_code=row.hospital_code,
        physician_code=row.physician_code, diagnosis_code=row.diagnosis_code, diagnosis_name=row.diagnosis_name,
        diagnostic_basis=row.diagnostic_basis, indication=row.indication,
        prescription=PrescriptionView(row.dose, row.frequency, row.quantity_per_fill), start_date=row.start_date,
        end_date=row.end_date, last_valid_day=row.end_date - timedelta(days=1),
        benefit_year_start=row.benefit_year_start, last_reassessed_on=row.last_reassessed_on,
        next_reassessment_due=row.next_reassessment_due, ended_on=row.ended_on, end_reason=row.end_reason,
        end_note=row.end_note, replaces_id=row.replaces_id, created_at=row.created_at, updated_at=row.updated_at,
    )


def revision_view(row: RegistrationRevision) -> RevisionView:
    """The view of a revision row."""
    return RevisionView(row.seq, row.kind, row.at, row.actor_id, row.reason,
                        json.loads(row.previous) if row.previous else None, json.loads(row.current))


def dispensing_view(row: Any, replayed: bool = False) -> DispensingView:
    """The view of a dispensing row (Core)."""
    patient = row.deductible_part + row.ratio_part + row.over_limit_part
    return DispensingView(
        id=row.id, registration_id=row.registration_id, psn_no=row.psn_no, drug=row.drug,
        physician_code=row.physician_code, dispenser_code=row.dispenser_code, dispenser_kind=row.dispenser_kind,
        external_ref=row.external_ref, quantity=row.quantity, amount=row.amount, fund=row.fund, patient=patient,
        deductible_part=row.deductible_part, ratio_part=row.ratio_part, over_limit_part=row.over_limit_part,
        config_version=row.config_version, dispensed_at=row.dispensed_at, reversed_at=row.reversed_at,
        reversal_reason=row.reversal_reason, replayed=replayed,
    )
