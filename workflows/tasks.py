"""The task queue: rows kept in step with the engine, and the use cases of working them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.actors import Actor
from domain.errors import Conflict, InvalidInput, NotFound
from domain.identity import ROLE_ORG_KINDS
from domain.permissions import can, require
from domain.statistics import ChartData, Series, day_ends, today_of
from storage.task_store import TaskFilter
from storage.uow import UnitOfWork

from . import clock, forms
from .context import Services
from .persistence import load, save, view_of
from .views import InstanceView, Page

__all__ = ["TaskFilter", "assign", "claim", "complete", "counts", "get_task", "list_tasks", "open_tasks_per_day",
           "stage_counts", "unclaim"]

SORTS = ("priority", "created", "-created", "due")


@dataclass(frozen=True)
class QueueTask:
    id: str
    instance_id: str
    process_key: str
    business_key: str | None
    name: str
    bpmn_id: str
    lane_role: str
    org_scope: str | None
    candidate_user_id: str | None
    assignee_id: str | None
    status: str
    priority: int
    form: str | None
    created_at: datetime
    due_at: datetime | None
    claimed_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None


@dataclass(frozen=True)
class QueueCount:
    lane_role: str
    org_scope: str | None
    org_code: str | None
    org_name: str | None
    status: str
    count: int


def _queue_task(row: Any) -> QueueTask:
    return QueueTask(**{k: getattr(row, k) for k in QueueTask.__dataclass_fields__})


def list_tasks(services: Services, actor: Actor, f: TaskFilter, sort: str = "priority", limit: int = 50,
               offset: int = 0) -> Page:
    """Tasks the caller may see, filtered, sorted and paged, with the total."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    with services.uow(read_only=True) as uow:
        rows, total = uow.tasks.query(actor, f, sort, max(1, min(limit, 200)), offset)
        return Page([_queue_task(r) for r in rows], total, limit, offset)


def stage_counts(services: Services, actor: Actor, f: TaskFilter) -> list[tuple[str, int]]:
    """The tasks the caller may see under ``f``, counted per stage (task name), largest first."""
    with services.uow(read_only=True) as uow:
        return uow.tasks.stage_counts(actor, f)


def open_tasks_per_day(services: Services, actor: Actor, days: int = 30) -> ChartData:
    """Open tasks per stage (task name, process) at the end of each of the last ``days`` days of the service
    clock (China's calendar days), for the oversight roles: a line per stage, a point per day."""
    require(actor, "statistics.read")
    with services.uow(read_only=True) as uow:
        ends = day_ends(today_of(clock.now(services, uow)), days)
        rows = uow.tasks.open_per_day(actor, [end for _, end in ends])
    return ChartData("line", tuple(day.isoformat() for day, _ in ends),
                     tuple(Series(f"{name}（{process}）", tuple(counts)) for process, name, counts in rows))


def overdue_filter(services: Services) -> datetime:
    """The instant that decides "overdue" (the service clock)."""
    with services.uow(read_only=True) as uow:
        return clock.now(services, uow)


def get_task(services: Services, actor: Actor, task_id: str) -> QueueTask:
    """One task the caller may see (404 otherwise, never 403)."""
    with services.uow(read_only=True) as uow:
        return _queue_task(_visible(uow, actor, task_id))


def _visible(uow: UnitOfWork, actor: Actor, task_id: str, lock: bool = False) -> Any:
    row = uow.tasks.get(task_id, actor, lock=lock)
    if row is None:
        raise NotFound(f"no task {task_id}", code="task_not_found")
    return row


def _require_workable(actor: Actor, row: Any) -> None:
    require(actor, "task.work", row)
    if row.status not in ("open", "claimed"):
        raise Conflict(f"the task is {row.status}", code=f"task_{row.status}")


def claim(services: Services, actor: Actor, task_id: str) -> QueueTask:
    """Take an open task into one's own work."""
    with services.uow() as uow:
        row = _visible(uow, actor, task_id, lock=True)
        _require_workable(actor, row)
        if not uow.tasks.set_claim(task_id, expect="open", status="claimed", assignee=actor.user_id,
                                   at=clock.now(services, uow)):
            raise Conflict("the task was claimed by someone else", code="task_claimed")
        _audit(uow, services, actor, row, "task.claimed")
        uow.commit()
    return get_task(services, actor, task_id)


