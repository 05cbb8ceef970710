"""The bureau's working-day table: enter a year's official schedule, read it, count with it (notes/calendar.md).

The State Council publishes each winter the next year's holidays and adjusted working days; a maintained package
learns them only in a later release. So the bureau enters a year here (the API's ``PUT /calendar/years/{year}``
or ``yibao calendar set-year``), and every count of working days asks its table first, then the packages
(``workflows.calendar``), then Monday–Friday with a warning.

The diagrams count with the table too: the services add :func:`operation_calendar` around every engine operation
(``Engine.add_operation_context``), so a script function reads :func:`calendar_in_use` — the stored table, loaded
once per operation and only when a working day is asked. A deadline is computed when its step runs: entering a year
later does not move a timer already set (``docs/calendar.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from domain.actors import Actor
from domain.errors import Conflict, InvalidInput, NotFound
from domain.permissions import require
from domain.workdays import (
    DayAnswer,
    ScheduledDay,
    WorkdaySource,
    YearSchedule,
    add_working_days,
    chain,
    table_from_schedules,
    year_schedule,
)
from storage.calendar_models import WorkdayDay, WorkdayYear
from storage.calendar_repository import Workdays
from storage.uow import UnitOfWork

from . import clock
from .calendar import chinese_calendar_source, holidays_source
from .context import Services

TABLE_AGGREGATE = ("workday_table", "bureau")  # one audit chain for every change of the table
MAX_DAYS_LISTED = 366
MAX_REASON = 300


@dataclass(frozen=True)
class ScheduledDayView:
    """One exception of a year's schedule."""

    date: date
    name: str | None


@dataclass(frozen=True)
class YearSummaryView:
    """A year of the bureau's table, without its days."""

    year: int
    source: str
    entered_by: str
    entered_at: datetime
    days_off: int
    working_days: int


@dataclass(frozen=True)
class YearScheduleView:
    """A year of the bureau's table with its days off and adjusted working days."""

    year: int
    source: str
    entered_by: str
    entered_at: datetime
    days_off: list[ScheduledDayView]
    working_days: list[ScheduledDayView]


@dataclass(frozen=True)
class DayView:
    """Whether a date is a working day, by which source, with the warning of a provisional answer."""

    date: date
    workday: bool
    source: str
    warning: str | None


@dataclass(frozen=True)
class DaysView:
    """The answers for a range of dates, and the working days among them."""

    start: date
    end: date
    working_days: int
    days: list[DayView]
    warnings: list[str]


@dataclass(frozen=True)
class CountView:
    """The ``working_days``-th working day after ``start`` (``start`` not counted), with sources and warnings."""

    start: date
    working_days: int
    last_day: date
    sources: list[str]
    warnings: list[str]
    provisional: bool


# --- the table as a source ---------------------------------------------------------------------------------------
def _schedules(uow: UnitOfWork) -> list[YearSchedule]:
    repository = uow.repository(Workdays)
    by_year: dict[int, list[ScheduledDay]] = {}
    for d in repository.days():
        by_year.setdefault(d.year, []).append(ScheduledDay(d.day, d.workday, d.name))
    return [YearSchedule(y.year, y.source, tuple(by_year.get(y.year, ()))) for y in repository.years()]


def _stored_source(uow: UnitOfWork) -> Callable[[date], DayAnswer]:
    return chain(table_from_schedules(_schedules(uow)), *_packages())


class _LazyTable:
    """The stored table, read on the first date asked (with its own read-only unit of work), then kept."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._source: WorkdaySource | None = None

    def __call__(self, day: date) -> DayAnswer | None:
        if self._source is None:
            with self._services.uow(read_only=True) as uow:
                self._source = table_from_schedules(_schedules(uow))
        return self._source(day)


_in_use: ContextVar[Callable[[date], DayAnswer] | None] = ContextVar("yibao_workday_calendar", default=None)


@lru_cache(maxsize=1)
def _packages() -> tuple[WorkdaySource, ...]:
    """The maintained packages, after the bureau's table."""
    return chinese_calendar_source(), holidays_source()


def calendar_in_use() -> Callable[[date], DayAnswer]:
    """The chain the operation under way counts with (the bureau's table first); outside one, the packages only."""
    return _in_use.get() or chain(*_packages())


def operation_calendar(services: Services) -> Callable[[], AbstractContextManager[None]]:
    """The operation context the services add to their engine: :func:`calendar_in_use` reads their stored table."""
    @contextmanager
    def entered() -> Iterator[None]:
        token = _in_use.set(chain(_LazyTable(services), *_packages()))
        try:
            yield
        finally:
            _in_use.reset(token)
    return entered


# --- use cases -------------------------------------------------------------------------------------------------
def _view(row: WorkdayYear, days: Sequence[WorkdayDay]) -> YearScheduleView:
    return YearScheduleView(row.year, row.source, row.entered_by, row.entered_at,
                            [ScheduledDayView(d.day, d.name) for d in days if not d.workday],
                            [ScheduledDayView(d.day, d.name) for d in days if d.workday])


