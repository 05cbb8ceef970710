"""Load the facts the registration rules read (ND-2…ND-16) and turn rows into them; no rule lives here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.actors import Actor
from domain.errors import InvalidInput, NotFound, PolicyViolation
from domain.identity import OrganizationFacts
from domain.reference_data import DrugRow
from domain.registration.dates import reassessment_due, status
from domain.registration.facts import ClinicalRecord, PatientFacts, PhysicianFacts, Prescription, RegistrationFacts
from storage.identity_models import Organization, User
from storage.registration import Registrations
from storage.registration_models import Registration
from storage.uow import UnitOfWork

LIVE = ("pending", "active", "suspended")
IN_FORCE = ("active", "suspended")  # the statuses the ND-3 index covers
CLINICAL_FIELDS = ("diagnosis_code", "diagnosis_name", "diagnostic_basis", "indication", "dose", "frequency",
                   "quantity_per_fill")


@dataclass(frozen=True)
class Physician:
    """A physician user with the facts the rules read."""

    user: User
    facts: PhysicianFacts
    hospital: Organization | None = None  # the organization the user belongs to


def registration_facts(row: Registration) -> RegistrationFacts:
    """The stored registration as the rules read it."""
    return RegistrationFacts(
        id=row.id, psn_no=row.psn_no, drug=row.drug, hospital_code=row.hospital_code,
        physician_code=row.physician_code, start=row.start_date, end=row.end_date,
        benefit_year_start=row.benefit_year_start, last_reassessed_on=row.last_reassessed_on, ended_on=row.ended_on,
        end_reason=row.end_reason,
    )


def organization_facts(org: Organization) -> OrganizationFacts:
    """An organization row as the rules read it."""
    return OrganizationFacts(kind=org.kind, code=org.code, name=org.name, region_code=org.region_code, tier=org.tier,
                             specialized=org.specialized, cross_province=org.cross_province,
                             designated=org.designated, dual_channel=org.dual_channel)


def physician_of(uow: UnitOfWork, user: User | None) -> Physician:
    """A physician user's code, title, specialty and hospital (ND-4, ND-16); anyone else is refused with ND-4."""
    if user is None or user.role != "physician" or not user.physician_code:
        raise PolicyViolation("a registration is made by a physician with a physician code (ND-4)", rule="ND-4",
                              field="physician")
    org = uow.identity.org(user.org_id)
    facts = PhysicianFacts(code=user.physician_code, title=user.title, specialty=user.specialty,
                           hospital_code=org.code if org is not None else "")
    return Physician(user, facts, org)


def acting_physician(uow: UnitOfWork, actor: Actor) -> Physician:
    """The physician behind ``actor``."""
    return physician_of(uow, uow.identity.user(actor.user_id))


def physician_by_code(uow: UnitOfWork, code: str) -> Physician:
    """The physician user with physician code ``code`` (ND-14 change of physician)."""
    found = [u for u in uow.identity.users(role="physician") if u.physician_code == code and u.active]
    if not found:
        raise NotFound(f"no active physician {code}", code="physician_not_found", field="physician_code")
    return physician_of(uow, found[0])


_DRUGS_OF_VERSION: dict[str, dict[str, DrugRow]] = {}  # a version of the list never changes (ND-1)
_DRUG_VERSIONS_KEPT = 16


def current_drugs(uow: UnitOfWork) -> dict[str, DrugRow]:
    """The drugs of the latest version of the negotiated-drug list, by name (ND-1). Which version is latest is
    read every time; its drugs once per process, since a change of the list is always a new version."""
    latest = uow.drug_lists.latest()
    if latest is None:
        return {}
    drugs = _DRUGS_OF_VERSION.get(latest.id)
    if drugs is None:
        drugs = {d.name: d for d in uow.drug_lists.drugs(latest.id)}
        if len(_DRUGS_OF_VERSION) >= _DRUG_VERSIONS_KEPT:
            _DRUGS_OF_VERSION.clear()
        _DRUGS_OF_VERSION[latest.id] = drugs
    return dict(drugs)


