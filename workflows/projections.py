"""Projections: a process's own read models, written after each engine step in the step's transaction.

The engine steps; the projector persists (cosmicpython's handlers, spiff-arena's processor delegate). A process
slice registers a projector for its process key — the id of its diagram's executable process — and
``persistence.save`` calls it after the queue rows are written, with the unit of work and the :class:`Step`::

    @projector("consumable_admission")
    def applications(uow: UnitOfWork, step: Step) -> None:
        uow.repository(Applications).upsert(step.instance.id, step.instance.status, step.data)

A projector that starts or steps other instances in the step's transaction does so through ``step.services`` (a
registration renewed from the task queue starts the renewal's own instance). A projector that raises rolls the whole
step back: state, audit entry, queue rows and every projection. The registrations run when the slice's package is
imported; ``workflows/processes.py`` is the one place that imports the slices (docs/architecture.md, "How a new
process plugs in").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from domain.actors import Actor
from storage.instance_store import InstanceRecord
from storage.uow import UnitOfWork

from .context import DefinitionRef, Services
from .engine import Run, Snapshot


@dataclass(frozen=True)
class Step:
    """One engine step of one instance, as its projectors see it."""

    instance: InstanceRecord  # id, business key, owner organization, status, as just saved
    definition: DefinitionRef  # key and version of the diagram
    snapshot: Snapshot  # status, ready user tasks, active and completed element ids, next timer
    action: str  # the audit action: "instance.started", "task.completed:submit", "timer.fired", …
    actor: Actor
    now: datetime  # the service clock at the step
    completed_task: str | None  # the user task this step completed, if any
    run: Run = field(repr=False)
    services: Services = field(repr=False)  # to step other instances in the same transaction (start, deliver)

    @cached_property
    def data(self) -> dict[str, Any]:
        """The instance's current process data (computed on first use)."""
        return self.run.current_data()

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data of one task of the instance (the completed task's form data is in ``completed_task``'s)."""
        return self.run.task_data(task_id)


Projector = Callable[[UnitOfWork, Step], None]
_PROJECTORS: dict[str, list[Projector]] = {}


def register(process_key: str, fn: Projector) -> None:
    """Call ``fn`` after every step of every instance of ``process_key``, in registration order."""
    registered = _PROJECTORS.setdefault(process_key, [])
    if fn not in registered:
        registered.append(fn)


def unregister(process_key: str, fn: Projector) -> None:
    """Stop calling ``fn`` for ``process_key`` (tests; a process is not unplugged at run time)."""
    registered = _PROJECTORS.get(process_key, [])
    if fn in registered:
        registered.remove(fn)


def projector(process_key: str) -> Callable[[Projector], Projector]:
    """Decorator form of :func:`register`."""

    def decorate(fn: Projector) -> Projector:
        register(process_key, fn)
        return fn

    return decorate


def projectors_for(process_key: str) -> tuple[Projector, ...]:
    """The projectors of a process, in registration order."""
    return tuple(_PROJECTORS.get(process_key, ()))
