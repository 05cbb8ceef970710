"""Working days (工作日) for notice periods (SV-1) and supplement deadlines (DA-10), from a chain of sources.

A source answers for one date whether it is a working day, and where the answer comes from, or says it does not
know the date (``None``). ``chain`` asks its sources in order — the bureau's own table first, then maintained
packages (adapters in ``workflows.calendar``) — and for a date none of them knows counts Monday–Friday with a
warning. Counting never fails for an unknown year: it carries the warnings in its result instead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidInput

MAX_WORKING_DAYS = 3660  # about fourteen years of working days: bounds the work of one count
MAX_SPAN_DAYS = 7305  # twenty years
MAX_DAYS_OFF = 60  # no real schedule has this many days off in a row: a table that does is wrong
WEEKDAY = "Monday–Friday"


@dataclass(frozen=True)
class DayAnswer:
    """Whether a date is a working day, which source says so, and a warning when the answer is not official."""

    workday: bool
    source: str
    warning: str | None = None


WorkdaySource = Callable[[date], DayAnswer | None]


def weekday_answer(day: date) -> DayAnswer:
    """Monday–Friday, with a warning that no official schedule covers the date's year."""
    return DayAnswer(day.weekday() < 5, WEEKDAY,
                     f"{day.year} is not covered by any official schedule; counted Monday–Friday")


def table_source(days: Mapping[date, bool], complete_years: Collection[int] = (),
                 name: str = "bureau table") -> WorkdaySource:
    """A source from a table of dates (True: working day, False: day off), such as the bureau's own.

    A date in the table is answered from it. For a year in ``complete_years`` the table holds the whole official
    schedule, so any other date of that year is a working day exactly when it is Monday–Friday, without a warning.
    """
    table, years = dict(days), frozenset(complete_years)

    def answer(day: date) -> DayAnswer | None:
        if day in table:
            return DayAnswer(table[day], name)
        if day.year in years:
            return DayAnswer(day.weekday() < 5, name)
        return None
    return answer


def chain(*sources: WorkdaySource) -> Callable[[date], DayAnswer]:
    """Ask each source in turn; when none knows the date, count Monday–Friday with a warning."""
    def answer(day: date) -> DayAnswer:
        for source in sources:
            found = source(day)
            if found is not None:
                return found
        return weekday_answer(day)
    return answer


@dataclass(frozen=True)
class WorkdaySpan:
    """A counted span: from ``start`` (not counted) to ``end`` (counted), its working days, sources and warnings."""

    start: date
    end: date
    working_days: int
    sources: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def provisional(self) -> bool:
        """True when some day of the span was not answered by an official schedule."""
        return bool(self.warnings)


class _Tally:
    """Collects the sources and warnings of the days asked, each once, in order."""

    def __init__(self, source: WorkdaySource) -> None:
        self.answer = chain(source)
        self.sources: dict[str, None] = {}
        self.warnings: dict[str, None] = {}

    def workday(self, day: date) -> bool:
        found = self.answer(day)
        self.sources[found.source] = None
        if found.warning:
            self.warnings[found.warning] = None
        return found.workday

    def span(self, start: date, end: date, count: int) -> WorkdaySpan:
        return WorkdaySpan(start, end, count, tuple(self.sources), tuple(self.warnings))


def _next_day(day: date, field: str) -> date:
    try:
        return day + timedelta(days=1)
    except OverflowError:
        raise InvalidInput(f"counting runs past the last date the calendar knows ({date.max})",
                           code="date_out_of_range", field=field) from None


