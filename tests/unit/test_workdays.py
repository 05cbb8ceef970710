"""Working days from a chain of sources (SV-1 notice period, DA-10 supplement deadline): warnings, never a crash."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.admission.deadlines import notice_period, passes_at, supplement_deadline, supplement_missed
from domain.dates import CHINA_TZ
from domain.errors import InvalidInput
from domain.workdays import (
    DayAnswer,
    add_working_days,
    chain,
    is_working_day,
    table_from_schedules,
    table_source,
    working_days_between,
    year_schedule,
)

# An official-looking schedule for 2026's National Day: 10-01…10-07 off, Sunday 09-20 and Saturday 10-10 worked.
NATIONAL_DAY = {**{date(2026, 10, d): False for d in range(1, 8)}, date(2026, 9, 20): True, date(2026, 10, 10): True}
OFFICIAL = table_source(NATIONAL_DAY, complete_years={2026})


def test_a_table_answers_its_dates_and_a_complete_year_by_weekday_without_warning() -> None:
    assert OFFICIAL(date(2026, 10, 1)) == DayAnswer(False, "bureau table")
    assert OFFICIAL(date(2026, 9, 20)) == DayAnswer(True, "bureau table")  # an adjusted working Sunday
    assert OFFICIAL(date(2026, 10, 8)) == DayAnswer(True, "bureau table")
    assert OFFICIAL(date(2026, 10, 11)) == DayAnswer(False, "bureau table")
    assert OFFICIAL(date(2027, 1, 4)) is None  # the table does not know 2027


def test_a_date_no_source_knows_is_counted_monday_to_friday_with_a_warning() -> None:
    answer = is_working_day(date(2029, 3, 5), OFFICIAL)
    assert (answer.workday, answer.source) == (True, "Monday–Friday")
    assert answer.warning == "2029 is not covered by any official schedule; counted Monday–Friday"
    assert not is_working_day(date(2029, 3, 4), OFFICIAL).workday


def test_the_first_source_that_knows_a_date_wins() -> None:
    bureau = table_source({date(2026, 10, 8): False}, name="bureau table")
    package = table_source(NATIONAL_DAY, {2026}, name="package")
    source = chain(bureau, package)
    assert source(date(2026, 10, 8)) == DayAnswer(False, "bureau table")
    assert source(date(2026, 10, 9)) == DayAnswer(True, "package")


def test_sv1_a_notice_period_skips_the_national_day_holiday_and_counts_the_adjusted_saturday() -> None:
    span = notice_period(date(2026, 9, 28), 5, OFFICIAL)  # Tue 29, Wed 30, Thu 10-08, Fri 10-09, Sat 10-10
    assert (span.end, span.working_days, span.provisional) == (date(2026, 10, 10), 5, False)
    assert span.sources == ("bureau table",)


def test_sv1_counting_monday_to_friday_would_have_ended_the_notice_during_the_holiday() -> None:
    span = add_working_days(date(2026, 9, 28), 5, table_source({}))
    assert span.end == date(2026, 10, 5) and span.provisional
    assert span.warnings == ("2026 is not covered by any official schedule; counted Monday–Friday",)


def test_warnings_are_given_once_per_year_in_order() -> None:
    span = add_working_days(date(2026, 12, 20), 30, OFFICIAL)
    assert span.sources == ("bureau table", "Monday–Friday")
    assert span.warnings == ("2027 is not covered by any official schedule; counted Monday–Friday",)


@pytest.mark.parametrize("start", [date(2026, 9, 18) + timedelta(days=i) for i in range(25)])
@pytest.mark.parametrize("n", [0, 1, 2, 5, 10, 20])
def test_working_days_between_undoes_add_working_days(start: date, n: int) -> None:
    end = add_working_days(start, n, OFFICIAL).end
    assert working_days_between(start, end, OFFICIAL).working_days == n
    assert n == 0 or is_working_day(end, OFFICIAL).workday


def test_the_start_day_is_not_counted_and_zero_days_is_the_start() -> None:
    assert add_working_days(date(2026, 10, 9), 1, OFFICIAL).end == date(2026, 10, 10)
    assert add_working_days(date(2026, 10, 3), 0, OFFICIAL).end == date(2026, 10, 3)
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 1), OFFICIAL).working_days == 0


@pytest.mark.parametrize("n", [-1, 3661, True, 2.0])
def test_a_number_of_working_days_out_of_range_is_refused(n: object) -> None:
    with pytest.raises(InvalidInput) as err:
        add_working_days(date(2026, 1, 1), n, OFFICIAL)  # type: ignore[arg-type]
    assert err.value.field == "n"


def test_an_end_before_the_start_or_a_span_over_twenty_years_is_refused() -> None:
    with pytest.raises(InvalidInput):
        working_days_between(date(2026, 1, 2), date(2026, 1, 1), OFFICIAL)
    with pytest.raises(InvalidInput):
        working_days_between(date(2000, 1, 1), date(2030, 1, 1), OFFICIAL)


def test_year_1_is_counted_monday_to_friday_with_a_warning() -> None:
    span = add_working_days(date(1, 1, 1), 5, OFFICIAL)
    assert span.end == date(1, 1, 8) and span.warnings == ("1 is not covered by any official schedule; "
                                                           "counted Monday–Friday",)
    assert working_days_between(date(1, 1, 1), date(1, 1, 31), OFFICIAL).working_days == 22


def test_year_9999_counts_until_the_calendar_ends_and_then_refuses_clearly() -> None:
    assert working_days_between(date(9999, 12, 1), date(9999, 12, 31), OFFICIAL).working_days == 22
    assert add_working_days(date(9999, 12, 28), 3, OFFICIAL).end == date(9999, 12, 31)  # a Friday
    with pytest.raises(InvalidInput) as err:
        add_working_days(date(9999, 12, 28), 4, OFFICIAL)
    assert err.value.code == "date_out_of_range"


def test_a_table_without_working_days_is_refused_instead_of_looping() -> None:
    with pytest.raises(InvalidInput) as err:
        add_working_days(date(2026, 1, 1), 1, lambda day: DayAnswer(False, "broken table"))
    assert err.value.code == "calendar_without_working_days"


def test_da10_the_supplement_deadline_counts_working_days_and_is_missed_the_day_after() -> None:
    span = supplement_deadline(date(2026, 9, 29), 3, OFFICIAL)  # Wed 30, Thu 10-08, Fri 10-09
    assert span.end == date(2026, 10, 9)
    assert not supplement_missed(span.end, date(2026, 10, 9))
    assert supplement_missed(span.end, date(2026, 10, 10))


def test_da10_sv1_the_number_of_days_is_at_least_one() -> None:
    with pytest.raises(InvalidInput) as err:
        supplement_deadline(date(2026, 9, 29), 0, OFFICIAL)
    assert (err.value.rule, err.value.field) == ("DA-10", "supplement_working_days")
    with pytest.raises(InvalidInput) as err:
        notice_period(date(2026, 9, 29), -5, OFFICIAL)
    assert err.value.rule == "SV-1"


def test_a_period_passes_at_midnight_china_time_after_its_last_day() -> None:
    assert passes_at(date(2026, 10, 9)) == datetime(2026, 10, 10, tzinfo=CHINA_TZ)
    with pytest.raises(InvalidInput):
        passes_at(date.max)


def test_a_year_schedule_is_sorted_and_becomes_a_complete_year_of_the_table() -> None:
    schedule = year_schedule(2026, " 国办发明电〔2025〕7号 ", [(date(2026, 10, d), "国庆节") for d in range(7, 0, -1)],
                             [(date(2026, 9, 20), "调休"), (date(2026, 10, 10), None)])
    assert schedule.source == "国办发明电〔2025〕7号"
    assert [d.day for d in schedule.days][:2] == [date(2026, 9, 20), date(2026, 10, 1)]
    assert schedule.table() == NATIONAL_DAY
    source = table_from_schedules([schedule])
    assert source(date(2026, 10, 8)) == DayAnswer(True, "bureau table")
    assert source(date(2027, 1, 4)) is None  # a year not entered is left to the packages


@pytest.mark.parametrize(("off", "worked", "field", "code"), [
    ([(date(2025, 12, 31), None)], [], "days_off[0]", "date_outside_year"),
    ([], [(date(2026, 10, 9), None)], "working_days[0]", "not_a_weekend"),
    ([(date(2026, 10, 10), None)], [(date(2026, 10, 10), None)], "working_days[0]", "date_listed_twice"),
    ([(date(2026, 10, 1), " ")], [], "days_off[0].name", "invalid_input"),
    ([(date(2026, 1, 1) + timedelta(days=i), None) for i in range(61)], [], "days_off", "invalid_input"),
])
def test_a_bad_year_schedule_names_the_field(off: list[tuple[date, str | None]],
                                             worked: list[tuple[date, str | None]], field: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        year_schedule(2026, "notice", off, worked)
    assert (refused.value.field, refused.value.code) == (field, code)


@pytest.mark.parametrize("year", [1999, 2101, True, "2026"])
def test_a_year_outside_2000_2100_is_refused(year: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        year_schedule(year, "notice", [], [])  # type: ignore[arg-type]
    assert refused.value.field == "year"
