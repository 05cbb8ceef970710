"""The working-day chain over the real packages (notes/calendar.md): bureau table → chinese-calendar → holidays →
Monday–Friday; SV-1 notice periods and DA-10 deadlines count on it and never crash for an unknown year."""

from __future__ import annotations

from datetime import date

import pytest

from domain.admission.deadlines import notice_period
from domain.errors import InvalidInput
from domain.workdays import add_working_days, chain, is_working_day, working_days_between
from workflows.calendar import chinese_calendar_source, holidays_source, working_day_source

SOURCE = working_day_source()


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 9, 20), True),  # Sunday, adjusted working day (调休上班)
        (date(2026, 10, 10), True),  # Saturday, adjusted working day
        (date(2026, 10, 11), False),
    ],
)
def test_chinese_calendar_answers_2026_with_holidays_and_adjusted_working_days(day: date, workday: bool) -> None:
    answer = chinese_calendar_source()(day)
    assert answer is not None and answer.workday is workday and answer.warning is None
    assert answer.source == "chinese-calendar 1.11.0"


def test_chinese_calendar_does_not_know_2027_and_says_so_instead_of_raising() -> None:
    assert chinese_calendar_source()(date(2027, 1, 4)) is None


@pytest.mark.parametrize("day", [date(2026, 9, 20), date(2026, 10, 10)])
def test_holidays_knows_2026_adjusted_working_days_officially(day: date) -> None:
    answer = holidays_source()(day)
    assert answer is not None and answer.workday and answer.warning is None


def test_sv1_a_notice_period_across_the_national_day_holiday() -> None:
    span = notice_period(date(2026, 9, 28), 5, SOURCE)
    assert (span.end, span.provisional) == (date(2026, 10, 10), False)
    assert span.sources == ("chinese-calendar 1.11.0",)
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 10), SOURCE).working_days == 5


def test_a_date_in_2027_is_answered_by_rule_with_a_provisional_warning() -> None:
    answer = is_working_day(date(2027, 10, 1), SOURCE)  # National Day, a Friday
    assert not answer.workday and answer.source.endswith("(by rule)")
    assert answer.warning is not None and answer.warning.startswith("2027:") and "provisional" in answer.warning
    span = add_working_days(date(2027, 9, 28), 5, SOURCE)
    assert span.provisional and span.end > date(2027, 10, 4)  # the holiday is skipped, not counted Monday–Friday


def test_a_year_no_source_covers_is_counted_monday_to_friday_with_a_warning() -> None:
    packages_without_rules = chain(chinese_calendar_source())
    answer = packages_without_rules(date(2029, 2, 13))  # Chinese New Year's Eve 2029, a Tuesday
    assert answer.workday and answer.source == "Monday–Friday"
    assert answer.warning == "2029 is not covered by any official schedule; counted Monday–Friday"
    beyond = is_working_day(date(2101, 1, 3), SOURCE)
    assert beyond.source == "Monday–Friday" and beyond.warning is not None


def test_the_bureau_table_overrides_both_packages() -> None:
    source = working_day_source({date(2026, 10, 8): False, date(2027, 10, 9): True}, bureau_years={2027})
    assert is_working_day(date(2026, 10, 8), source).source == "bureau table"
    assert not is_working_day(date(2026, 10, 8), source).workday
    assert is_working_day(date(2027, 10, 9), source).workday  # a Saturday the bureau entered as worked
    answer = is_working_day(date(2027, 3, 1), source)  # the bureau holds the whole 2027 schedule
    assert (answer.source, answer.warning) == ("bureau table", None)
    assert is_working_day(date(2026, 10, 9), source).source == "chinese-calendar 1.11.0"


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1949, 12, 31), date(2003, 5, 1), date(9999, 12, 31)])
def test_years_at_the_edges_never_crash(day: date) -> None:
    answer = is_working_day(day, SOURCE)
    assert isinstance(answer.workday, bool)
    assert working_days_between(day.replace(day=1), day, SOURCE).working_days >= 0


def test_counting_past_the_last_date_is_a_clear_input_error() -> None:
    with pytest.raises(InvalidInput) as err:
        add_working_days(date(9999, 12, 28), 10, SOURCE)
    assert err.value.code == "date_out_of_range"
