"""Engine time: SpiffWorkflow's timers read the instant the facade sets, never the machine's clock.

SpiffWorkflow 3.2 calls ``datetime.now(timezone.utc)`` inside its timer module; we give that module a
``datetime`` whose ``now`` returns the instant of the operation under way (notes/spiffworkflow.md, trap 3).
Every engine operation runs inside :func:`engine_time`, so a simulated clock reaches every timer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

_current: ContextVar[datetime | None] = ContextVar("yibao_engine_time", default=None)


class EngineTimeNotSet(RuntimeError):
    """Engine code asked for the time outside :func:`engine_time`."""


def current_time() -> datetime:
    """The instant of the engine operation under way (UTC)."""
    now = _current.get()
    if now is None:
        raise EngineTimeNotSet("engine time is read outside engine_time(); pass the clock's instant")
    return now


class _EngineDatetime(datetime):
    """``datetime`` whose ``now`` is the engine's current instant."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _EngineDatetime:
        now = current_time()
        value = now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)
        return cls.fromisoformat(value.isoformat())


_spiff_timer.datetime = _EngineDatetime


@contextmanager
def engine_time(now: datetime) -> Iterator[None]:
    """Run engine code with ``now`` (timezone-aware) as the current instant."""
    if now.tzinfo is None:
        raise ValueError("engine time must be timezone-aware")
    token = _current.set(now.astimezone(UTC))
    try:
        yield
    finally:
        _current.reset(token)