def unclaim(services: Services, actor: Actor, task_id: str) -> QueueTask:
    """Put a claimed task back in its queue (its assignee, an administrator or a bureau officer)."""
    with services.uow() as uow:
        row = _visible(uow, actor, task_id, lock=True)
        require(actor, "task.release", row)
        if not uow.tasks.set_claim(task_id, expect="claimed", status="open", assignee=None, at=None):
            raise Conflict(f"the task is {row.status}, not claimed", code="task_not_claimed")
        _audit(uow, services, actor, row, "task.unclaimed")
        uow.commit()
    return get_task(services, actor, task_id)


def assign(services: Services, actor: Actor, task_id: str, user_id: str) -> QueueTask:
    """Assign a task to a user who may work it (administrators and bureau officers)."""
    with services.uow() as uow:
        row = _visible(uow, actor, task_id, lock=True)  # 404 before 403: no hint that it exists
        require(actor, "task.assign")
        user = uow.identity.user(user_id)
        if user is None or not user.active:
            raise InvalidInput(f"no active user {user_id}", code="unknown_user", field="user_id")
        target = Actor(user.id, user.org_id, frozenset({user.role}), user.username)
        if not can(target, "task.work", row):
            raise InvalidInput("that user's role or organization does not match the task", code="not_eligible",
                               field="user_id")
        if not uow.tasks.assign(task_id, user.id, clock.now(services, uow)):
            raise Conflict(f"the task is {row.status}", code=f"task_{row.status}")
        _audit(uow, services, actor, row, "task.assigned", after={"assignee": user.id})
        uow.commit()
    return get_task(services, actor, task_id)


def complete(services: Services, actor: Actor, task_id: str, data: Mapping[str, Any] | None) -> InstanceView:
    """Complete a task with its form's data; the instance runs on to its next wait, all in one transaction."""
    if data is not None and not isinstance(data, Mapping):
        raise InvalidInput("data must be an object", field="data")
    with services.uow() as uow:
        row = _visible(uow, actor, task_id, lock=True)
        _require_workable(actor, row)
        if row.status == "claimed" and row.assignee_id != actor.user_id:
            raise Conflict("the task is claimed by someone else", code="task_claimed")
        loaded = load(services, uow, row.instance_id)
        if loaded.record.status != "waiting":
            raise Conflict(f"the instance is {loaded.record.status}", code=f"instance_{loaded.record.status}")
        payload = dict(data or {})
        forms.validate(services, uow, loaded.ref.id, row.form, payload)
        now = clock.now(services, uow)
        loaded.run.complete(task_id, payload, now)
        snapshot = save(services, uow, loaded, now, actor, f"task.completed:{row.bpmn_id}", completed=task_id)
        view = view_of(uow, loaded, snapshot, actor)
        uow.commit()
        return view


def counts(services: Services, actor: Actor) -> list[QueueCount]:
    """Every queue (role × organization) with its open and claimed counts, empty queues included, for
    administrators and bureau officers."""
    require(actor, "task.counts")
    with services.uow(read_only=True) as uow:
        orgs = [(o.id, o.kind, o.code, o.name) for o in uow.identity.orgs()]
        found = {(r.lane_role, r.org_scope, r.status): r.count for r in uow.tasks.counts()}
    names = {org_id: (code, name) for org_id, _, code, name in orgs}
    queues = {(role, None if role == "expert" else org_id)
              for role, kinds in ROLE_ORG_KINDS.items() for org_id, kind, _, _ in orgs if kind in kinds}
    queues |= {(role, org) for role, org, _ in found}  # queues of organizations since removed, or unscoped
    def label(org: str | None) -> tuple[str | None, str | None]:
        return names.get(org, (None, None)) if org else (None, None)

    return [
        QueueCount(role, org, label(org)[0], label(org)[1], status, found.get((role, org, status), 0))
        for role, org in sorted(queues, key=lambda q: (q[0], label(q[1])[0] or ""))
        for status in ("open", "claimed")
    ]


def _audit(uow: UnitOfWork, services: Services, actor: Actor, row: Any, action: str,
           after: dict[str, Any] | None = None) -> None:
    """Record a queue change in the instance's audit chain (the chain head lives on the instance row)."""
    record = uow.store.load(row.instance_id, lock=True)
    assert record is not None  # a foreign key guarantees it
    uow.store.audit(record, at=clock.now(services, uow), actor=actor.user_id, actor_org=actor.org_id,
                    action=f"{action}:{row.bpmn_id}", before={"status": row.status}, after=after)
    uow.store.save_audit_head(record)
