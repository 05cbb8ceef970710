"""Login throttling: a client that keeps failing waits longer and longer; a client that does not fail gets in.

Failures are counted per (username, client address), per client address and per username. Past a number of free
failures, each further failure makes the client wait before its next try — 1 s, 2 s, 4 s … up to
``YIBAO_LOGIN_MAX_DELAY_SECONDS`` — answered 429 with Retry-After, without checking the password:

- ``pair``: this username from this address, after ``YIBAO_LOGIN_MAX_FAILURES``;
- ``client``: this address whatever the username (password spraying), after ``YIBAO_LOGIN_CLIENT_MAX_FAILURES``;
- ``user``: this username from anywhere (guessing from many addresses), after ``YIBAO_LOGIN_USER_MAX_FAILURES``,
  applied only to addresses that have themselves failed on this username: an address with no failure of its own
  always gets in with the right password, however hard others hammer the username.

A success clears its pair's record. Records are forgotten after a quiet day (the timer worker deletes them).
Counting happens in the database, so every API process agrees; a failure locks its rows, so none is lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.identity_models import LoginFailure
from storage.uow import UnitOfWork

from .clock import system_now
from .context import Services
from .settings import Settings

PAIR, CLIENT, USER = "pair", "client", "user"
ANY = ""  # the username of a client's record, the client of a username's record
FORGET_AFTER = timedelta(days=1)
KEY_LENGTH = 64  # the width of the username and client columns
MAX_DOUBLINGS = 40  # 2**40 s is far beyond any cap; keeps the power bounded


@dataclass(frozen=True)
class Attempt:
    """Who tries to log in: the username as sent and the client address, both cut to the stored width."""

    username: str
    client: str

    @classmethod
    def of(cls, username: str, client: str) -> Attempt:
        return cls(username[:KEY_LENGTH], (client or "unknown")[:KEY_LENGTH])

    def keys(self) -> dict[str, tuple[str, str]]:
        return {PAIR: (self.username, self.client), CLIENT: (ANY, self.client), USER: (self.username, ANY)}


def delay_seconds(failures: int, free: int, cap: int) -> int:
    """The wait after the ``failures``-th failure: none while free, then 1, 2, 4 … seconds, at most ``cap``."""
    over = failures - free
    if over <= 0:
        return 0
    return int(min(cap, 2 ** min(over - 1, MAX_DOUBLINGS)))


def _free(settings: Settings, scope: str) -> int:
    return {PAIR: settings.login_max_failures, CLIENT: settings.login_client_max_failures,
            USER: settings.login_user_max_failures}[scope]


def _live(record: LoginFailure | None, now: datetime, settings: Settings) -> bool:
    return record is not None and record.failures > 0 and record.last_failure_at > now - _forget_after(settings)


def _forget_after(settings: Settings) -> timedelta:
    return max(FORGET_AFTER, timedelta(seconds=settings.login_max_delay_seconds))


def _wait(record: LoginFailure | None, now: datetime, settings: Settings) -> float:
    if not _live(record, now, settings) or record is None or record.blocked_until is None:
        return 0.0
    return max(0.0, (record.blocked_until - now).total_seconds())


def admit(uow: UnitOfWork, settings: Settings, attempt: Attempt, now: datetime) -> int:
    """Seconds this attempt must wait (0: check the password), in ``uow``, which the caller commits.

    When the attempt may go on but its failure would start a wait, the wait starts now and a success cancels it:
    concurrent tries of one username from one address get one password check per wait, not one each.
    """
    keys = attempt.keys()
    pair = uow.identity.login_failure(PAIR, *keys[PAIR], lock=True)
    client = uow.identity.login_failure(CLIENT, *keys[CLIENT])
    waits = [_wait(pair, now, settings), _wait(client, now, settings)]
    if _live(pair, now, settings):  # the username's own count slows only the addresses that failed on it
        waits.append(_wait(uow.identity.login_failure(USER, *keys[USER]), now, settings))
    wait = max(waits)
    if wait > 0:
        return math.ceil(wait)
    if pair is not None and _live(pair, now, settings):
        held = delay_seconds(pair.failures + 1, settings.login_max_failures, settings.login_max_delay_seconds)
        if held:
            pair.blocked_until = now + timedelta(seconds=held)
    return 0


def record_failure(uow: UnitOfWork, settings: Settings, attempt: Attempt, now: datetime) -> int:
    """Count a failed attempt in its three records (each locked); return the failures of its pair."""
    counted = 0
    for scope, (username, client) in attempt.keys().items():
        record = uow.identity.locked_login_failure(scope, username, client, now)
        record.failures = record.failures + 1 if _live(record, now, settings) else 1
        record.last_failure_at = now
        delay = delay_seconds(record.failures, _free(settings, scope), settings.login_max_delay_seconds)
        record.blocked_until = now + timedelta(seconds=delay) if delay else None
        if scope == PAIR:
            counted = record.failures
    return counted


def record_success(uow: UnitOfWork, attempt: Attempt) -> None:
    """A correct password clears its pair's record (the address's and the username's counts stay)."""
    uow.identity.clear_login_failures(PAIR, *attempt.keys()[PAIR])


def forget(services: Services) -> int:
    """Delete the records of failures older than a quiet day that delay nobody; return how many."""
    now = system_now()
    with services.uow() as uow:
        removed = uow.identity.forget_login_failures(now - _forget_after(services.settings), now)
        uow.commit()
        return removed
