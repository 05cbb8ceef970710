"""The instants the registration diagram's timers wait for (ND-7, ND-8), from the few facts its data carries.

The diagram (``bpmn/registration/registration.bpmn``) calls :func:`registration_timers` by name from its scripts; the
engine never computes a policy date itself (docs/registration-dates.md). Its data keeps dates as ISO text
(``"2026-08-31"``) so that a waiting instance stays small.
"""

from __future__ import annotations

from datetime import date

from domain.dates import iso_instant
from domain.errors import InvalidInput
from domain.registration.dates import schedule
from domain.registration.facts import RegistrationFacts

TIMER_NAMES = ("starts_at", "reminder_at", "due_at", "renewal_at", "expires_at")


def _day(value: object, name: str) -> date:
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be an ISO date, got {value!r}", field=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO date, got {value!r}", field=name) from None


def registration_timers(start: str, end: str, reassessed_on: str | None, today: date) -> dict[str, str | None]:
    """Every timer instant of a registration valid [start, end), last reassessed on ``reassessed_on``.

    ``starts_at`` is set only while the registration is pending (a renewal before its start); ``reminder_at`` and
    ``due_at`` are None when no reassessment falls due within the validity (ND-8); ``renewal_at`` opens the last month
    and ``expires_at`` is the end (ND-7). Values are ISO instants in China time for the engine's ``timeDate``.
    """
    first, last = _day(start, "start"), _day(end, "end")
    reassessed = None if reassessed_on is None else _day(reassessed_on, "reassessed_on")
    facts = RegistrationFacts(id="", psn_no="", drug="", hospital_code="", physician_code="", start=first,
                              end=last, benefit_year_start=first, last_reassessed_on=reassessed)
    instants = schedule(facts).instants()
    return {
        "starts_at": iso_instant(first) if first > today else None,
        "reminder_at": instants.get("reassessment_reminder"),
        "due_at": instants.get("reassessment_due"),
        "renewal_at": instants["renewal_opens"],
        "expires_at": instants["expires"],
    }
