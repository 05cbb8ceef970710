"""The task queue read model in SQLAlchemy Core: rows written with the instance state, queries scoped by caller.

Who sees which task is decided in domain/permissions.py (``task.see``, SV-3); :func:`visible_to` is its SQL form,
built from the same facts, in the shape the partial indexes need.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    case,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from domain.actors import Actor
from domain.permissions import can, sees_all_organizations

from .db import DriverStatement
from .task_models import HumanTask

TASKS = cast(Table, HumanTask.__table__)
OPEN = ("open", "claimed")
# Sort keys by name: (column, descending).
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "priority": (("priority", True), ("created_at", False), ("id", False)),
    "created": (("created_at", False), ("id", False)),
    "-created": (("created_at", True), ("id", False)),
    "due": (("due_at", False), ("created_at", False), ("id", False)),
}
# Statements of the hot path are built once (see storage/instance_store.py for why).
# The hot statements go on the driver's cursor (storage/db.py, DriverStatement): writes whose every value is
# given, and queries read as plain tuples.
_INSERT = DriverStatement(insert(TASKS).inline(), [c.name for c in TASKS.columns])
_GET_ROW = select(TASKS).where(TASKS.c.id == bindparam("p_id"))
_GET = DriverStatement(_GET_ROW)
_GET_LOCKED = DriverStatement(_GET_ROW.with_for_update())
# A queue row read on the cursor, its values by column name (as a Row of SQLAlchemy's gives them).
TaskRow = namedtuple("TaskRow", [c.name for c in TASKS.columns])  # type: ignore[misc]
_FINISH = DriverStatement(update(TASKS).where(TASKS.c.id == bindparam("p_id")).values(
    status=bindparam("v_status"), completed_at=bindparam("v_at"), completed_by=bindparam("v_by")))


@dataclass(frozen=True)
class TaskFilter:
    """Filters of the task list; None means "any"."""

    role: str | None = None
    org: str | None = None
    status: Sequence[str] | None = None
    assignee: str | None = None
    candidate: str | None = None
    process: str | None = None
    business_key: str | None = None
    instance_id: str | None = None
    overdue_at: datetime | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    priority_min: int | None = None


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The SQL form of ``task.see``: all for oversight roles; else their role's queue in their organization,
    and whatever is offered or assigned to them personally (SV-3: experts see only their own candidates)."""
    if sees_all_organizations(actor):
        return true()
    # One OR arm per scope, not a nested OR: each arm is then an index range (bench/README.md, task queue).
    roles = TASKS.c.lane_role.in_(sorted(actor.roles))
    arms = [and_(roles, TASKS.c.org_scope.is_(None), TASKS.c.candidate_user_id.is_(None))]
    if actor.org_id:
        arms.append(and_(roles, TASKS.c.org_scope == actor.org_id, TASKS.c.candidate_user_id.is_(None)))
    return or_(*arms, TASKS.c.assignee_id == actor.user_id, TASKS.c.candidate_user_id == actor.user_id)


def _statuses(statuses: Sequence[str]) -> ColumnElement[bool]:
    # Rendered as literals: a partial index on open tasks matches only a literal status list. Each use gets
    # its own parameter, so a status filter and the overdue filter cannot overwrite each other.
    return TASKS.c.status.in_(bindparam(None, list(statuses), expanding=True, literal_execute=True, unique=True))


def _order(columns: Any, sort: str) -> list[Any]:
    return [columns[name].desc() if descending else columns[name] for name, descending in SORTS[sort]]


def instance_visible_to(actor: Actor, instance_id: ColumnElement[Any], owner_org: ColumnElement[Any]
                        ) -> ColumnElement[bool]:
    """Instances a caller may see: all for oversight roles; else their organization's, and those where a task
    they may see sits (an expert's review, an NHSA filing)."""
    if sees_all_organizations(actor):
        return true()
    has_task = select(TASKS.c.id).where(TASKS.c.instance_id == instance_id, visible_to(actor)).exists()
    mine = owner_org == actor.org_id if actor.org_id else false()
    return or_(mine, has_task)


