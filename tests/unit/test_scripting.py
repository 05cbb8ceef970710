"""Restricted scripts: what a diagram's Python may and may not do, at compile time and at run time."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from workflows.engine.clock import engine_time
from workflows.engine.scripting import (
    RestrictedEnvironment,
    ScriptLimitExceeded,
    ScriptLimits,
    ScriptRejected,
    compile_script,
)


def double(x: int) -> int:
    return 2 * x


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment({"double": double}, ScriptLimits(timeout_ms=200, max_iterations=100_000,
                                                                  max_sequence=10_000, task_data_bytes=4096))


def run(env: RestrictedEnvironment, script: str, **data: Any) -> dict[str, Any]:
    env.execute(script, data)
    return data


def test_ordinary_scripts_compute_with_data_and_whitelisted_functions(env: RestrictedEnvironment) -> None:
    data = run(env, "total = sum([double(x) for x in amounts])\nlabel = f'{total:>6}'\nok = total > 5",
               amounts=[1, 2, 3])
    assert data == {"amounts": [1, 2, 3], "total": 12, "label": "    12", "ok": True}


def test_dates_and_decimals_are_usable(env: RestrictedEnvironment) -> None:
    data = run(env, "due = start + timedelta(days=30)\nfee = Decimal('12.50') * 2\nyear = start.year",
               start=date(2026, 1, 31))
    assert data["due"] == date(2026, 3, 2) and data["fee"] == Decimal("25.00") and data["year"] == 2026


def test_expressions_evaluate_against_task_data(env: RestrictedEnvironment) -> None:
    assert env.evaluate("amount > 1000 and kind in ('a', 'b')", {"amount": 1001, "kind": "a"}) is True


def test_deleted_names_leave_the_task_data(env: RestrictedEnvironment) -> None:
    assert run(env, "del scratch\nkept = 1", scratch=5) == {"kept": 1}


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("import os", "import"),
        ("from os import path", "import"),
        ("x = open('/etc/passwd').read()", '"open" is not allowed'),
        ("x = eval('1')", "eval"),
        ("exec('x = 1')", "exec"),
        ("x = ().__class__.__base__.__subclasses__()", "__class__"),
        ("x = getattr(data, 'secret')", '"getattr" is not allowed'),
        ("x = type(1)", '"type" is not allowed'),
        ("class A: pass", "class definitions"),
        ("global y\ny = 1", "global"),
        ("x = f'{value:>{width}}'", "format specifications"),
        ("x = f'{value:>100000000}'", "format specifications"),
        ("print('hi')", "print"),
        ("x = __import__('os')", "__import__"),
    ],
)
def test_unsafe_scripts_are_refused_at_compile_time(source: str, fragment: str) -> None:
    with pytest.raises(ScriptRejected) as err:
        compile_script(source, "exec")
    assert fragment in err.value.detail


def test_compiled_code_is_cached(env: RestrictedEnvironment) -> None:
    first = env.compiled("x = 1", "exec")
    assert env.compiled("x = 1", "exec") is first


@pytest.mark.parametrize(
    ("script", "code"),
    [
        ("while True:\n    pass", "script_iterations"),
        ("for i in range(100):\n    for j in range(1000):\n        for k in range(1000):\n            pass",
         "script_iterations"),
        ("def f(n):\n    return f(n + 1)\nf(0)", None),  # RecursionError: a script error, not a crash
        ("x = 'a' * 10**9", "script_too_large"),
        ("x = [0] * 10**9", "script_too_large"),
        ("x = 10 ** 10 ** 8", "script_too_large"),
        ("x = 1 << 10**9", "script_too_large"),
        ("x = range(10**9)", "script_too_large"),
        ("x = 'a'.ljust(10**9)", "script_too_large"),
        ("x = ('a' * 1000).replace('a', 'a' * 1000)", "script_too_large"),
        ("x = '%1000000000s' % 'a'", "script_too_large"),
        ("x = [1] * 5000\nfor i in range(20):\n    x.extend(x)", "script_too_large"),
        ("x = 'ab' * 4000\nx += x\nx += x", "script_too_large"),
        ("x = date.today()", "script_wall_clock"),
        ("x = datetime.now()", "script_wall_clock"),
    ],
)
def test_runaway_scripts_are_stopped(env: RestrictedEnvironment, script: str, code: str | None) -> None:
    started = time.monotonic()
    with pytest.raises((ScriptLimitExceeded, RecursionError)) as err:
        env.execute(script, {})
    assert time.monotonic() - started < 5
    if code is not None:
        assert isinstance(err.value, ScriptLimitExceeded) and err.value.code == code


def test_a_slow_loop_is_stopped_by_the_wall_time_bound() -> None:
    env = RestrictedEnvironment({"pause": lambda: time.sleep(0.01)},
                                ScriptLimits(timeout_ms=100, max_iterations=10**9))
    started = time.monotonic()
    with pytest.raises(ScriptLimitExceeded) as err:
        env.execute("while True:\n    pause()", {})
    assert err.value.code == "script_timeout"
    assert time.monotonic() - started < 1


def test_task_data_beyond_the_limit_is_refused_and_left_unchanged(env: RestrictedEnvironment) -> None:
    data = {"keep": 1}
    with pytest.raises(ScriptLimitExceeded) as err:
        env.execute("blob = 'x' * 5000", data)
    assert err.value.code == "task_data_too_large"
    assert data == {"keep": 1}


@pytest.mark.parametrize("script", ["x = 1e308 * 10", "x = -1e308 * 10", "x = float('nan')",
                                    "x = {'deep': [1e308 * 10]}"])
def test_a_script_that_computes_nan_or_an_infinity_is_refused_and_leaves_the_data(
        env: RestrictedEnvironment, script: str) -> None:
    data = {"keep": 1}
    with pytest.raises(ScriptLimitExceeded) as err:
        env.execute(script, data)
    assert err.value.code == "non_finite_number"
    assert data == {"keep": 1}


def test_now_and_today_come_from_the_engine_clock() -> None:
    from workflows.engine import Engine

    engine = Engine({}, ScriptLimits())
    at = datetime(2030, 1, 1, 20, tzinfo=UTC)  # 04:00 on 2 January in China
    with engine_time(at):
        assert engine.environment.evaluate("today()", {}) == date(2030, 1, 2)
        assert engine.environment.evaluate("now()", {}) == at
