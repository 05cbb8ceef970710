"""Keep an instance's queue rows in step with its ready user tasks, inside the saving transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from domain.actors import Actor
from domain.identity import ROLE_ORG_KINDS
from storage.uow import UnitOfWork

from . import forms
from .context import Services
from .engine import Snapshot, UserTaskView

if TYPE_CHECKING:
    from .instances import Loaded

DEFAULT_PRIORITY = 50


def sync_tasks(
    services: Services, uow: UnitOfWork, loaded: Loaded, snapshot: Snapshot, now: datetime,
    actor: Actor, completed: str | None = None,
) -> None:
    """Make the queue rows of an instance match its ready user tasks, in the caller's transaction."""
    # The open rows are the user tasks that were ready when the instance was loaded: every save keeps them so.
    existing = loaded.ready_before
    finished = snapshot.status in ("completed", "cancelled")
    ready = {} if finished else {t.id: t for t in snapshot.user_tasks}
    gone = [task_id for task_id in existing if task_id not in ready]
    if completed in gone:
        uow.tasks.finish([completed], "completed", now, actor.user_id)
    uow.tasks.finish([t for t in gone if t != completed], "cancelled", now, None)
    uow.tasks.add([_row(services, uow, loaded, t, now) for task_id, t in ready.items() if task_id not in existing])


def _row(services: Services, uow: UnitOfWork, loaded: Loaded, task: UserTaskView, now: datetime) -> dict[str, Any]:
    lane = task.lane or "admin"
    kinds = ROLE_ORG_KINDS.get(lane, ("bureau",))
    if lane == "expert":
        scope = None
    elif kinds[0] in ("hospital", "pharmacy"):
        scope = loaded.record.owner_org
    else:
        scope = services.org_of_kind(uow, kinds[0])
    props = task.properties
    due_days = props.get("dueInDays")
    return {
        "id": task.id, "instance_id": loaded.record.id, "process_key": loaded.ref.key,
        "business_key": loaded.record.business_key, "name": task.name, "bpmn_id": task.bpmn_id,
        "lane_role": lane, "org_scope": scope, "candidate_user_id": task.candidate, "assignee_id": None,
        "status": "open", "priority": int(props.get("priority", DEFAULT_PRIORITY)), "form": forms.form_name(task),
        "created_at": now, "due_at": now + timedelta(days=int(due_days)) if due_days else None,
        "claimed_at": None, "completed_at": None, "completed_by": None,
    }
