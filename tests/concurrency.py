"""Real concurrency for tests: contenders on their own services (their own connections), released together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from workflows.context import Services, build_services

from .conftest import make_settings


def contend(url: str, calls: Sequence[Callable[[Services], Any]], timeout: float = 60) -> list[Any]:
    """Run each call in its own thread with its own services, released together; what each returned, or the
    exception it raised, in the order of ``calls``."""
    contenders = [build_services(make_settings(url)) for _ in calls]
    outcomes: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = calls[index](contenders[index])
        except Exception as exc:  # returned to the test, which asserts on it
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    for services in contenders:
        services.dispose()
    return outcomes


def at_once(n: int, url: str, call: Callable[[Services], Any], timeout: float = 60) -> list[Any]:
    """Run the same ``call`` in ``n`` contenders released together (see :func:`contend`)."""
    return contend(url, [call] * n, timeout)
