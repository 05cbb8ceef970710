"""How every console page shows a value: money as ¥1,234.50 from a Decimal or its string (never a float); an instant
in China time (UTC+8), the time the users live in, whatever the database stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.dates import CHINA_TZ


def yuan(value: Any) -> str:
    """Money as ¥1,234.50 from a Decimal or a Decimal string; — for None; anything else as it is."""
    if value is None:
        return "—"
    try:
        return f"¥{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def china_time(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as China's wall-clock time (a naive one is taken as UTC, as the database keeps it); a calendar
    day as it is; — for None."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        return value.strftime(fmt)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA_TZ).strftime(fmt)
