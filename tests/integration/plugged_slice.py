"""A stand-in process slice: importing it registers its projector, as a package under workflows/ will."""

from __future__ import annotations

from storage.uow import UnitOfWork
from workflows.projections import Step, projector

PROCESS_KEY = "plugged_demo"
SEEN: list[tuple[str, str]] = []


@projector(PROCESS_KEY)
def remember(uow: UnitOfWork, step: Step) -> None:
    """Note each step of each instance of the process."""
    SEEN.append((step.instance.id, step.action))
