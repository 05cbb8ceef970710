"""`yibao serve`: gunicorn in-process, with the embedded timer sweeper in each worker when configured."""

from __future__ import annotations

import threading
from typing import Any

from gunicorn.app.base import BaseApplication

from workflows import timers
from workflows.settings import Settings


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        self.cfg.set("bind", f"{s.host}:{s.port}")
        self.cfg.set("workers", s.web_workers)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", 4)
        self.cfg.set("accesslog", None)
        # gunicorn's largest request line (its default is 4094): a URL longer than the service's own limit
        # (requestcheck.MAX_URL_LENGTH) up to this length is refused by the service in problem+json (414); only a
        # request line above 8190 bytes is still refused by gunicorn itself (400, plain text).
        self.cfg.set("limit_request_line", 8190)
        self.cfg.set("post_worker_init", _start_sweeper if s.embedded_worker else (lambda worker: None))
        if "control_socket_disable" in self.cfg.settings:  # gunicorn 25.1+
            # Its control socket (for `gunicornc`) has one default path per user: a second `yibao serve` on the
            # machine would take it over from the first. We do not use it, so there is none.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from . import create_app

        return create_app(self.settings)


def _start_sweeper(worker: Any) -> None:
    app = worker.wsgi
    services = app.extensions["yibao"]
    stop = threading.Event()
    thread = threading.Thread(
        target=timers.run_forever, args=(services, services.settings.worker_interval_seconds, stop.is_set),
        name="yibao-timer-sweeper", daemon=True,
    )
    thread.start()


def serve(settings: Settings) -> None:
    """Run gunicorn until interrupted."""
    _Server(settings).run()
