"""Calendar arithmetic for policy dates, with month ends clamped (not rolled over as ISO durations are)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone

from domain.errors import InvalidInput


def add_months(start: date, months: int) -> date:
    """Return the same day ``months`` later, clamped to the month's last day (2026-08-31 + 6 → 2027-02-28)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


# China has kept one offset without daylight saving since 1991; policy dates are dates in this zone.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_midnight(day: date) -> datetime:
    """The instant a policy date begins: midnight of ``day`` in China time."""
    return datetime.combine(day, time(), CHINA_TZ)


def iso_instant(day: date) -> str:
    """The instant ``day`` begins in China time as an ISO 8601 timestamp for a timer: 2027-02-28T00:00:00+08:00."""
    return china_midnight(day).isoformat()


def china_date(instant: datetime) -> date:
    """The policy date (the calendar date in China) of an aware instant; a naive one is refused."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput("an instant must carry its UTC offset", field="instant")
    return instant.astimezone(CHINA_TZ).date()
