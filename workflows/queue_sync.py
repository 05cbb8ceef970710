"""Keep an instance's queue rows in step with its ready user tasks, inside the saving transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.actors import Actor
from domain.permissions import lane_scope
from storage.instance_store import InstanceRecord
from storage.uow import UnitOfWork

from . import forms
from .context import Services
from .engine import Snapshot, UserTaskView

DEFAULT_PRIORITY = 50


def sync_tasks(
    services: Services, uow: UnitOfWork, record: InstanceRecord, process_key: str, ready_before: frozenset[str],
    snapshot: Snapshot, now: datetime, actor: Actor, completed: str | None = None,
) -> None:
    """Make the queue rows of an instance match its ready user tasks, in the caller's transaction.

    ``ready_before`` are the user tasks that were ready when the instance was loaded: every save keeps the open
    rows equal to them, so they are the rows to compare with.
    """
    finished = snapshot.status in ("completed", "cancelled")
    ready = {} if finished else {t.id: t for t in snapshot.user_tasks}
    gone = [task_id for task_id in ready_before if task_id not in ready]
    if completed in gone:
        uow.tasks.finish([completed], "completed", now, actor.user_id)
    uow.tasks.finish([t for t in gone if t != completed], "cancelled", now, None)
    uow.tasks.add([_row(services, uow, record, process_key, t, now)
                   for task_id, t in ready.items() if task_id not in ready_before])


def _row(services: Services, uow: UnitOfWork, record: InstanceRecord, process_key: str, task: UserTaskView,
         now: datetime) -> dict[str, Any]:
    lane = task.lane or "admin"
    lane_kind = lane_scope(lane)  # the same decision the start checks (domain/permissions.py)
    if lane_kind.kind is None:
        scope = None
    elif lane_kind.owner:
        scope = record.owner_org
    else:
        scope = services.org_of_kind(uow, lane_kind.kind)
    props = task.properties
    due_days = props.get("dueInDays")
    return {
        "id": task.id, "instance_id": record.id, "process_key": process_key,
        "business_key": record.business_key, "name": task.name, "bpmn_id": task.bpmn_id,
        "lane_role": lane, "org_scope": scope, "candidate_user_id": task.candidate, "assignee_id": None,
        "status": "open", "priority": int(props.get("priority", DEFAULT_PRIORITY)), "form": forms.form_name(task),
        "created_at": now, "due_at": now + timedelta(days=int(due_days)) if due_days else None,
        "claimed_at": None, "completed_at": None, "completed_by": None,
    }
