"""The one place that names the mission processes plugged into the service.

Each entry is a process slice's package (``workflows/admission/``, ``workflows/registration/``); importing it runs
its registrations — projectors (``workflows.projections``), permissions (``domain.permissions.add_rules``), script
functions (``workflows.script_functions.register``). ``build_services`` calls :func:`plug_in` once, so the API, the
worker and the command line see the same processes, and :func:`bind` with the services it built, for a slice whose
projector steps other instances (an adjustment round tells each application its outcome). Generic code never
imports a slice; adding a process adds its package and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

SLICES: tuple[str, ...] = ("workflows.admission", "workflows.registration")


def plug_in(slices: Iterable[str] = SLICES) -> None:
    """Import every slice package (again is a no-op: Python imports a module once)."""
    for name in slices:
        importlib.import_module(name)


def bind(services: Any, slices: Iterable[str] = SLICES) -> None:
    """Hand ``services`` to every slice package that defines ``bind(services)``."""
    for name in slices:
        hook = getattr(importlib.import_module(name), "bind", None)
        if hook is not None:
            hook(services)
