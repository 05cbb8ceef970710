"""The registration's projector: after every engine step of a registration instance, in the step's transaction, it
keeps the ``registrations`` row in step — its instance, status and next due date — and records a reassessment made
through the task queue (ND-8). Anything it refuses rolls the whole step back.
"""

from __future__ import annotations

from domain.dates import china_date
from domain.errors import Conflict
from domain.registration import lifecycle
from domain.registration.access import PROCESS_KEY
from storage.registration import Registrations
from storage.registration_models import Registration
from storage.uow import UnitOfWork

from ..projections import Step, projector
from .facts import LIVE, acting_physician, clinical_record, current_drugs, refresh, registration_facts, write_record

REASSESS_TASK = "reassess"


@projector(PROCESS_KEY)
def project_registration(uow: UnitOfWork, step: Step) -> None:
    """Write the step's effect on its registration row."""
    repo = uow.repository(Registrations)
    row = repo.get(step.instance.business_key or "")
    if row is None:
        raise Conflict(f"instance {step.instance.id} runs no registration: start it through POST /registrations",
                       code="registration_missing")
    if row.instance_id is None:
        row.instance_id = step.instance.id
    today = china_date(step.now)
    if step.completed_task is not None and step.run.task_bpmn_id(step.completed_task) == REASSESS_TASK:
        _record_reassessment(uow, row, step, step.completed_task)
    refresh(uow, row, today)
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
