"""The projector of the catalog-change diagram: checks the change when proposed, publishes it when approved, and
publishes the version without a temporary entry when its end date comes (DA-7, DA-8, CM-6)."""

from __future__ import annotations

import json
from datetime import datetime, time

from domain.admission.direct import DirectChange, catalog_changes, direct_change_from_data, direct_findings
from domain.admission.findings import refuse
from domain.admission.publication import Publication, expire_temporary, next_version
from domain.dates import CHINA_TZ
from domain.errors import InvalidInput
from storage.admission_catalog_repository import CatalogChanges
from storage.admission_models import CatalogChange
from storage.uow import UnitOfWork

from ..projections import Step, projector
from .application_projector import completed_element
from .catalog_versions import current_catalog, store_version

PROCESS_KEY = "consumable_catalog_change"


def leaves_at(change: DirectChange) -> str | None:
    """The instant a temporary entry leaves: the start of its leaving day, China time (DA-8)."""
    if change.leaves_on is None:
        return None
    return datetime.combine(change.leaves_on, time.min, CHINA_TZ).isoformat()


def checked(uow: UnitOfWork, change: DirectChange) -> Publication:
    """The version the change would publish now; refused with every finding when it cannot (DA-7, DA-8, CM-6)."""
    current = current_catalog(uow)
    refuse(direct_findings(change, current), code="catalog_change_refused")
    return next_version(current, catalog_changes(change, current), change.effective_on)


@projector(PROCESS_KEY)
def project_change(uow: UnitOfWork, step: Step) -> None:
    """Record the proposed change; publish it when approved; remove a temporary entry on its end date."""
    changes = uow.repository(CatalogChanges)
    data = step.data.get("change") or {}
    if step.action == "instance.started":
        change = direct_change_from_data(data)
        checked(uow, change)
        if step.data.get("leaves_at") != leaves_at(change):
            raise InvalidInput("leaves_at must be the start of leaves_on, China time", field="leaves_at",
                               rule="DA-8")
        changes.add(CatalogChange(
            id=step.instance.business_key or step.instance.id, instance_id=step.instance.id, kind=change.kind,
            entry_code=change.decision.entry_code, status="awaiting_approval",
            change=json.dumps(data, ensure_ascii=False), effective_on=change.effective_on,
            leaves_on=change.leaves_on, created_by=step.actor.user_id, created_at=step.now, updated_at=step.now))
        return
    row = changes.by_instance(step.instance.id)
    if row is None:
        raise InvalidInput("this change has no record", code="change_record_missing")
    if completed_element(step) == "approve":
        answer = step.task_data(step.completed_task or "")
        row.note = answer.get("note")
        if answer.get("approved") is True:
            change = direct_change_from_data(data)
            version = store_version(uow, checked(uow, change), f"{change.kind} {change.decision.entry_code}",
                                    step.actor, step.now, {"change": row.id})
            row.published_version, row.status = version.version, "published"
        else:
            row.status = "not_approved"
    elif "end_expired" in step.snapshot.completed_element_ids and row.status == "published":
        _expire(uow, row, step)
    row.updated_at = step.now


def _expire(uow: UnitOfWork, row: CatalogChange, step: Step) -> None:
    assert row.leaves_on is not None  # only a temporary inclusion waits for its end date
    current = current_catalog(uow)
    if current.effective_on is not None and current.effective_on >= row.leaves_on:
        row.status = "expired"  # a version taking effect on or after the end date left the entry out already
        return
    publication = expire_temporary(current, row.leaves_on)
    if publication is not None:
        version = store_version(uow, publication, f"emergency {row.entry_code} ends", step.actor, step.now,
                                {"change": row.id})
        row.expired_version = version.version
    row.status = "expired"
