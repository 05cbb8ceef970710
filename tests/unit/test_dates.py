"""Policy date arithmetic clamps month ends instead of rolling over (notes/spiffworkflow.md, trap 3)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.dates import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # SpiffWorkflow's P1M gives 2026-03-03
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # P6M gives 2027-03-03
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # P1Y gives 2029-03-01
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 24), 6, date(2027, 5, 24)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_the_month(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
