"""Use cases of catalog changes by bureau action: a VBP inclusion (DA-7, CM-3, VBP) or an emergency temporary
inclusion (DA-8) is proposed, approved (published as a new catalog version) and, for a temporary one, leaves by
itself on its end date."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.actors import Actor
from domain.admission.direct import direct_change_from_data, direct_findings
from domain.admission.findings import refuse
from domain.errors import NotFound
from domain.permissions import require
from storage.admission_catalog_repository import CatalogChanges
from storage.admission_models import CatalogChange
from storage.models import new_id

from .. import instances, tasks
from ..context import Services
from .catalog_versions import current_catalog
from .change_projector import PROCESS_KEY, leaves_at
from .steps import require_open_task


@dataclass(frozen=True)
class ChangeView:
    id: str
    instance_id: str
    kind: str
    entry_code: str
    status: str
    change: dict[str, Any]
    effective_on: date
    leaves_on: date | None
    published_version: int | None
    expired_version: int | None
    note: str | None
    created_by: str
    created_at: datetime


def _view(row: CatalogChange) -> ChangeView:
    return ChangeView(row.id, row.instance_id, row.kind, row.entry_code, row.status, json.loads(row.change),
                      row.effective_on, row.leaves_on, row.published_version, row.expired_version, row.note,
                      row.created_by, row.created_at)


def propose_change(services: Services, actor: Actor, data: Mapping[str, Any]) -> ChangeView:
    """Propose a VBP inclusion or an emergency temporary inclusion; refused at once, with every finding, when the
    catalog could not take it (DA-7, DA-8, CM-1, CM-2, CM-3, CM-6, VBP-1, VBP-2, VBP-4)."""
    require(actor, "admission.round.manage", detail="the bureau changes the catalog")
    change = direct_change_from_data(data)
    with services.uow(read_only=True) as uow:
        refuse(direct_findings(change, current_catalog(uow)), code="catalog_change_refused")
    change_id = new_id()
    instances.start_instance(services, actor, PROCESS_KEY, {"change": dict(data), "leaves_at": leaves_at(change)},
                             business_key=change_id)
    return get_change(services, actor, change_id)


def approve_change(services: Services, actor: Actor, change_id: str, approved: bool,
                   note: str | None = None) -> ChangeView:
    """Approve (publish) or refuse a proposed change (the bureau)."""
    with services.uow(read_only=True) as uow:
        row = _row(uow.repository(CatalogChanges).get(change_id), change_id)
        task = require_open_task(uow, row.instance_id, ("approve",), "the approval")
    tasks.complete(services, actor, task.id, {"approved": approved, **({"note": note} if note else {})})
    return get_change(services, actor, change_id)


def _row(row: CatalogChange | None, change_id: str) -> CatalogChange:
    if row is None:
        raise NotFound(f"no catalog change {change_id}", code="change_not_found")
    return row


def get_change(services: Services, actor: Actor, change_id: str) -> ChangeView:
    """One catalog change (the bureau and the oversight roles)."""
    require(actor, "admission.round.see_candidates")
    with services.uow(read_only=True) as uow:
        return _view(_row(uow.repository(CatalogChanges).get(change_id), change_id))


def list_changes(services: Services, actor: Actor) -> list[ChangeView]:
    """Every catalog change, newest first."""
    require(actor, "admission.round.see_candidates")
    with services.uow(read_only=True) as uow:
        return [_view(r) for r in uow.repository(CatalogChanges).all()]
