"""The domain functions a diagram's scripts and expressions may call, by name. Nothing else is reachable."""

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
