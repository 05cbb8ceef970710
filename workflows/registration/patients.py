"""Insured patients by psn_no: the hospitals record them (upsert), anyone who registers finds them, by psn_no or by
the national ID number on the patient's card — which is checked and kept only as a keyed digest, never stored in
clear, logged or audited (``domain.registration.patients``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.actors import Actor
from domain.errors import Conflict, NotFound
from domain.permissions import require
from domain.registration.patients import national_id, national_id_digest, patient_record
from domain.registration.patients import psn_no as checked_psn_no
from storage.registration_models import Patient
from storage.registration_patients import Patients
from storage.uow import UnitOfWork

from .. import clock
from ..context import Services


@dataclass(frozen=True)
class PatientView:
    """A patient as recorded; whether a national ID number is on file, never the number."""

    psn_no: str
    insurance_type: str
    insurance_region: str
    entitled: bool
    national_id_on_file: bool
    created_at: datetime
    updated_at: datetime
    version: int


def _view(row: Patient) -> PatientView:
    return PatientView(row.psn_no, row.insurance_type, row.insurance_region, row.entitled,
                       row.national_id_digest is not None, row.created_at, row.updated_at, row.version)


def _plain(row: Patient) -> dict[str, object]:
    return {"insurance_type": row.insurance_type, "insurance_region": row.insurance_region,
            "entitled": row.entitled, "national_id_on_file": row.national_id_digest is not None}


def record_patient(services: Services, actor: Actor, psn_no: str, insurance_type: str, insurance_region: str,
                   entitled: bool, national_id_number: str | None = None) -> tuple[PatientView, bool]:
    """Record a patient or update their record (upsert by psn_no); True when the record is new. Audited without
    the national ID number: a number given replaces the one on file, an absent one keeps it."""
    require(actor, "registration.patient.record")
    patient_record(psn_no, insurance_type, insurance_region)
    digest = None if national_id_number is None else national_id_digest(services.settings.secret_key,
                                                                        national_id(national_id_number))
    with services.uow() as uow:
        repository = uow.repository(Patients)
        now = clock.now(services, uow)
        row = repository.get(psn_no, lock=True)
        created = row is None
        before = None if row is None else _plain(row)
        changed_id = digest is not None and (row is None or row.national_id_digest != digest)
        if row is None:
            row = Patient(psn_no=psn_no, created_at=now, national_id_digest=None)
            repository.add(row)
        row.insurance_type, row.insurance_region, row.entitled = insurance_type, insurance_region, entitled
        row.updated_at, row.updated_by, row.updated_by_org = now, actor.user_id, actor.org_id
        if digest is not None:
            row.national_id_digest = digest
        try:
            uow.flush()
        except Conflict:  # recorded meanwhile by another request
            raise Conflict(f"patient {psn_no} was recorded meanwhile: reload and retry", code="patient_changed",
                           field="psn_no") from None
        _audit(uow, actor, now, created, row, before, changed_id)
        view = _view(row)
        uow.commit()
        return view, created


def _audit(uow: UnitOfWork, actor: Actor, at: datetime, created: bool, row: Patient, before: object,
           changed_id: bool) -> None:
    uow.audit.append(aggregate_type="patient", aggregate_id=row.psn_no, at=at, actor=actor.user_id,
                     actor_org=actor.org_id, action="patient.recorded" if created else "patient.updated",
                     object_type="patient", object_id=row.psn_no, before=before,
                     after={**_plain(row), "national_id_changed": changed_id})


def get_patient(services: Services, actor: Actor, psn_no: str) -> PatientView:
    """One patient's record."""
    require(actor, "registration.patient.read")
    with services.uow(read_only=True) as uow:
        row = uow.repository(Patients).get(checked_psn_no(psn_no))
        if row is None:
            raise NotFound(f"no patient {psn_no}", code="patient_not_found", field="psn_no")
        return _view(row)


def find_by_national_id(services: Services, actor: Actor, national_id_number: str) -> list[PatientView]:
    """The patients recorded with the national ID number on a patient's card (compared as digests)."""
    require(actor, "registration.patient.read")
    digest = national_id_digest(services.settings.secret_key, national_id(national_id_number))
    with services.uow(read_only=True) as uow:
        return [_view(row) for row in uow.repository(Patients).with_national_id(digest)]
