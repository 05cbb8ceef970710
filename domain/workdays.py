"""Working days (工作日) for notice periods (SV-1) and supplement deadlines (DA-10), from a chain of sources.

A source answers for one date whether it is a working day, and where the answer comes from, or says it does not
know the date (``None``). ``chain`` asks its sources in order — the bureau's own table first, then maintained
packages (adapters in ``workflows.calendar``) — and for a date none of them knows counts Monday–Friday with a
warning. Counting never fails for an unknown year: it carries the warnings in its result instead.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
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
