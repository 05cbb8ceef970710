"""Login throttling on both backends: a failing address waits longer and longer, a clean address gets in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from domain.errors import LoginThrottled, Unauthenticated
from storage.identity_models import LoginFailure
from workflows import identity, login_throttle
from workflows.context import Services

from ..conftest import FakeClock
from ..factories import PASSWORD, build_world

ATTACKER, ADMIN_DESK = "198.51.100.7", "192.0.2.10"


@pytest.fixture
def users(services: Services) -> Services:
    build_world(services)
    return services


def attempt(services: Services, username: str, password: str, client: str) -> str | int:
    """'ok', 'wrong', or the seconds the client is told to wait."""
    try:
        identity.login(services, username, password, client=client)
    except LoginThrottled as exc:
        return int(exc.extra["retry_after"])
    except Unauthenticated:
        return "wrong"
    return "ok"


def test_free_failures_then_each_further_failure_doubles_the_wait(users: Services, machine_clock: FakeClock) -> None:
    free = users.settings.login_max_failures
    assert [attempt(users, "admin", "guess", ATTACKER) for _ in range(free)] == ["wrong"] * free
    waits = []
    for _ in range(5):
        assert attempt(users, "admin", "guess", ATTACKER) == "wrong"
        wait = attempt(users, "admin", PASSWORD, ATTACKER)  # even the right password waits: it is not checked
        assert isinstance(wait, int)
        waits.append(wait)
        machine_clock.advance(wait)
    assert waits == [1, 2, 4, 8, 16]


def test_the_wait_stops_growing_at_the_cap(users: Services, more_services: Callable[..., Services],
                                           machine_clock: FakeClock) -> None:
    capped = more_services(login_max_failures=1, login_max_delay_seconds=3)
    assert attempt(capped, "auditor", "guess", ATTACKER) == "wrong"
    waits = []
    for _ in range(4):
        assert attempt(capped, "auditor", "guess", ATTACKER) == "wrong"
        wait = attempt(capped, "auditor", PASSWORD, ATTACKER)
        assert isinstance(wait, int)
        waits.append(wait)
        machine_clock.advance(wait)
    assert waits == [1, 2, 3, 3]


def test_the_attacked_admin_still_gets_in_from_an_address_that_did_not_fail(
    users: Services, machine_clock: FakeClock
) -> None:
    for _ in range(30):  # the attack of the issue, and then some, one try whenever the wait allows it
        result = attempt(users, "admin", "guess", ATTACKER)
        machine_clock.advance(result if isinstance(result, int) else 0.5)
    assert isinstance(attempt(users, "admin", PASSWORD, ATTACKER), int)
    assert attempt(users, "admin", PASSWORD, ADMIN_DESK) == "ok"


def test_a_success_clears_the_failures_of_its_address(users: Services, machine_clock: FakeClock) -> None:
    free = users.settings.login_max_failures
    for _ in range(free + 1):
        attempt(users, "officer", "guess", ATTACKER)
    machine_clock.advance(attempt(users, "officer", PASSWORD, ATTACKER))  # type: ignore[arg-type]
    assert attempt(users, "officer", PASSWORD, ATTACKER) == "ok"
    assert [attempt(users, "officer", "typo", ATTACKER) for _ in range(free)] == ["wrong"] * free  # free again


def test_an_unknown_username_is_throttled_exactly_like_a_known_one(users: Services, machine_clock: FakeClock) -> None:
    free = users.settings.login_max_failures
    known = [attempt(users, "admin", "guess", ATTACKER) for _ in range(free + 2)]
    unknown = [attempt(users, "nobody", "guess", ATTACKER) for _ in range(free + 2)]
    assert known == unknown == ["wrong"] * (free + 1) + [1]


def test_one_address_failing_on_many_usernames_waits_for_every_username(
    users: Services, more_services: Callable[..., Services], machine_clock: FakeClock
) -> None:
    strict = more_services(login_client_max_failures=3)
    for name in ("u1", "u2", "u3", "u4"):  # password spraying: one try per username
        assert attempt(strict, name, "Winter2026!", ATTACKER) == "wrong"
    assert attempt(strict, "expert", PASSWORD, ATTACKER) == 1  # a username it never tried
    assert attempt(strict, "expert", PASSWORD, ADMIN_DESK) == "ok"


def test_many_addresses_guessing_one_username_slow_each_other_but_not_a_clean_address(
    users: Services, more_services: Callable[..., Services], machine_clock: FakeClock
) -> None:
    strict = more_services(login_user_max_failures=4)
    bots = [f"203.0.113.{i}" for i in range(1, 7)]
    assert [attempt(strict, "admin", "guess", bot) for bot in bots] == ["wrong"] * 6  # each address's first try
    assert attempt(strict, "admin", "guess", bots[0]) == 2  # 6 failures of admin, 4 free: then 1 s, 2 s
    assert attempt(strict, "admin", PASSWORD, ADMIN_DESK) == "ok"


def test_failures_are_forgotten_after_a_quiet_day(users: Services, machine_clock: FakeClock) -> None:
    free = users.settings.login_max_failures
    for _ in range(free + 1):
        attempt(users, "nhsa", "guess", ATTACKER)
    assert attempt(users, "nhsa", "guess", ATTACKER) == 1
    machine_clock.advance(timedelta(days=1, seconds=1).total_seconds())
    assert [attempt(users, "nhsa", "guess", ATTACKER) for _ in range(free)] == ["wrong"] * free
    machine_clock.advance(timedelta(days=1, seconds=1).total_seconds())
    assert login_throttle.forget(users) == 3  # the pair's, the address's and the username's records
    with users.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(LoginFailure)) == 0


@pytest.mark.postgres
def test_concurrent_failures_on_postgres_are_all_counted(postgres_services: Services, postgres_url: str) -> None:
    from ..concurrency import at_once

    build_world(postgres_services)
    outcomes = at_once(4, postgres_url, lambda s: attempt(s, "admin", "guess", ATTACKER))
    assert outcomes == ["wrong"] * 4
    with postgres_services.uow() as uow:
        counts = dict(uow.session.execute(select(LoginFailure.scope, LoginFailure.failures)).all())
    assert counts == {"pair": 4, "client": 4, "user": 4}  # no lost update


@pytest.mark.postgres
def test_concurrent_tries_of_a_delayed_address_get_one_password_check(
    postgres_services: Services, postgres_url: str
) -> None:
    from ..concurrency import at_once

    build_world(postgres_services)
    attempt(postgres_services, "admin", "guess", ATTACKER)
    with postgres_services.uow() as uow:  # 12 failures, the last wait over: the next failure means 128 s
        uow.session.execute(update(LoginFailure).where(LoginFailure.scope == "pair").values(failures=12))
        uow.commit()
    outcomes = at_once(4, postgres_url, lambda s: attempt(s, "admin", "guess", ATTACKER))
    assert outcomes.count("wrong") == 1  # one password check; the others wait the 128 s (+1 s of rounding)
    assert all(o in (128, 129) for o in outcomes if o != "wrong")
