"""The domain functions a diagram's scripts and expressions may call, by name. Nothing else is reachable.

A process slice offers its own with :func:`add_script_functions` (or :func:`register`, one at a time) when its
package is imported (``workflows/processes.py`` imports the slices before ``build_services`` builds the engine,
which copies this table once), so its diagrams call its domain functions by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from domain import codes, dates


def notice_deadline(start: date, days: int) -> str:
    """The ISO instant (China time, midnight) ``days`` calendar days after ``start``: a timer's timeDate."""
    return datetime.combine(start + timedelta(days=days), time.min, dates.CHINA_TZ).isoformat()


def add_months_iso(start: date, months: int) -> str:
    """The ISO instant (China time, midnight) of ``start`` plus ``months``, month ends clamped."""
    return datetime.combine(dates.add_months(start, months), time.min, dates.CHINA_TZ).isoformat()


SCRIPT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "consumable_entry_key": codes.consumable_entry_key,
    "add_months": dates.add_months,
    "add_months_iso": add_months_iso,
    "notice_deadline": notice_deadline,
}


def add_script_functions(functions: Mapping[str, Callable[..., Any]]) -> None:
    """Whitelist a process's domain functions for its diagrams; a name already taken is refused (no override)."""
    clash = sorted(name for name, fn in functions.items() if SCRIPT_FUNCTIONS.get(name, fn) is not fn)
    if clash:
        raise KeyError(f"script functions already registered: {', '.join(clash)}")
    SCRIPT_FUNCTIONS.update(functions)


def register(name: str, fn: Callable[..., Any]) -> None:
    """Offer ``fn`` to every diagram's scripts as ``name`` (a slice, on import); see :func:`add_script_functions`."""
    add_script_functions({name: fn})
