"""The services a slice's projectors need when they step other instances (the round tells each application its
outcome, DA-9), found from the engine that ran the step. ``build_services`` binds them (workflows/processes.py)."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from ..context import Services
from ..engine import Engine

_BOUND: WeakKeyDictionary[Engine, Services] = WeakKeyDictionary()


def bind(services: Services) -> None:
    """Remember ``services`` for the steps its engine runs."""
    _BOUND[services.engine] = services


def services_of(engine: Engine) -> Services:
    """The services whose engine ran a step."""
    try:
        return _BOUND[engine]
    except KeyError:
        raise RuntimeError("these services were not built by build_services (workflows.processes.bind)") from None
