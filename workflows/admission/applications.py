"""Use cases of an application (医用耗材纳入申请): draft, edit, submit, documents, the bureau's reviews, withdraw.

Each human step of the diagram is a task of the queue; these use cases find the application's open task and
complete it through ``workflows.tasks`` — the same path as the generic ``/tasks`` endpoints, so the projector
checks the same policy either way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.actors import Actor
from domain.admission.application_data import check_draft_data
from domain.admission.process import precheck_submission
from domain.errors import Conflict, InvalidInput, PolicyViolation
from domain.permissions import can, require
from storage.admission_models import Application
from storage.admission_repository import Applications, Rounds, application_visible_to
from storage.models import new_id
from storage.uow import UnitOfWork

from .. import clock, instances, tasks
from ..context import Services
from ..views import Page
from . import documents
from .application_projector import FINAL, PROCESS_KEY
from .guards import EDITABLE, audit, editable, visible
from .records import china_date, facts_of, normalised, submission
from .steps import deliver_in, open_task, require_open_task
from .views import ApplicationView, StepRef

MAX_PAGE = 200


def view(uow: UnitOfWork, actor: Actor, row: Application) -> ApplicationView:
    """The application as the caller may see it, with its documents and the step it waits on."""
    facts = facts_of(row)
    task = open_task(uow, row.instance_id, ("submit", "fast_path", "material_review", "supplement"))
    step = StepRef(task.id, task.bpmn_id, task.name) if task is not None and can(actor, "task.see", task) else None
    mine = can(actor, "admission.application.edit", row) and row.status in EDITABLE
    return ApplicationView(
        id=row.id, instance_id=row.instance_id, hospital_id=row.hospital_id, status=row.status, code=row.code,
        entry_code=row.entry_code, product_name=row.product_name, manufacturer=row.manufacturer, facts=facts,
        findings=[f.to_dict() for f in check_draft_data(facts)] if row.status in EDITABLE else [],
        existing_entry=row.existing_entry, fast_path=row.fast_path, review_note=row.review_note,
        supplement_last_day=row.supplement_last_day, round_id=row.round_id, submitted_at=row.submitted_at,
        accepted_on=row.accepted_on, outcome=json.loads(row.outcome) if row.outcome else None,
        created_at=row.created_at, updated_at=row.updated_at, documents=documents.listed(uow, row.id), step=step,
        submission=submission(uow, row) if mine else None)


def _store_facts(uow: UnitOfWork, services: Services, actor: Actor, row: Application,
                 facts: Mapping[str, Any]) -> None:
    plain, _ = normalised(dict(facts))
    row.facts = json.dumps(plain, ensure_ascii=False, sort_keys=True)
    row.code, row.product_name, row.manufacturer = plain.get("code"), plain.get("product_name"), \
        plain.get("manufacturer")
    row.updated_at = clock.now(services, uow)
    audit(uow, services, row, actor, "application.facts_saved", {"fields": sorted(plain)})


def create_application(services: Services, actor: Actor, facts: Mapping[str, Any]) -> ApplicationView:
    """Start an application of the caller's hospital as a draft holding ``facts`` (each may still be empty)."""
    require(actor, "admission.application.create")
    normalised(dict(facts))  # an unknown field is refused before anything is created
    application_id = new_id()
    instances.start_instance(services, actor, PROCESS_KEY, {}, business_key=application_id)
    with services.uow() as uow:
        row = visible(uow, actor, application_id, lock=True)
        _store_facts(uow, services, actor, row, facts)
        uow.commit()
    return get_application(services, actor, application_id)


def update_application(services: Services, actor: Actor, application_id: str,
                       facts: Mapping[str, Any]) -> ApplicationView:
    """Replace a draft's (or a returned application's) facts; the view lists every format finding (DA-2)."""
    with services.uow() as uow:
        row = visible(uow, actor, application_id, lock=True)
        editable(actor, row)
        _store_facts(uow, services, actor, row, facts)
        uow.commit()
    return get_application(services, actor, application_id)


def get_application(services: Services, actor: Actor, application_id: str) -> ApplicationView:
    """One application the caller may see (404 otherwise)."""
    with services.uow(read_only=True) as uow:
        return view(uow, actor, visible(uow, actor, application_id))


