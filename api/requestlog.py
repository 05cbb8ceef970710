"""One JSON log line per request, with a request id; no bodies, no query strings, no personal data, no error
messages (an exception is logged by its class and frames: `workflows.errorlog`)."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request

from workflows.errorlog import error_fields

log = logging.getLogger("yibao.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object, with the extra fields the caller passed."""

    _STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
            "logger": record.name, "msg": record.getMessage(),
        }
        body.update({k: v for k, v in vars(record).items() if k not in self._STANDARD})
        if record.exc_info and record.exc_info[1] is not None:  # a log.exception() somewhere: frames, no message
            body.update(error_fields(record.exc_info[1]))
        return json.dumps(body, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    """Send the service's logs to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("yibao")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def register(app: Flask) -> None:
    """Assign a request id to every request and log it once when the response leaves."""

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        endpoint = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info("request", extra={
            "request_id": g.get("request_id"), "method": request.method, "endpoint": endpoint,
            "status": response.status_code, "duration_ms": round(elapsed, 2),
        })
        return response
