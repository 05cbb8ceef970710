"""How the console shows money and instants: ¥ with two decimals from Decimals, never floats; instants in China
time, since the database keeps UTC and the users live at UTC+8 (a due date late on a UTC day is the next China day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from api.console.display import china_time, yuan


def test_money_is_shown_from_decimals() -> None:
    assert yuan(Decimal("1234.5")) == "¥1,234.50"
    assert yuan("0.10") == "¥0.10" and yuan(None) == "—"
    assert yuan("9007199254740993.01") == "¥9,007,199,254,740,993.01"  # a float would lose the last digits
    assert yuan("not money") == "not money"


def test_instants_are_shown_in_china_time() -> None:
    late = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert china_time(late) == "2027-01-01 00:30"
    assert china_time(late, "%Y-%m-%d") == "2027-01-01"
    assert china_time(datetime(2026, 12, 31, 16, 30)) == "2027-01-01 00:30"  # naive: stored UTC
    assert china_time(datetime(2027, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))) == "2027-01-01 09:00"
    assert china_time(date(2027, 2, 28), "%Y-%m-%d") == "2027-02-28" and china_time(None) == "—"
