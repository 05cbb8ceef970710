"""The dashboard's chart data, free of storage and of the web: a chart is categories (the x axis) and named series
of one value per category; the days of a series over time are China's calendar days, each counted at its end."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from .dates import china_date, china_midnight

KINDS = ("bar", "line", "stacked")  # a stacked chart is a bar chart whose series stack per category


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int | Decimal, ...]


@dataclass(frozen=True)
class ChartData:
    """What one chart shows: ``categories`` along the x axis and, per series, one value per category."""

    kind: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if any(len(s.values) != len(self.categories) for s in self.series):
            raise ValueError("each series needs one value per category")


def day_ends(today: date, days: int) -> list[tuple[date, datetime]]:
    """The ``days`` calendar days up to and including ``today``, oldest first, each with the instant it ends
    (China's midnight after it)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    first = today - timedelta(days=days - 1)
    return [(first + timedelta(days=n), china_midnight(first + timedelta(days=n + 1))) for n in range(days)]


def today_of(instant: datetime) -> date:
    """China's calendar day of an instant (the service clock's "today")."""
    return china_date(instant)


def year_span(day: date) -> tuple[datetime, datetime]:
    """The calendar year of ``day`` as the instants [China's 1 January, next 1 January)."""
    return china_midnight(date(day.year, 1, 1)), china_midnight(date(day.year + 1, 1, 1))


def pivot(cells: Iterable[tuple[str, str, int | Decimal]], categories: Sequence[str], names: Sequence[str],
          zero: int | Decimal = 0) -> tuple[Series, ...]:
    """Series named ``names`` over ``categories`` from (category, series name, value) cells; a missing cell is
    ``zero``, a cell outside the given categories or names is left out, and cells of the same place add up."""
    where = {c: i for i, c in enumerate(categories)}
    values = {n: [zero] * len(categories) for n in names}
    for category, name, value in cells:
        if category in where and name in values:
            values[name][where[category]] += value
    return tuple(Series(n, tuple(values[n])) for n in names)
