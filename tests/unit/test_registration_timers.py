"""The instants the registration diagram waits for, computed by domain code (ND-7, ND-8) — never by the engine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dates import add_months
from domain.errors import InvalidInput
from domain.registration.dates import renewal_opens, validity_end
from domain.registration.timers import registration_timers

from .registration_factories import registration


@pytest.mark.parametrize(("start", "reminder", "due", "renewal", "expires"), [
    ("2026-08-31", "2027-01-29", "2027-02-28", "2027-07-31", "2027-08-31"),
    ("2028-02-29", "2028-07-30", "2028-08-29", "2029-01-28", "2029-02-28"),
])
def test_nd7_nd8_the_timers_of_a_new_registration_clamp_month_ends_and_leap_days(
    start: str, reminder: str, due: str, renewal: str, expires: str
) -> None:
    timers = registration_timers(start, validity_end(date.fromisoformat(start)).isoformat(), None,
                                 date.fromisoformat(start))
    assert timers == {
        "starts_at": None, "reminder_at": f"{reminder}T00:00:00+08:00", "due_at": f"{due}T00:00:00+08:00",
        "renewal_at": f"{renewal}T00:00:00+08:00", "expires_at": f"{expires}T00:00:00+08:00",
    }


def test_nd8_after_a_reassessment_the_next_due_counts_from_that_day_and_none_falls_after_the_end() -> None:
    assert registration_timers("2026-08-31", "2027-08-31", "2027-02-28", date(2027, 2, 28))["due_at"] == (
        "2027-08-28T00:00:00+08:00")
    late = registration_timers("2026-08-31", "2027-08-31", "2027-03-01", date(2027, 3, 1))
    assert (late["reminder_at"], late["due_at"]) == (None, None)


def test_nd7_a_renewal_waits_for_its_start_while_pending() -> None:
    timers = registration_timers("2027-08-31", "2028-08-31", None, date(2027, 8, 10))
    assert timers["starts_at"] == "2027-08-31T00:00:00+08:00"
    assert registration_timers("2027-08-31", "2028-08-31", None, date(2027, 8, 31))["starts_at"] is None


@pytest.mark.parametrize("bad", ["2026-02-30", "", None, 20260831])
def test_nd7_a_malformed_date_in_the_diagrams_data_is_refused_by_name(bad: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        registration_timers(bad, "2027-08-31", None, date(2026, 8, 31))  # type: ignore[arg-type]
    assert refused.value.field == "start"


@given(start=st.dates(date(2020, 1, 1), date(2060, 12, 31)), offset=st.integers(0, 400))
def test_nd7_nd8_a_reminder_is_never_still_pending_when_a_renewal_is_allowed(start: date, offset: int) -> None:
    """The diagram relies on it: the renewal opens on or after every reminder of the same registration, so a
    renewal never leaves a reminder timer to fire after it (docs/registration.md)."""
    stored = registration(start)
    reassessed = start + timedelta(days=offset)
    if reassessed >= stored.end:
        return
    timers = registration_timers(start.isoformat(), stored.end.isoformat(), reassessed.isoformat(), reassessed)
    if timers["reminder_at"] is None:
        return
    reminder = date.fromisoformat(timers["reminder_at"][:10])
    assert reminder <= add_months(stored.end, -1) <= renewal_opens(stored)