def list_applications(services: Services, actor: Actor, status: str | None = None, round_id: str | None = None,
                      limit: int = 50, offset: int = 0) -> Page:
    """The applications the caller may see, newest first: a hospital its own, an expert its candidates'."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"limit must be 1–{MAX_PAGE} and offset at least 0", field="limit")
    with services.uow(read_only=True) as uow:
        rows, total = uow.repository(Applications).page(application_visible_to(actor), status=status,
                                                        round_id=round_id, limit=limit, offset=offset)
        return Page([view(uow, actor, r) for r in rows], total, limit, offset)


def _complete(services: Services, actor: Actor, application_id: str, bpmn_ids: tuple[str, ...], what: str,
              data: Mapping[str, Any] | None = None) -> ApplicationView:
    with services.uow(read_only=True) as uow:
        row = visible(uow, actor, application_id)
        task = require_open_task(uow, row.instance_id, bpmn_ids, what)
        payload = dict(data) if data is not None else submission(uow, row)
    tasks.complete(services, actor, task.id, payload)
    return get_application(services, actor, application_id)


def submit_application(services: Services, actor: Actor, application_id: str) -> ApplicationView:
    """Submit the recorded draft (or the supplemented application): the automatic pre-check runs at once."""
    return _complete(services, actor, application_id, ("submit", "supplement"), "submitting")


def precheck_application(services: Services, actor: Actor, application_id: str) -> list[dict[str, str]]:
    """The findings the automatic pre-check would report if the recorded application were submitted now.

    Changes nothing: the console shows them beside their fields before it submits (the diagram's post-script
    runs the same ``precheck_submission`` on the same data and the same China date).
    """
    with services.uow(read_only=True) as uow:
        row = visible(uow, actor, application_id)
        editable(actor, row)
        data = submission(uow, row)["application"]
        on_date = china_date(clock.now(services, uow))
    found: list[dict[str, str]] = precheck_submission(data, on_date).get("findings", [])
    return found


def confirm_fast_path(services: Services, actor: Actor, application_id: str, same_function_and_use: bool,
                      note: str | None = None) -> ApplicationView:
    """The bureau confirms (or not) the same function and use as the existing entry (DA-4)."""
    data: dict[str, Any] = {"same_function_and_use": same_function_and_use}
    if note:
        data["note"] = note
    return _complete(services, actor, application_id, ("fast_path",), "the fast-path confirmation", data)


def review_materials(services: Services, actor: Actor, application_id: str, decision: str,
                     reason: str | None = None, supplement_working_days: int | None = None) -> ApplicationView:
    """The bureau accepts the application into a round, rejects it with a reason, or returns it (DA-10)."""
    data: dict[str, Any] = {"decision": decision}
    if reason is not None:
        data["reason"] = reason
    if supplement_working_days is not None:
        data["supplement_working_days"] = supplement_working_days
    return _complete(services, actor, application_id, ("material_review",), "the material review", data)


def _check_round_open(uow: UnitOfWork, row: Application) -> None:
    if row.round_id is None:
        return
    rounds = uow.repository(Rounds)
    seen = rounds.get(row.round_id)
    locked = rounds.get(row.round_id, lock=True) if seen is not None and seen.stage == "open" else None
    if locked is None or locked.stage != "open":
        raise PolicyViolation("the round's review has started: the application can no longer be withdrawn",
                              rule="DA-1", code="round_review_started", field="round_id")


def withdraw_application(services: Services, actor: Actor, application_id: str,
                         reason: str | None = None) -> ApplicationView:
    """The hospital withdraws its application, until its round's review starts."""
    with services.uow() as uow:
        row = visible(uow, actor, application_id)
        require(actor, "admission.application.edit", row)
        now: datetime = clock.now(services, uow)
        uow.store.load(row.instance_id, lock=True)  # the instance first, as every engine step locks it
        if row.status in FINAL:
            raise Conflict(f"the application is already {row.status}", code="application_decided")
        _check_round_open(uow, row)
        deliver_in(services, uow, row.instance_id, "application_withdrawn", {"reason": reason or ""}, actor, now)
        uow.commit()
    return get_application(services, actor, application_id)
