"""Calendar arithmetic for policy dates, with month ends clamped (not rolled over as ISO durations are)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta, timezone


def add_months(start: date, months: int) -> date:
    """Return the same day ``months`` later, clamped to the month's last day (2026-08-31 + 6 → 2027-02-28)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


# China has kept one offset without daylight saving since 1991; policy dates are dates in this zone.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
