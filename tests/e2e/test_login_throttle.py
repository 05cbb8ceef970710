"""Login throttling over HTTP: the client address comes from the connection, or from trusted proxies only."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from workflows.context import Services

from ..conftest import FakeClock
from ..factories import PASSWORD

ATTACKER, ADMIN_DESK = "198.51.100.7", "192.0.2.10"


def log_in(client: FlaskClient, username: str, password: str, address: str, **headers: str) -> tuple[int, int | None]:
    response = client.post("/sessions", json={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": address}, headers=headers)
    retry = response.headers.get("Retry-After")
    if response.status_code == 429:
        assert response.get_json()["code"] == "login_throttled"
    return response.status_code, int(retry) if retry else None


def test_wrong_passwords_from_one_address_no_longer_lock_the_admin_out(app: Flask, machine_clock: FakeClock) -> None:
    client = app.test_client()
    statuses = [log_in(client, "admin", "guess", ATTACKER)[0] for _ in range(10)]
    assert statuses[:6] == [401] * 6 and set(statuses[6:]) == {429}
    assert log_in(client, "admin", PASSWORD, ATTACKER) == (429, 1)  # the attacker's address waits, right or wrong
    assert log_in(client, "admin", PASSWORD, ADMIN_DESK)[0] == 201  # the administrator's desk gets in


def test_retry_after_grows_with_each_failure_of_the_address(app: Flask, services: Services,
                                                            machine_clock: FakeClock) -> None:
    client = app.test_client()
    for _ in range(services.settings.login_max_failures):
        assert log_in(client, "auditor", "guess", ATTACKER)[0] == 401
    waits = []
    for _ in range(4):
        assert log_in(client, "auditor", "guess", ATTACKER)[0] == 401
        status, wait = log_in(client, "auditor", "guess", ATTACKER)
        assert status == 429 and wait is not None
        waits.append(wait)
        machine_clock.advance(wait)
    assert waits == [1, 2, 4, 8]
    assert log_in(client, "auditor", PASSWORD, ATTACKER)[0] == 201  # after the wait, the right password gets in
    assert log_in(client, "auditor", "typo", ATTACKER)[0] == 401  # and its failures were cleared


def test_x_forwarded_for_is_believed_only_with_trusted_proxies(
    app: Flask, services: Services, more_services: Callable[..., Services], machine_clock: FakeClock
) -> None:
    direct = app.test_client()
    for i in range(10):  # a client naming a new address each time is still one address
        log_in(direct, "officer", "guess", ATTACKER, **{"X-Forwarded-For": f"203.0.113.{i}"})
    assert log_in(direct, "officer", PASSWORD, ATTACKER, **{"X-Forwarded-For": "203.0.113.99"})[0] == 429

    proxied = create_app(services=more_services(trusted_proxies=1)).test_client()
    proxy = "10.0.0.1"  # every request comes from the proxy, which names the client last
    for _ in range(10):
        log_in(proxied, "h1_officer", "guess", proxy, **{"X-Forwarded-For": f"192.0.2.1, {ATTACKER}"})
    assert log_in(proxied, "h1_officer", PASSWORD, proxy, **{"X-Forwarded-For": ATTACKER})[0] == 429
    assert log_in(proxied, "h1_officer", PASSWORD, proxy, **{"X-Forwarded-For": ADMIN_DESK})[0] == 201
