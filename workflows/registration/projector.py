"""The registration's projector: after every engine step of a registration instance, in the step's transaction, it
keeps the ``registrations`` row in step — its instance, status and next due date — and records what was done through
the task queue: a reassessment (ND-8), a renewal (ND-7). Anything it refuses rolls the whole step back.
"""

from __future__ import annotations

from domain.dates import china_date
from domain.errors import Conflict
from domain.registration import lifecycle
from domain.registration.access import PROCESS_KEY
from storage.registration import Registrations
from storage.registration_models import Registration
from storage.registration_patients import Patients
from storage.uow import UnitOfWork

from ..projections import Step, projector
from .facts import LIVE, acting_physician, clinical_record, current_drugs, refresh, registration_facts, write_record
from .register import RENEW_TASK, RegistrationInput, make_renewal

REASSESS_TASK = "reassess"


@projector(PROCESS_KEY)
def project_registration(uow: UnitOfWork, step: Step) -> None:
    """Write the step's effect on its registration row."""
    # The row and its patient's other registrations for the drug in one query (refresh needs both).
    row, patient_rows = uow.repository(Registrations).with_patient_rows(step.instance.business_key or "")
    if row is None:
        raise Conflict(f"instance {step.instance.id} runs no registration: start it through POST /registrations",
                       code="registration_missing")
    if row.instance_id is None:
        row.instance_id = step.instance.id
    today = china_date(step.now)
    completed = step.run.task_bpmn_id(step.completed_task) if step.completed_task is not None else None
    if completed == REASSESS_TASK:
        _record_reassessment(uow, row, step, step.completed_task or "")
    elif completed == RENEW_TASK:
        _renew_from_queue(uow, row, step, step.completed_task or "")
    # A renewal made just now is a new row of the patient's: read them again then.
    refresh(uow, row, today, patient_rows if completed not in (REASSESS_TASK, RENEW_TASK) else None)
    if step.snapshot.status in ("completed", "cancelled") and row.status in LIVE:
        # A generic message or cancellation would stop the instance of a registration still in force.
        raise Conflict(f"registration {row.id} is {row.status}: end it with POST /registrations/{row.id}/"
                       "cancellation (ND-14)", code="registration_in_force", field="registration", rule="ND-14")
    row.updated_at = step.now


def _record_reassessment(uow: UnitOfWork, row: Registration, step: Step, task_id: str) -> None:
    """ND-8: check the reassessment of the physician who completed the task, keep the previous record."""
    record = clinical_record(step.task_data(task_id))
    physician = acting_physician(uow, step.actor)
    today = china_date(step.now)
    drug = current_drugs(uow).get(row.drug)
    reassessed = lifecycle.reassess(registration_facts(row), physician.facts, drug, record, today)
    before, after = write_record(row, record)
    row.last_reassessed_on = reassessed.last_reassessed_on
    uow.repository(Registrations).add_revision(row.id, "reassessed", step.now, step.actor.user_id, after, before)


def _renew_from_queue(uow: UnitOfWork, row: Registration, step: Step, task_id: str) -> None:
    """ND-7: the renewal task completed with ``renewed`` makes the renewal as POST /registrations/{id}/renewal does,
    unless that use case made it already (it completes the task after writing the renewal)."""
    data = step.task_data(task_id)
    if data.get("decision") != "renewed" or _renewed_already(uow, row):
        return
    given = RegistrationInput(_patient(uow, row, data), row.drug, data)
    make_renewal(step.services, uow, step.actor, row, given, step.now)


def _renewed_already(uow: UnitOfWork, row: Registration) -> bool:
    return any(r.replaces_id == row.id and r.status in LIVE
               for r in uow.repository(Registrations).of_patient(row.psn_no, row.drug))


def _patient(uow: UnitOfWork, row: Registration, data: dict[str, object]) -> dict[str, object]:
    """The patient as the hospital recorded them (else as registered), entitled only if the physician confirms it
    and the record does not say otherwise (ND-2, ND-10)."""
    recorded = uow.repository(Patients).get(row.psn_no)
    entitled = data.get("patient_entitled") is True and (recorded is None or recorded.entitled)
    source = recorded if recorded is not None else row
    return {"psn_no": row.psn_no, "insurance_type": source.insurance_type,
            "insurance_region": source.insurance_region, "entitled": entitled}