class TaskStore:
    """Queue rows of one unit of work."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert queue rows."""
        if rows:
            _INSERT.execute(self._conn, rows[0] if len(rows) == 1 else rows)  # one row: no executemany

    def finish(self, task_ids: Sequence[str], status: str, at: datetime, by: str | None) -> None:
        """Mark tasks completed or cancelled."""
        if task_ids:
            values = [{"p_id": i, "v_status": status, "v_at": at, "v_by": by} for i in task_ids]
            _FINISH.execute(self._conn, values[0] if len(values) == 1 else values)

    def get(self, task_id: str, actor: Actor | None = None, *, lock: bool = False) -> Any:
        """One task row, if it exists and (given an actor) the actor may see it."""
        found = (_GET_LOCKED if lock else _GET).first(self._conn, {"p_id": task_id})
        if found is None:
            return None
        row = TaskRow(*found)
        return row if actor is None or can(actor, "task.see", row) else None

    def set_claim(self, task_id: str, *, expect: str, status: str, assignee: str | None, at: datetime | None) -> bool:
        """Move a task between open and claimed if it is still in ``expect``; False when someone was first."""
        result = self._conn.execute(
            update(TASKS).where(TASKS.c.id == task_id, TASKS.c.status == expect)
            .values(status=status, assignee_id=assignee, claimed_at=at)
        )
        return bool(result.rowcount == 1)

    def assign(self, task_id: str, assignee: str, at: datetime) -> bool:
        """Give an open or claimed task to ``assignee``."""
        result = self._conn.execute(
            update(TASKS).where(TASKS.c.id == task_id, TASKS.c.status.in_(OPEN))
            .values(status="claimed", assignee_id=assignee, claimed_at=at)
        )
        return bool(result.rowcount == 1)

    def query(self, actor: Actor, f: TaskFilter, sort: str, limit: int, offset: int) -> tuple[list[Any], int]:
        """Tasks the actor may see, filtered, sorted and paged, with the total count."""
        base = _filtered(select(TASKS).where(visible_to(actor)), f)
        total = self._conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        if sees_all_organizations(actor):
            page = base.order_by(*_order(TASKS.c, sort))
        else:
            # A caller's few queues: fetch their rows first, then sort. Left to itself PostgreSQL walks the
            # priority index over every open task hoping to meet 50 visible ones early (bench/README.md).
            visible = base.cte("visible_tasks").prefix_with("MATERIALIZED")
            page = select(visible).order_by(*_order(visible.c, sort))
        rows = self._conn.execute(page.limit(limit).offset(offset)).all()
        return list(rows), int(total)

    def stage_counts(self, actor: Actor, f: TaskFilter) -> list[tuple[str, int]]:
        """The tasks the actor may see under ``f``, counted per stage (task name), largest first."""
        base = _filtered(select(TASKS.c.name).where(visible_to(actor)), f).subquery()
        query = (select(base.c.name, func.count().label("count")).group_by(base.c.name)
                 .order_by(func.count().desc(), base.c.name))
        return [(str(row[0]), int(row[1])) for row in self._conn.execute(query).all()]

    def open_per_day(self, actor: Actor, ends: Sequence[datetime]) -> list[tuple[str, str, list[int]]]:
        """For each stage (process, task name) the actor may see: how many of its tasks were open at each instant
        of ``ends`` (oldest first) — created by then and neither completed nor cancelled by then (both stamp
        ``completed_at``). One grouped query, one counting column per instant."""
        if not ends:
            return []
        t = TASKS.c
        still_open = and_(t.completed_at.is_(None), t.status.in_(OPEN))

        def open_at(end: datetime) -> ColumnElement[bool]:
            return and_(t.created_at <= end, or_(still_open, t.completed_at > end))

        columns = [func.count(case((open_at(end), 1))) for end in ends]
        query = (select(t.process_key, t.name, *columns)
                 .where(visible_to(actor), t.created_at <= max(ends), or_(still_open, t.completed_at > min(ends)))
                 .group_by(t.process_key, t.name).order_by(t.process_key, t.name))
        return [(str(row[0]), str(row[1]), [int(n) for n in row[2:]]) for row in self._conn.execute(query).all()]

    def counts(self, statuses: Sequence[str] = OPEN) -> list[Any]:
        """Task counts per queue: lane role × organization × status."""
        query = (
            select(TASKS.c.lane_role, TASKS.c.org_scope, TASKS.c.status, func.count().label("count"))
            .where(_statuses(statuses))
            .group_by(TASKS.c.lane_role, TASKS.c.org_scope, TASKS.c.status)
            .order_by(TASKS.c.lane_role, TASKS.c.org_scope, TASKS.c.status)
        )
        return list(self._conn.execute(query))

    def overdue(self, now: datetime) -> int:
        """Open or claimed tasks past their due time."""
        query = select(func.count()).where(TASKS.c.status.in_(OPEN), TASKS.c.due_at < now)
        return int(self._conn.execute(query).scalar_one())


def _filtered(query: Select[Any], f: TaskFilter) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    if f.role is not None:
        conditions.append(TASKS.c.lane_role == f.role)
    if f.org is not None:
        conditions.append(TASKS.c.org_scope == f.org)
    if f.status:
        conditions.append(_statuses(f.status))
    if f.assignee is not None:
        conditions.append(TASKS.c.assignee_id == f.assignee)
    if f.candidate is not None:
        conditions.append(TASKS.c.candidate_user_id == f.candidate)
    if f.process is not None:
        conditions.append(TASKS.c.process_key == f.process)
    if f.business_key is not None:
        conditions.append(TASKS.c.business_key == f.business_key)
    if f.instance_id is not None:
        conditions.append(TASKS.c.instance_id == f.instance_id)
    if f.overdue_at is not None:
        conditions += [TASKS.c.due_at < f.overdue_at, _statuses(OPEN)]
    if f.due_before is not None:
        conditions.append(TASKS.c.due_at < f.due_before)
    if f.due_after is not None:
        conditions.append(TASKS.c.due_at >= f.due_after)
    if f.priority_min is not None:
        conditions.append(TASKS.c.priority >= f.priority_min)
    return query.where(*conditions) if conditions else query
