"""Jobs the timer worker runs now and then besides firing timers, offered by the process slices.

A slice registers a job when its package is imported (``register("registration.agreement_endings", job)``); the
worker runs every job every few minutes (``timers.run_forever``) and, on a simulated clock, once each time the clock
crosses a midnight, China time (``timers.run_until``). A job is idempotent and bounded (it may run on several
workers at once and again soon after); one that fails is logged and the others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .context import Services
from .errorlog import error_fields

log = logging.getLogger("yibao.worker")
JOBS: dict[str, Callable[[Services], Any]] = {}


def register(name: str, job: Callable[[Services], Any]) -> None:
    """Offer ``job(services)`` to the worker; a name already taken is refused."""
    if name in JOBS and JOBS[name] is not job:
        raise KeyError(f"housekeeping job already registered: {name}")
    JOBS[name] = job


def run_jobs(services: Services) -> dict[str, Any]:
    """Run every job once; what each returned, or the exception that stopped it (logged)."""
    results: dict[str, Any] = {}
    for name, job in JOBS.items():
        try:
            results[name] = job(services)
        except Exception as exc:  # one failing job must not stop the worker or the other jobs
            log.error("housekeeping job failed", extra={"job": name, **error_fields(exc)})
            results[name] = exc
    return results
