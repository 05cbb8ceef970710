"""The dashboard's pure series logic (domain/statistics.py): China's day ends, the calendar year, pivoting cells."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.statistics import ChartData, Series, day_ends, pivot, today_of, year_span


def test_day_ends_are_chinas_midnights_after_each_day_oldest_first() -> None:
    ends = day_ends(date(2026, 3, 1), 3)
    assert [day for day, _ in ends] == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]
    # the end of 1 March in China is 1 March 16:00 UTC
    assert [end.astimezone(UTC) for _, end in ends] == [
        datetime(2026, 2, 27, 16, tzinfo=UTC), datetime(2026, 2, 28, 16, tzinfo=UTC),
        datetime(2026, 3, 1, 16, tzinfo=UTC)]
    assert len(day_ends(date(2026, 9, 3), 30)) == 30 and day_ends(date(2026, 9, 3), 30)[0][0] == date(2026, 8, 5)
    with pytest.raises(ValueError):
        day_ends(date(2026, 1, 1), 0)


def test_today_is_chinas_calendar_day_and_the_year_runs_from_chinas_new_year() -> None:
    assert today_of(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert today_of(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == date(2026, 12, 31)
    since, until = year_span(date(2026, 8, 31))
    assert since.astimezone(UTC) == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert until.astimezone(UTC) == datetime(2026, 12, 31, 16, tzinfo=UTC)


def test_pivot_fills_missing_cells_with_zero_adds_duplicates_and_drops_strays() -> None:
    cells = [("A", "active", 2), ("B", "ended", 1), ("A", "active", 1), ("C", "active", 9), ("A", "odd", 5)]
    assert pivot(cells, ["A", "B"], ["active", "ended"]) == (Series("active", (3, 0)), Series("ended", (0, 1)))
    money = pivot([("A", "paid", Decimal("1.10"))], ["A", "B"], ["paid"], zero=Decimal("0.00"))
    assert money == (Series("paid", (Decimal("1.10"), Decimal("0.00"))),)


def test_a_chart_needs_a_known_kind_and_one_value_per_category() -> None:
    assert ChartData("stacked", ("A",), (Series("x", (1,)),)).kind == "stacked"
    with pytest.raises(ValueError):
        ChartData("pie", ("A",), ())
    with pytest.raises(ValueError):
        ChartData("bar", ("A", "B"), (Series("x", (1,)),))