def add_working_days(start: date, n: int, source: WorkdaySource) -> WorkdaySpan:
    """The ``n``-th working day after ``start`` (``start`` itself not counted; 0 gives ``start``)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_WORKING_DAYS:
        raise InvalidInput(f"the number of working days must be 0–{MAX_WORKING_DAYS}, got {n!r}", field="n")
    tally, day, counted, off = _Tally(source), start, 0, 0
    while counted < n:
        day = _next_day(day, "n")
        if tally.workday(day):
            counted, off = counted + 1, 0
        else:
            off += 1
            if off > MAX_DAYS_OFF:
                raise InvalidInput(f"no working day in the {MAX_DAYS_OFF} days before {day}: check the calendar table",
                                   code="calendar_without_working_days", field="n")
    return tally.span(start, day, n)


def working_days_between(start: date, end: date, source: WorkdaySource) -> WorkdaySpan:
    """The working days after ``start`` up to and including ``end`` (so it undoes ``add_working_days``)."""
    if end < start:
        raise InvalidInput(f"end {end} is before start {start}", field="end")
    if (end - start).days > MAX_SPAN_DAYS:
        raise InvalidInput(f"count at most {MAX_SPAN_DAYS} days at once", field="end")
    tally = _Tally(source)
    count = sum(tally.workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))
    return tally.span(start, end, count)


def is_working_day(day: date, source: WorkdaySource) -> DayAnswer:
    """The answer for one date, from the first source that knows it, else Monday–Friday with a warning."""
    return chain(source)(day)


# --- the bureau's table: one year's official schedule at a time ----------------------------------------------------
MIN_TABLE_YEAR, MAX_TABLE_YEAR = 2000, 2100
MAX_DAYS_OFF_PER_YEAR = 60  # the State Council's schedules have about 30 days off on weekdays and weekends together
MAX_WORKING_WEEKENDS_PER_YEAR = 20  # adjusted working days (调休上班): about 6–8 a year
MAX_DAY_NAME = 30
MAX_SCHEDULE_SOURCE = 300


@dataclass(frozen=True)
class ScheduledDay:
    """One date of a year's schedule: a day off (a holiday, 放假) or an adjusted working weekend day (调休上班)."""

    day: date
    workday: bool
    name: str | None = None


@dataclass(frozen=True)
class YearSchedule:
    """The official schedule of one year, as the bureau enters it from the State Council's notice.

    Every date the schedule does not list is a working day exactly when it is Monday–Friday."""

    year: int
    source: str
    days: tuple[ScheduledDay, ...]

    def table(self) -> dict[date, bool]:
        """The dates of the schedule as ``table_source`` takes them."""
        return {d.day: d.workday for d in self.days}


def _table_year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_TABLE_YEAR <= year <= MAX_TABLE_YEAR:
        raise InvalidInput(f"the year must be {MIN_TABLE_YEAR}–{MAX_TABLE_YEAR}, got {year!r}", field="year")
    return year


def _name(name: str | None, field: str) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_DAY_NAME:
        raise InvalidInput(f"a day's name is 1–{MAX_DAY_NAME} characters, not blank", field=field)
    return name.strip()


def year_schedule(year: int, source: str, days_off: Sequence[tuple[date, str | None]],
                  working_days: Sequence[tuple[date, str | None]]) -> YearSchedule:
    """Check one year's schedule: its days off (any date of the year) and its adjusted working days (weekends only).

    Refused, naming the field (``days_off[i]``, ``working_days[i]``): a date outside ``year``; a date listed twice or
    in both lists; an adjusted working day that is not a Saturday or Sunday (a weekday is a working day already); more
    days than any real schedule has; a blank or over-long source or name.
    """
    _table_year(year)
    if not isinstance(source, str) or not source.strip() or len(source) > MAX_SCHEDULE_SOURCE:
        raise InvalidInput(f"source names the notice the schedule comes from, 1–{MAX_SCHEDULE_SOURCE} characters",
                           field="source")
    if len(days_off) > MAX_DAYS_OFF_PER_YEAR:
        raise InvalidInput(f"at most {MAX_DAYS_OFF_PER_YEAR} days off in a year", field="days_off")
    if len(working_days) > MAX_WORKING_WEEKENDS_PER_YEAR:
        raise InvalidInput(f"at most {MAX_WORKING_WEEKENDS_PER_YEAR} adjusted working days in a year",
                           field="working_days")
    seen: dict[date, str] = {}
    days: list[ScheduledDay] = []
    for listed, workday in (("days_off", False), ("working_days", True)):
        for i, (day, name) in enumerate(days_off if not workday else working_days):
            field = f"{listed}[{i}]"
            if day.year != year:
                raise InvalidInput(f"{day} is not in {year}", code="date_outside_year", field=field)
            if day in seen:
                raise InvalidInput(f"{day} is listed twice (also as {seen[day]})", code="date_listed_twice",
                                   field=field)
            if workday and day.weekday() < 5:
                raise InvalidInput(f"{day} is a {day.strftime('%A')}: an adjusted working day (调休上班) is a "
                                   "Saturday or Sunday", code="not_a_weekend", field=field)
            seen[day] = field
            days.append(ScheduledDay(day, workday, _name(name, f"{field}.name")))
    return YearSchedule(year, source.strip(), tuple(sorted(days, key=lambda d: d.day)))


def table_from_schedules(schedules: Sequence[YearSchedule], name: str = "bureau table") -> WorkdaySource:
    """The bureau's table as a source: each year it holds is complete (its notice lists every exception)."""
    days: dict[date, bool] = {}
    for schedule in schedules:
        days.update(schedule.table())
    return table_source(days, [s.year for s in schedules], name)
