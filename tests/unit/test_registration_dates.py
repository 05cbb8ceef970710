"""Registration dates (ND-7 validity, ND-8 reassessment, renewal, ND-9 benefit year) and status; no database.

The conventions tested here are those of docs/registration-dates.md.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.dates import CHINA_TZ, china_date, china_midnight, iso_instant
from domain.errors import InvalidInput
from domain.registration.dates import (
    BenefitYear,
    benefit_year,
    covered_until,
    is_overdue,
    last_valid_day,
    reassessment_due,
    registration_year,
    reminder_on,
    renewal_dates,
    renewal_opens,
    schedule,
    status,
    validity_end,
)
from domain.registration.facts import RegistrationFacts

D = date.fromisoformat


def registration(start: str, *, last_reassessed_on: str | None = None, ended_on: str | None = None,
                 end: str | None = None, benefit_year_start: str | None = None) -> RegistrationFacts:
    """A registration starting on ``start``, valid a year unless ``end`` says otherwise."""
    first = D(start)
    return RegistrationFacts(
        id="r1", psn_no="P1", drug="托法替布", hospital_code="H45010300001", physician_code="D450103000001",
        start=first, end=D(end) if end else validity_end(first),
        benefit_year_start=D(benefit_year_start) if benefit_year_start else first,
        last_reassessed_on=D(last_reassessed_on) if last_reassessed_on else None,
        ended_on=D(ended_on) if ended_on else None,
    )


@pytest.mark.parametrize(
    ("start", "end", "last_day"),
    [
        ("2026-08-31", "2027-08-31", "2027-08-30"),
        ("2028-02-29", "2029-02-28", "2029-02-27"),  # no 29 February in 2029: clamped to the month's last day
        ("2027-02-28", "2028-02-28", "2028-02-27"),
        ("2027-03-01", "2028-03-01", "2028-02-29"),
        ("2026-01-01", "2027-01-01", "2026-12-31"),
    ],
)
def test_nd7_registration_is_valid_from_its_start_to_the_day_before_twelve_months_later(
    start: str, end: str, last_day: str
) -> None:
    reassessed = (D(start) + timedelta(days=200)).isoformat()  # the next one would fall due after the end
    reg = registration(start, last_reassessed_on=reassessed)
    assert (reg.end, last_valid_day(reg)) == (D(end), D(last_day))
    assert status(reg, D(last_day)) == "active"
    assert status(reg, D(end)) == "expired"


@pytest.mark.parametrize(
    ("start", "reassessed", "due"),
    [
        ("2026-08-31", None, "2027-02-28"),  # clamped, not rolled into March as P6M would
        ("2028-02-29", None, "2028-08-29"),
        ("2026-03-31", None, "2026-09-30"),
        ("2026-08-31", "2026-12-15", "2027-06-15"),  # an early reassessment moves the anchor
        ("2026-08-31", "2027-02-28", "2027-08-28"),  # counted from the day performed, not from the old due date
    ],
)
def test_nd8_reassessment_is_due_six_months_after_the_last_reassessment_or_the_start(
    start: str, reassessed: str | None, due: str
) -> None:
    assert reassessment_due(registration(start, last_reassessed_on=reassessed)) == D(due)


def test_nd8_no_reassessment_falls_due_when_six_months_reach_the_end_of_validity() -> None:
    reg = registration("2026-08-31", last_reassessed_on="2027-03-01")  # 2027-09-01 is after the end 2027-08-31
    assert reassessment_due(reg) is None
    plan = schedule(reg)
    assert (plan.reassessment_due, plan.reminder_on) == (None, None)
    assert not is_overdue(reg, D("2027-08-30"))
    assert status(reg, D("2027-08-30")) == "active"


@pytest.mark.parametrize(
    ("due", "reminder"),
    [("2027-02-28", "2027-01-29"), ("2028-08-29", "2028-07-30"), ("2028-03-31", "2028-03-01")],
)
def test_nd8_reassessment_task_reaches_the_queue_thirty_days_before_it_is_due(due: str, reminder: str) -> None:
    assert reminder_on(D(due)) == D(reminder)


@pytest.mark.parametrize(
    ("start", "end", "opens"),
    [
        ("2026-08-31", None, "2027-07-31"),
        ("2028-02-29", None, "2029-01-28"),  # end 2029-02-28 minus one month
        ("2027-03-31", None, "2028-02-29"),  # end 2028-03-31 minus one month, clamped into the leap February
        ("2027-08-20", "2027-08-31", "2027-08-20"),  # a short remainder after a change of hospital: from its start
    ],
)
def test_nd7_renewal_task_is_offered_during_the_last_month(start: str, end: str | None, opens: str) -> None:
    assert renewal_opens(registration(start, end=end)) == D(opens)


def test_nd7_renewal_starts_on_the_old_end_without_a_gap() -> None:
    assert renewal_dates(registration("2028-02-29")) == BenefitYear(D("2029-02-28"), D("2030-02-28"))


def test_nd8_overdue_reassessment_suspends_from_the_due_day_until_reassessed() -> None:
    reg = registration("2026-08-31")
    assert status(reg, D("2027-02-27")) == "active"
    assert status(reg, D("2027-02-28")) == "suspended"
    assert is_overdue(reg, D("2027-04-01"))
    reassessed = registration("2026-08-31", last_reassessed_on="2027-04-01")
    assert status(reassessed, D("2027-04-01")) == "active"
    assert reassessment_due(reassessed) is None  # 2027-10-01 is after the end


@pytest.mark.parametrize(
    ("reg", "today", "expected"),
    [
        (registration("2026-08-31", ended_on="2026-10-01"), "2026-10-01", "ended"),
        (registration("2026-08-31", ended_on="2026-10-01"), "2026-09-30", "active"),
        (registration("2026-08-31", ended_on="2027-03-01"), "2027-09-01", "ended"),  # ended beats expired
        (registration("2026-08-31"), "2027-09-01", "expired"),  # expired beats suspended
        (registration("2027-08-31"), "2027-08-30", "pending"),  # a renewal before its start
        (registration("2027-08-31", ended_on="2027-08-15"), "2027-08-20", "ended"),  # a cancelled renewal
        (registration("2026-08-31"), "2027-03-01", "suspended"),
        (registration("2026-08-31"), "2026-08-31", "active"),
    ],
)
def test_nd7_nd8_nd14_status_precedence_ended_expired_pending_suspended_active(
    reg: RegistrationFacts, today: str, expected: str
) -> None:
    assert status(reg, D(today)) == expected


def test_nd14_covered_dates_stop_on_the_day_a_registration_ended() -> None:
    assert covered_until(registration("2026-08-31", ended_on="2026-10-01")) == D("2026-10-01")
    assert covered_until(registration("2026-08-31")) == D("2027-08-31")
    assert covered_until(registration("2027-08-31", ended_on="2027-08-15")) == D("2027-08-31")  # never began


def test_nd8_timers_get_iso_instants_at_china_midnight_never_durations() -> None:
    instants = schedule(registration("2026-08-31")).instants()
    assert instants == {
        "reassessment_reminder": "2027-01-29T00:00:00+08:00",
        "reassessment_due": "2027-02-28T00:00:00+08:00",
        "renewal_opens": "2027-07-31T00:00:00+08:00",
        "expires": "2027-08-31T00:00:00+08:00",
    }
    for value in instants.values():
        assert not value.startswith("P")
        assert datetime.fromisoformat(value).utcoffset() == timedelta(hours=8)


def test_policy_dates_begin_at_midnight_china_time_whatever_the_callers_zone() -> None:
    assert china_midnight(D("2027-02-28")) == datetime(2027, 2, 27, 16, 0, tzinfo=UTC)
    assert iso_instant(D("2028-02-29")) == "2028-02-29T00:00:00+08:00"
    assert china_date(datetime(2027, 2, 27, 16, 0, tzinfo=UTC)) == D("2027-02-28")
    assert china_date(datetime(2027, 2, 27, 15, 59, 59, tzinfo=UTC)) == D("2027-02-27")
    assert china_date(datetime(2027, 2, 28, 0, 0, tzinfo=CHINA_TZ)) == D("2027-02-28")


def test_a_naive_instant_has_no_policy_date() -> None:
    with pytest.raises(InvalidInput) as exc:
        china_date(datetime(2027, 2, 28))  # naive on purpose
    assert exc.value.field == "instant"


@pytest.mark.parametrize(
    ("on", "window"),
    [
        ("2028-02-29", ("2028-02-29", "2029-02-28")),
        ("2029-02-27", ("2028-02-29", "2029-02-28")),
        ("2029-02-28", ("2029-02-28", "2030-02-28")),
        ("2032-02-27", ("2031-02-28", "2032-02-28")),
        ("2032-02-29", ("2032-02-28", "2033-02-28")),  # the clamp holds for the rest of the chain
    ],
)
def test_nd9_benefit_year_follows_the_chain_of_renewals_from_a_leap_day(on: str, window: tuple[str, str]) -> None:
    year = benefit_year(D("2028-02-29"), D(on))
    assert year == BenefitYear(D(window[0]), D(window[1]))
    assert D(on) in year


def test_nd9_a_date_before_the_chain_has_no_benefit_year() -> None:
    with pytest.raises(InvalidInput) as exc:
        benefit_year(D("2028-02-29"), D("2028-02-28"))
    assert exc.value.rule == "ND-9"


def test_nd9_nd14_change_of_hospital_keeps_the_benefit_year_of_the_replaced_registration() -> None:
    moved = registration("2027-01-10", end="2027-08-31", benefit_year_start="2026-08-31")
    assert registration_year(moved) == BenefitYear(D("2026-08-31"), D("2027-08-31"))
    assert benefit_year(D("2026-08-31"), D("2027-01-10")) == registration_year(moved)


@settings(database=None, deadline=None, max_examples=200)
@given(anchor=st.dates(min_value=date(2020, 1, 1), max_value=date(2060, 12, 31)), renewals=st.integers(0, 6),
       offset=st.integers(0, 364))
def test_nd7_nd9_every_renewal_is_exactly_one_benefit_year_of_its_chain(anchor: date, renewals: int,
                                                                      offset: int) -> None:
    reg = registration(anchor.isoformat())
    for _ in range(renewals):
        window = renewal_dates(reg)
        reg = registration(window.start.isoformat())
    day = min(reg.start + timedelta(days=offset), last_valid_day(reg))
    assert benefit_year(anchor, day) == registration_year(reg)
    assert 365 <= (reg.end - reg.start).days <= 366
