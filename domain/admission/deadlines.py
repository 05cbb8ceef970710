"""Deadlines counted in working days: the supplement deadline (补正期限, DA-10) and the public notice (公示期, SV-1).

Our reading: both count from the day after the event (the return for supplement, the posting of the notice), and
the last counted working day is included in full — the deadline passes at midnight China time at its end. The number
of days is a setting of the caller, never a constant here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from domain.dates import CHINA_TZ
from domain.errors import InvalidInput
from domain.workdays import WorkdaySource, WorkdaySpan, add_working_days


def _days(working_days: int, field: str, rule: str) -> int:
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise InvalidInput(f"{field} must be at least 1 working day, got {working_days!r}", field=field, rule=rule)
    return working_days


def supplement_deadline(returned_on: date, working_days: int, source: WorkdaySource) -> WorkdaySpan:
    """The last day to supplement an application returned on ``returned_on`` (DA-10); its ``end`` is the deadline."""
    return add_working_days(returned_on, _days(working_days, "supplement_working_days", "DA-10"), source)


def supplement_missed(deadline: date, today: date) -> bool:
    """True once the deadline day is over: the application closes as withdrawn (DA-10)."""
    return today > deadline


def notice_period(posted_on: date, working_days: int, source: WorkdaySource) -> WorkdaySpan:
    """The public notice posted on ``posted_on`` (SV-1); its ``end`` is the notice's last day."""
    return add_working_days(posted_on, _days(working_days, "notice_working_days", "SV-1"), source)


def passes_at(last_day: date) -> datetime:
    """The instant a period whose last day is ``last_day`` is over: the next midnight, China time (for timers)."""
    if last_day == date.max:
        raise InvalidInput(f"no day follows {last_day}", code="date_out_of_range", field="last_day")
    return datetime.combine(last_day + timedelta(days=1), time.min, CHINA_TZ)
