"""Use cases that make a registration (ND-2…ND-7, ND-10, ND-14, ND-16): register, change of hospital, renewal.

Each checks the request with the domain rules first, writes the row, then starts the registration's instance in the
same transaction; the database's ND-3 index settles two hospitals registering one patient at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.actors import Actor
from domain.dates import china_date
from domain.errors import Conflict, NotFound, PolicyViolation
from domain.permissions import require
from domain.registration import lifecycle
from domain.registration.dates import status
from domain.registration.eligibility import NewRegistration, RegistrationRequest, check_registration
from domain.registration.facts import ClinicalRecord, RegistrationFacts
from storage.models import new_id
from storage.registration import Registrations
from storage.registration_models import Registration
from storage.uow import UnitOfWork

from .. import clock
from ..context import Services
from . import engine_ops
from .ending import end_registration
from .facts import (
    Physician,
    acting_physician,
    clinical_record,
    current_drugs,
    form_values,
    organization_facts,
    patient_facts,
    record_values,
    refresh,
    registration_facts,
    restate,
    write_record,
)
from .queries import visible_row
from .views import RegistrationView, registration_view

RENEW_TASK = "renew"


@dataclass(frozen=True)
class RegistrationInput:
    """What a physician submits: the patient (ND-2, ND-10), the drug (ND-5) and the clinical record (ND-6)."""

    patient: Mapping[str, Any]
    drug: str
    record: Mapping[str, Any]


@dataclass(frozen=True)
class _Made:
    request: RegistrationRequest
    physician: Physician
    record: ClinicalRecord


def _request(uow: UnitOfWork, actor: Actor, given: RegistrationInput) -> _Made:
    physician = acting_physician(uow, actor)
    hospital = physician.hospital
    if hospital is None:
        raise NotFound("the physician's hospital is gone", code="organization_not_found")
    record = clinical_record(given.record)
    request = RegistrationRequest(patient=patient_facts(given.patient), hospital=organization_facts(hospital),
                                  physician=physician.facts, drug_name=given.drug,
                                  drug=current_drugs(uow).get(given.drug), record=record)
    return _Made(request, physician, record)


def _existing(uow: UnitOfWork, psn_no: str, drug: str) -> list[RegistrationFacts]:
    return [registration_facts(r) for r in uow.repository(Registrations).of_patient(psn_no, drug, lock=True)]


def _lock_patient(uow: UnitOfWork, psn_no: str, drug: str) -> Sequence[Registration]:
    """The patient's registrations for ``drug``, locked after their instances (the order of every engine step:
    ``queries.visible_row``), for a use case that steps some of those instances."""
    repo = uow.repository(Registrations)
    uow.store.lock([r.instance_id for r in repo.of_patient(psn_no, drug) if r.instance_id is not None])
    return repo.of_patient(psn_no, drug, lock=True)


def _insert(uow: UnitOfWork, made: _Made, accepted: NewRegistration, now: datetime, actor: Actor,
            replaces: str | None, reason: str) -> Registration:
    """Write the accepted registration; the ND-3 index refuses a second one in force for the patient and drug."""
    period, today = accepted.period, china_date(now)
    row = Registration(
        id=new_id(), instance_id=None, psn_no=accepted.psn_no, insurance_type=accepted.insurance_type,
        insurance_region=accepted.insurance_region, off_site=accepted.off_site, drug=accepted.drug,
        hospital_id=made.physician.user.org_id, hospital_code=accepted.hospital_code,
        physician_id=made.physician.user.id, physician_code=accepted.physician_code, **record_values(made.record),
        start_date=period.start, end_date=period.end, benefit_year_start=period.benefit_year_start,
        last_reassessed_on=None, next_reassessment_due=None, status="pending" if period.start > today else "active",
        ended_on=None, end_reason=None, end_note=None, replaces_id=replaces, created_at=now,
        created_by=actor.user_id, updated_at=now,
    )
    restate(row, row.status)  # its next reassessment due date in the INSERT, not in an UPDATE after it
    repo = uow.repository(Registrations)
    repo.add(row)
    try:
        uow.flush()
    except Conflict as exc:
        if exc.code != "duplicate":
            raise
        raise PolicyViolation(f"the patient is already registered for {accepted.drug} at another hospital (ND-3)",
                              rule="ND-3", field="drug", code="already_registered") from None
    repo.add_revision(row.id, "registered", now, actor.user_id, record_values(made.record), reason=reason, first=True)
    return row


def _start(services: Services, uow: UnitOfWork, actor: Actor, row: Registration, now: datetime) -> None:
    data = {"start": row.start_date.isoformat(), "end": row.end_date.isoformat(), "reassessed_on": None}
    engine_ops.start(services, uow, actor, row.id, data, now)


def _commit(uow: UnitOfWork, drug: str) -> None:
    try:
        uow.commit()
    except Conflict as exc:
        if exc.code != "duplicate":
            raise
        raise PolicyViolation(f"the patient is already registered for {drug} at another hospital (ND-3)",
                              rule="ND-3", field="drug", code="already_registered") from None


def register(services: Services, actor: Actor, given: RegistrationInput) -> RegistrationView:
    """A senior physician registers a patient for one drug at their hospital from today, for a year (ND-2…ND-7)."""
    require(actor, "registration.create")
    with services.uow() as uow:
        now = clock.now(services, uow)
        made = _request(uow, actor, given)
        patient = made.request.patient
        accepted = check_registration(made.request, _existing(uow, patient.psn_no, given.drug), china_date(now))
        row = _insert(uow, made, accepted, now, actor, None, "registered")
        _start(services, uow, actor, row, now)
        view = registration_view(row)
        _commit(uow, given.drug)
        return view


def change_hospital(services: Services, actor: Actor, given: RegistrationInput, reason: str) -> RegistrationView:
    """ND-14: a senior physician of the new hospital moves the patient's registration there; the old one ends today
    (with a renewal pending after it), the new one runs to the old end in the same benefit year."""
    require(actor, "registration.create")
    with services.uow() as uow:
        now = clock.now(services, uow)
        today = china_date(now)
        made = _request(uow, actor, given)
        rows = _lock_patient(uow, made.request.patient.psn_no, given.drug)
        current = next((r for r in rows if status(registration_facts(r), today) in ("active", "suspended")), None)
        if current is None:
            raise PolicyViolation(f"the patient has no registration for {given.drug} in force to move (ND-14)",
                                  rule="ND-14", field="drug", code="no_registration")
        change = lifecycle.change_hospital(registration_facts(current), made.request,
                                           [registration_facts(r) for r in rows], reason, today)
        by_id = {r.id: r for r in rows}
        for ended in change.ended:
            end_registration(services, uow, actor, by_id[ended.id], "hospital_changed", reason, now)
        row = _insert(uow, made, change.new, now, actor, current.id, f"hospital changed: {reason}")
        _start(services, uow, actor, row, now)
        view = registration_view(row)
        _commit(uow, given.drug)
        return view


def renew(services: Services, actor: Actor, registration_id: str, given: RegistrationInput) -> RegistrationView:
    """ND-7: during the last month, a senior physician of the hospital renews: a new registration from the old end,
    pending until then; the renewal's assessment counts as the current registration's reassessment today."""
    with services.uow() as uow:
        current = visible_row(uow, actor, registration_id, lock=True)
        now = clock.now(services, uow)
        row = make_renewal(services, uow, actor, current, given, now)
        # The renewal task closes; its projector finds the renewal made above and makes no second one.
        engine_ops.complete_ready(services, uow, actor, current.instance_id, RENEW_TASK, {"decision": "renewed"}, now)
        view = registration_view(row)
        _commit(uow, current.drug)
        return view


def make_renewal(services: Services, uow: UnitOfWork, actor: Actor, current: Registration, given: RegistrationInput,
                 now: datetime) -> Registration:
    """ND-7 inside the caller's transaction (the API's renewal, or the renewal task completed from the queue): check
    it, record the assessment as the current registration's reassessment, write the new row, start its instance."""
    require(actor, "registration.renew", current)
    made = _request(uow, actor, RegistrationInput(given.patient, current.drug, given.record))
    existing = _existing(uow, current.psn_no, current.drug)
    renewal = lifecycle.renew(registration_facts(current), made.request, existing, china_date(now))
    _reassess_on_renewal(services, uow, actor, current, made.record, now)
    row = _insert(uow, made, renewal.new, now, actor, current.id, f"renewal of {current.id}")
    _start(services, uow, actor, row, now)
    return row


def _reassess_on_renewal(services: Services, uow: UnitOfWork, actor: Actor, current: Registration,
                         record: ClinicalRecord, now: datetime) -> None:
    """The renewal's assessment completes an open reassessment task (the projector records it), else is recorded."""
    if engine_ops.complete_ready(services, uow, actor, current.instance_id, "reassess", form_values(record), now):
        return
    before, after = write_record(current, record)
    current.last_reassessed_on = china_date(now)
    uow.repository(Registrations).add_revision(current.id, "reassessed", now, actor.user_id, after, before,
                                               reason="renewal")
    refresh(uow, current, china_date(now))
