"""Working-day sources from maintained packages, chained after the bureau's own table (notes/calendar.md).

Order: the bureau's table (entered when the State Council publishes the next year's schedule) → ``chinese-calendar``
(the official schedules it ships, 2004 up to its release; it raises NotImplementedError for later years) →
``holidays`` (its China calendar: official schedules with adjusted working days where it ships them, the public
holidays by rule for other years 1950–2100, answered with a "provisional" warning) → Monday–Friday with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date
from functools import lru_cache
from importlib.metadata import version

import chinese_calendar
from holidays import HolidayBase, country_holidays

from domain.workdays import DayAnswer, WorkdaySource, chain, table_source


def chinese_calendar_source() -> WorkdaySource:
    """``chinese-calendar``'s answer for the years whose official schedule it ships, else None."""
    name = f"chinese-calendar {version('chinese-calendar')}"

    def answer(day: date) -> DayAnswer | None:
        try:
            return DayAnswer(bool(chinese_calendar.is_workday(day)), name)
        except NotImplementedError:  # "no available data for year …"
            return None
    return answer


@lru_cache(maxsize=64)
def _china(year: int) -> HolidayBase:
    return country_holidays("CN", years=year)


def holidays_source() -> WorkdaySource:
    """``holidays``' China calendar; a year without its adjusted working days is answered by rule, with a warning.

    A year counts as official when the package lists adjusted weekend working days (调休上班) for it: China has had
    them every year, and the package adds them only from the State Council's notice.
    """
    name = f"holidays {version('holidays')}"
    known = _china(2026)  # the years the package computes: 1950–2100 in 0.109

    def answer(day: date) -> DayAnswer | None:
        if not known.start_year <= day.year <= known.end_year:
            return None
        calendar = _china(day.year)
        workday = bool(calendar.is_working_day(day))
        if any(d.year == day.year for d in calendar.weekend_workdays):
            return DayAnswer(workday, name)
        return DayAnswer(workday, f"{name} (by rule)",
                         f"{day.year}: no official schedule is known yet; public holidays are computed by rule, "
                         "without adjusted working days (provisional)")
    return answer


def working_day_source(bureau_days: Mapping[date, bool] | None = None,
                       bureau_years: Collection[int] = ()) -> Callable[[date], DayAnswer]:
    """The service's chain: the bureau's table (its rows as a mapping), chinese-calendar, holidays, Monday–Friday."""
    return chain(table_source(bureau_days or {}, bureau_years), chinese_calendar_source(), holidays_source())
