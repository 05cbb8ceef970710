"""The admission's dashboard chart (issue 9), for the oversight roles: applications per round and status (the
outcome, once decided: DA-9)."""

from __future__ import annotations

from domain.actors import Actor
from domain.permissions import require
from domain.statistics import ChartData, pivot
from storage.admission_repository import Applications, application_visible_to

from ..context import Services
from .application_projector import FINAL, STATUS_OF_TASK

__all__ = ["STATUSES", "applications_per_round"]
# Every status an application can have, in the order of its way through a round.
STATUSES = (*dict.fromkeys((*STATUS_OF_TASK.values(), "accepted")), *FINAL)


def applications_per_round(services: Services, actor: Actor) -> ChartData:
    """Applications per round (oldest round first; categories are the round names), one stacked series per
    status that occurs."""
    require(actor, "statistics.read")
    with services.uow(read_only=True) as uow:
        rows = uow.repository(Applications).count_by_round_and_status(application_visible_to(actor))
    rounds = list(dict.fromkeys((round_id, name) for round_id, name, _, _ in rows))
    present = {status for _, _, status, _ in rows}
    statuses = [s for s in STATUSES if s in present] + sorted(present - set(STATUSES))
    series = pivot(((round_id, status, n) for round_id, _, status, n in rows), [i for i, _ in rounds], statuses)
    return ChartData("stacked", tuple(name for _, name in rounds), series)
