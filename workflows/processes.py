"""The one place that names the mission processes plugged into the service.

Each entry is a process slice's package (``workflows/admission/``, ``workflows/registration/``); importing it runs
its registrations — projectors (``workflows.projections``), permissions (``domain.permissions.add_rules``).
``build_services`` calls :func:`plug_in` once, so the API, the worker and the command line see the same processes.
Generic code never imports a slice; adding a process adds its package and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

SLICES: tuple[str, ...] = ("workflows.registration",)


def plug_in(slices: Iterable[str] = SLICES) -> None:
    """Import every slice package (again is a no-op: Python imports a module once)."""
    for name in slices:
        importlib.import_module(name)
