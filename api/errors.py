"""Every error leaves the API as RFC 7807 problem+json with a stable ``code``; mapped here and only here."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, json
from werkzeug.exceptions import HTTPException

from domain.errors import (
    Conflict,
    DiagramRejected,
    Forbidden,
    InvalidInput,
    LoginThrottled,
    NotFound,
    PolicyViolation,
    Unauthenticated,
    Unavailable,
    YibaoError,
)
from workflows.errorlog import error_fields

log = logging.getLogger("yibao.api")

STATUS: dict[type[YibaoError], int] = {
    InvalidInput: 422,
    DiagramRejected: 422,
    PolicyViolation: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
    Unavailable: 503,
    LoginThrottled: 429,
}
_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "body_too_large", 414: "uri_too_long", 415: "unsupported_media_type",
               422: "invalid_input", 429: "too_many_requests"}


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    """A problem+json response."""
    body: dict[str, Any] = {"type": f"/problems/{code}", "title": title, "status": status, "code": code,
                            "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")


def _status_of(exc: YibaoError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _yibao_error(exc: YibaoError) -> Response:
    response = problem(_status_of(exc), exc.code, exc.title, exc.detail, field=exc.field, rule=exc.rule, **exc.extra)
    if "retry_after" in exc.extra:
        response.headers["Retry-After"] = str(exc.extra["retry_after"])
    if isinstance(exc, Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="yibao"'
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    data = getattr(exc, "data", None)
    if status == 422 and data and "messages" in data:  # a marshmallow schema refused the body or the query
        errors = _flatten(data["messages"])
        first = errors[0]["field"] if errors else None
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid input"
        return problem(422, "invalid_input", "Invalid input", detail, field=first, errors=errors)
    response = problem(status, _HTTP_CODES.get(status, "http_error"), exc.name, exc.description or exc.name)
    for name, value in exc.get_headers():  # Allow of a 405, say; the body is problem+json whatever werkzeug says
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _flatten(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key)
            if name in ("json", "query", "form", "headers", "files") and not prefix:
                out += _flatten(value, "")
                continue
            out += _flatten(value, f"{prefix}.{name}" if prefix else name)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out.append({"field": prefix or "body", "message": " ".join(messages)})
    elif isinstance(messages, list):
        for i, m in enumerate(messages):
            out += _flatten(m, f"{prefix}[{i}]")
    else:
        out.append({"field": prefix or "body", "message": str(messages)})
    return out


def _unexpected(exc: Exception) -> Response:
    # The class, the frames and the request id; never the message, which can carry what the database was sent.
    log.error("unhandled error", extra={"request_id": getattr(g, "request_id", None), **error_fields(exc)})
    return problem(500, "internal_error", "Internal error", "an unexpected error occurred; see the server log")


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""
    app.register_error_handler(YibaoError, _yibao_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
