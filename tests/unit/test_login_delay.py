"""The wait a failing client is given: free failures first, then a doubling delay up to a cap."""

from __future__ import annotations

import pytest

from workflows.login_throttle import delay_seconds


@pytest.mark.parametrize(("failures", "expected"), [(0, 0), (4, 0), (5, 0), (6, 1), (7, 2), (8, 4), (9, 8),
                                                     (15, 512), (16, 900), (10_000, 900)])
def test_each_failure_past_the_free_ones_doubles_the_wait_up_to_the_cap(failures: int, expected: int) -> None:
    assert delay_seconds(failures, free=5, cap=900) == expected
