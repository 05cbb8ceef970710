"""Operational figures read from the read models (never from engine state): queues, overdue tasks, timers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import clock
from .context import Services


@dataclass(frozen=True)
class OperationalFigures:
    """What /metrics reports besides request counts."""

    open_tasks: list[tuple[str, str, str, int]]  # lane role, organization, status, count
    overdue_tasks: int
    instances_by_status: dict[str, int]
    oldest_timer_lag_seconds: float
    now: datetime


def figures(services: Services) -> OperationalFigures:
    """Read the queue counts, overdue tasks, instances by status and the oldest unfired due timer."""
    with services.uow(read_only=True) as uow:
        now = clock.now(services, uow)
        queues = [(r.lane_role, r.org_scope or "", r.status, r.count) for r in uow.tasks.counts()]
        statuses = uow.instances.counts_by_status()
        oldest = uow.instances.oldest_due(now)
        return OperationalFigures(
            open_tasks=queues, overdue_tasks=uow.tasks.overdue(now), instances_by_status=statuses,
            oldest_timer_lag_seconds=(now - oldest).total_seconds() if oldest else 0.0, now=now,
        )