def _plain(view: YearScheduleView) -> dict[str, object]:
    return {"year": view.year, "source": view.source,
            "days_off": [[d.date.isoformat(), d.name] for d in view.days_off],
            "working_days": [[d.date.isoformat(), d.name] for d in view.working_days]}


def list_years(services: Services) -> list[YearSummaryView]:
    """Every year the bureau has entered, oldest first."""
    with services.uow(read_only=True) as uow:
        repository = uow.repository(Workdays)
        counts: dict[int, list[int]] = {}
        for d in repository.days():
            counts.setdefault(d.year, [0, 0])[1 if d.workday else 0] += 1
        return [YearSummaryView(y.year, y.source, y.entered_by, y.entered_at, *counts.get(y.year, [0, 0]))
                for y in repository.years()]


def _found(uow: UnitOfWork, year: int, lock: bool = False) -> WorkdayYear:
    row = uow.repository(Workdays).year(year, lock)
    if row is None:
        raise NotFound(f"the bureau's table has no schedule for {year}", code="calendar_year_not_found",
                       field="year")
    return row


def get_year(services: Services, year: int) -> YearScheduleView:
    """One year of the bureau's table with its days."""
    with services.uow(read_only=True) as uow:
        row = _found(uow, year)
        return _view(row, uow.repository(Workdays).days(year))


def put_year(services: Services, actor: Actor, year: int, source: str,
             days_off: Sequence[tuple[date, str | None]],
             working_days: Sequence[tuple[date, str | None]]) -> YearScheduleView:
    """Enter (or replace) one year's official schedule; audited with what it replaced."""
    require(actor, "calendar.manage")
    schedule = year_schedule(year, source, days_off, working_days)
    with services.uow() as uow:
        repository = uow.repository(Workdays)
        now = clock.now(services, uow)
        row = repository.year(year, lock=True)
        before = _plain(_view(row, repository.days(year))) if row is not None else None
        if row is None:
            row = WorkdayYear(year=year, source=schedule.source, entered_by=actor.user_id, entered_at=now)
            repository.add_year(row)
            try:
                uow.flush()
            except Conflict:  # another officer entered this year between our read and our write
                raise Conflict(f"{year} was entered meanwhile: reload it and retry", code="calendar_year_changed",
                               field="year") from None
        row.source, row.entered_by, row.entered_at = schedule.source, actor.user_id, now
        days = [WorkdayDay(day=d.day, year=year, workday=d.workday, name=d.name) for d in schedule.days]
        repository.replace_days(row, days)
        uow.flush()
        view = _view(row, days)
        _audit(uow, actor, now, "calendar.year_entered" if before is None else "calendar.year_replaced", year,
               before, _plain(view), None)
        uow.commit()
        return view


def remove_year(services: Services, actor: Actor, year: int, reason: str) -> None:
    """Take a year out of the table (entered by mistake); counts then fall back to the packages. Audited."""
    require(actor, "calendar.manage")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidInput(f"reason is 1–{MAX_REASON} characters, not blank", field="reason")
    with services.uow() as uow:
        repository = uow.repository(Workdays)
        row = _found(uow, year, lock=True)
        before = _plain(_view(row, repository.days(year)))
        repository.remove(row)
        now = clock.now(services, uow)
        _audit(uow, actor, now, "calendar.year_removed", year, before, None, reason.strip())
        uow.commit()


def _audit(uow: UnitOfWork, actor: Actor, at: datetime, action: str, year: int, before: object, after: object,
           reason: str | None) -> None:
    aggregate_type, aggregate_id = TABLE_AGGREGATE
    uow.audit.append(aggregate_type=aggregate_type, aggregate_id=aggregate_id, at=at, actor=actor.user_id,
                     actor_org=actor.org_id, action=action, object_type="workday_year", object_id=str(year),
                     before=before, after=after, reason=reason)


def days(services: Services, start: date, end: date) -> DaysView:
    """Each date from ``start`` to ``end`` (both included, at most 366): working day or not, and by which source."""
    if end < start:
        raise InvalidInput(f"to ({end}) is before from ({start})", field="to")
    if (end - start).days >= MAX_DAYS_LISTED:
        raise InvalidInput(f"list at most {MAX_DAYS_LISTED} days at once", field="to")
    with services.uow(read_only=True) as uow:
        source = _stored_source(uow)
    answers = [DayView(day, a.workday, a.source, a.warning)
               for day in (start + timedelta(days=i) for i in range((end - start).days + 1))
               for a in (source(day),)]
    warnings = list(dict.fromkeys(a.warning for a in answers if a.warning))
    return DaysView(start, end, sum(a.workday for a in answers), answers, warnings)


def count(services: Services, start: date, working_days: int) -> CountView:
    """The last day of a period of ``working_days`` working days after ``start`` (how a deadline is counted)."""
    with services.uow(read_only=True) as uow:
        source = _stored_source(uow)
    span = add_working_days(start, working_days, source)
    return CountView(start, working_days, span.end, list(span.sources), list(span.warnings), span.provisional)
