"""Registration dates: validity (ND-7), reassessment (ND-8), renewal, benefit year (ND-9) and status.

Conventions (docs/registration-dates.md): policy dates are calendar dates in China time; a registration is valid on
the dates [start, end) with end = start + 12 months, clamped to the month's last day; each date takes effect at
midnight China time, and the engine receives those instants as ISO timestamps, never ISO durations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.dates import add_months, iso_instant
from domain.errors import InvalidInput
from domain.registration.facts import RegistrationFacts

VALIDITY_MONTHS = 12  # 登记有效期1年 (ND-7)
REASSESSMENT_MONTHS = 6  # 最长不超过6个月重新评估 (ND-8)
REMINDER_DAYS = 30  # the reassessment task reaches the queue 30 days before it is due (ND-8, our reading)
RENEWAL_MONTHS = 1  # the renewal task is offered during the registration's last month (our reading)


@dataclass(frozen=True)
class BenefitYear:
    """A benefit year (待遇年度) [start, end) of the annual limit (ND-9, our reading: the registration's year)."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end


@dataclass(frozen=True)
class Schedule:
    """The dates a registration's timers wait for; ``None`` where nothing falls due within the validity."""

    end: date  # expires at the start of this day (ND-7)
    reassessment_due: date | None  # suspended from the start of this day unless reassessed (ND-8)
    reminder_on: date | None  # the reassessment task reaches the queue (ND-8)
    renewal_opens: date  # the renewal task is offered (ND-7)

    def instants(self) -> dict[str, str]:
        """Each date as the ISO instant it begins in China time, keyed by timer name, for the engine."""
        dates = {
            "reassessment_reminder": self.reminder_on,
            "reassessment_due": self.reassessment_due,
            "renewal_opens": self.renewal_opens,
            "expires": self.end,
        }
        return {name: iso_instant(day) for name, day in dates.items() if day is not None}


def validity_end(start: date) -> date:
    """The exclusive end of a registration starting on ``start``: 12 months later, clamped (ND-7)."""
    return add_months(start, VALIDITY_MONTHS)


def last_valid_day(registration: RegistrationFacts) -> date:
    """The last calendar day on which the registration is valid (the day before ``end``)."""
    return registration.end - timedelta(days=1)


def reassessment_anchor(registration: RegistrationFacts) -> date:
    """The date the next reassessment is counted from: the last reassessment performed, else the start (ND-8)."""
    return registration.last_reassessed_on or registration.start


def reassessment_due(registration: RegistrationFacts) -> date | None:
    """The day the next reassessment is due, 6 months after its anchor; None when that is not before the end (ND-8)."""
    due = add_months(reassessment_anchor(registration), REASSESSMENT_MONTHS)
    return due if due < registration.end else None


def reminder_on(due: date) -> date:
    """The day the reassessment task reaches the physician's queue: 30 days before it is due (ND-8)."""
    return due - timedelta(days=REMINDER_DAYS)


def renewal_opens(registration: RegistrationFacts) -> date:
    """The first day of the registration's last month, when the renewal task is offered (never before the start)."""
    return max(registration.start, add_months(registration.end, -RENEWAL_MONTHS))


def schedule(registration: RegistrationFacts) -> Schedule:
    """Every timer date of a registration, computed from its stored facts (ND-7, ND-8)."""
    due = reassessment_due(registration)
    return Schedule(
        end=registration.end,
        reassessment_due=due,
        reminder_on=reminder_on(due) if due is not None else None,
        renewal_opens=renewal_opens(registration),
    )


def is_overdue(registration: RegistrationFacts, today: date) -> bool:
    """True when the reassessment due date has come without a reassessment (ND-8: suspended)."""
    due = reassessment_due(registration)
    return due is not None and today >= due


def status(registration: RegistrationFacts, today: date) -> str:
    """The registration's status on ``today``: ended > expired > pending > suspended > active (first that holds)."""
    if registration.ended_on is not None and registration.ended_on <= today:
        return "ended"
    if today >= registration.end:
        return "expired"
    if today < registration.start:
        return "pending"
    if is_overdue(registration, today):
        return "suspended"
    return "active"


def covered_until(registration: RegistrationFacts) -> date:
    """The exclusive end of the dates the registration covers: its end, or the day it ended before that."""
    if registration.ended_on is not None:
        return max(registration.start, min(registration.end, registration.ended_on))
    return registration.end


def registration_year(registration: RegistrationFacts) -> BenefitYear:
    """The benefit year the registration belongs to (ND-9): its year, kept across a change of hospital (ND-14)."""
    return BenefitYear(registration.benefit_year_start, registration.end)


def benefit_year(anchor: date, on: date) -> BenefitYear:
    """The benefit year containing ``on`` in a chain of registrations renewed without a gap from ``anchor`` (ND-9).

    A renewal starts on the old end (ND-7), so the years are [anchor, anchor + 12 months), then 12 months from each
    end in turn; the clamp of a leap-day anchor therefore holds for the rest of the chain (2028-02-29 → 2029-02-28 →
    2030-02-28).
    """
    if on < anchor:
        raise InvalidInput(f"{on.isoformat()} is before the chain's start {anchor.isoformat()}", field="on",
                           rule="ND-9")
    start = anchor
    while on >= validity_end(start):
        start = validity_end(start)
    return BenefitYear(start, validity_end(start))


def renewal_dates(registration: RegistrationFacts) -> BenefitYear:
    """The validity of a renewal: it starts on the old end, without a gap, for 12 months (ND-7)."""
    return BenefitYear(registration.end, validity_end(registration.end))