def patient_facts(values: Mapping[str, Any]) -> PatientFacts:
    """The patient as the request states them (ND-2, ND-10)."""
    return PatientFacts(psn_no=values["psn_no"], insurance_type=values["insurance_type"],
                        insurance_region=values["insurance_region"], entitled=bool(values["entitled"]))


def quantity(value: Any, field: str) -> Decimal | int:
    """A quantity sent as text or an integer, as a Decimal the rules check (floats are refused, ND-6)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    raise InvalidInput(f"{field} must be a decimal number written as text, e.g. \"56\"", field=field, rule="ND-6")


def clinical_record(values: Mapping[str, Any]) -> ClinicalRecord:
    """A clinical record from flat values (a form's data) or a nested ``prescription`` (the API's)."""
    try:
        return _record(values)
    except KeyError as exc:
        raise InvalidInput(f"the clinical record lacks {exc.args[0]}", field=str(exc.args[0]), rule="ND-6") from None


def _record(values: Mapping[str, Any]) -> ClinicalRecord:
    prescription = values.get("prescription") or values
    return ClinicalRecord(
        diagnosis_code=str(values["diagnosis_code"]), diagnosis_name=str(values["diagnosis_name"]),
        diagnostic_basis=str(values["diagnostic_basis"]), indication=str(values.get("indication") or ""),
        indication_confirmed=values.get("indication_confirmed") is True,
        prescription=Prescription(dose=str(prescription["dose"]), frequency=str(prescription["frequency"]),
                                  quantity_per_fill=quantity(prescription["quantity_per_fill"],
                                                             "prescription.quantity_per_fill")),
    )


def record_values(record: ClinicalRecord) -> dict[str, Any]:
    """The row's clinical columns for ``record``."""
    p = record.prescription
    return {"diagnosis_code": record.diagnosis_code, "diagnosis_name": record.diagnosis_name,
            "diagnostic_basis": record.diagnostic_basis, "indication": record.indication, "dose": p.dose,
            "frequency": p.frequency, "quantity_per_fill": Decimal(p.quantity_per_fill)}


def form_values(record: ClinicalRecord) -> dict[str, Any]:
    """``record`` as the reassessment form's data (completing the task on a renewal, ND-7)."""
    values = record_values(record)
    values["quantity_per_fill"] = str(values["quantity_per_fill"])
    return {**values, "indication_confirmed": record.indication_confirmed}


def clinical_of(row: Registration) -> dict[str, Any]:
    """The row's clinical record as plain values (a revision keeps them)."""
    return {name: getattr(row, name) for name in CLINICAL_FIELDS}


def write_record(row: Registration, record: ClinicalRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """Put ``record`` on the row; return the values before and after."""
    before, after = clinical_of(row), record_values(record)
    for name, value in after.items():
        setattr(row, name, value)
    return before, after


def refresh(uow: UnitOfWork, row: Registration, today: Any, patient_rows: Sequence[Registration] | None = None) -> None:
    """Recompute the stored status and next due date of ``row`` and of the patient's other live registrations for
    the drug (``patient_rows``, when the caller read them with ``row``). Those leaving force are written first: a
    renewal becomes active as its predecessor expires, whichever instance's timer fires first, and the ND-3 index
    must never see both in force."""
    if patient_rows is None:
        patient_rows = uow.repository(Registrations).of_patient(row.psn_no, row.drug)
    rows = [row, *(o for o in patient_rows if o.id != row.id and o.status in LIVE)]
    statuses = [(r, status(registration_facts(r), today)) for r in rows]
    for r, new in statuses:
        if new not in IN_FORCE:
            restate(r, new)
    uow.flush()
    for r, new in statuses:
        if new in IN_FORCE:
            restate(r, new)


def restate(row: Registration, new: str) -> None:
    """Give ``row`` the status ``new`` and the next reassessment due date that goes with it (ND-8)."""
    row.status = new
    row.next_reassessment_due = reassessment_due(registration_facts(row)) if new in LIVE else None
