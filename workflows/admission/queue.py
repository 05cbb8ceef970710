"""The bureau's view of the admission work: open human steps per stage, applications per status, rounds per stage."""

from __future__ import annotations

from dataclasses import dataclass

from domain.actors import Actor
from domain.permissions import require
from storage.admission_catalog_repository import AdmissionCounts

from ..context import Services
from .application_projector import PROCESS_KEY as APPLICATION
from .round_projector import PROCESS_KEY as ROUND


@dataclass(frozen=True)
class StepCount:
    process_key: str
    bpmn_id: str
    name: str
    open: int


@dataclass(frozen=True)
class QueueView:
    steps: list[StepCount]
    applications: dict[str, int]
    rounds: dict[str, int]


def admission_queue(services: Services, actor: Actor) -> QueueView:
    """Counts per stage for administrators and bureau officers (ACC-13); each step's tasks are in /tasks."""
    require(actor, "task.counts")
    with services.uow(read_only=True) as uow:
        counts = uow.repository(AdmissionCounts)
        return QueueView([StepCount(*row) for row in counts.open_tasks((APPLICATION, ROUND))],
                         counts.applications(), counts.rounds())
