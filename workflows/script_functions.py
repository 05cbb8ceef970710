"""The domain functions a diagram's scripts and expressions may call, by name. Nothing else is reachable.

A process slice offers its own with :func:`register` when its package is imported (``workflows/processes.py``);
``build_services`` imports the slices before it builds the engine, which copies this table once.
"""

from __future__ import annotations

from collections.abc import Callable
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


def register(name: str, fn: Callable[..., Any]) -> None:
    """Offer ``fn`` to every diagram's scripts as ``name`` (a slice, on import); a name taken by another function is
    refused rather than silently replaced."""
    if SCRIPT_FUNCTIONS.get(name, fn) is not fn:
        raise KeyError(f"script function '{name}' is already registered")
    SCRIPT_FUNCTIONS[name] = fn
