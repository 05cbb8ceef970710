"""Bearer-token authentication for every endpoint except the public ones; the caller as an Actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request

from domain.actors import Actor
from domain.errors import Unauthenticated
from workflows import identity

from .services import services

# Blueprints anyone may call: health, the OpenAPI document and docs, public catalog reads (SV-1). The console's
# pages authenticate by their own session cookie (api/console/session.py), never by a bearer token: so do the
# slices' console blueprints, named "console_…" (api.console.pages.console_blueprint).
PUBLIC_BLUEPRINTS = frozenset({"health", "api-docs", "docs_assets", "catalog", "drugs", "console_root", "console",
                               "console_public"})
# Single operations anyone may call: logging in.
PUBLIC_OPERATIONS = frozenset({("sessions.Login", "POST")})
PUBLIC_MARK = "_yibao_public"
F = TypeVar("F", bound=Callable[..., Any])
BEARER = {"type": "http", "scheme": "bearer", "description": "a token from POST /sessions"}


def public(method: F) -> F:
    """Mark one method of a view as callable without a token (a slice's public read, SV-1)."""
    setattr(method, PUBLIC_MARK, True)
    return method


def _marked_public() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    if handler is None and request.method == "HEAD":
        handler = getattr(getattr(view, "view_class", None), "get", None)
    return bool(getattr(handler, PUBLIC_MARK, False))


def _is_public() -> bool:
    if request.endpoint is None:  # no route: let the 404/405 handlers answer
        return True
    if _marked_public():
        return True
    # /metrics checks its own access (the scraper's token or an administrator's)
    return request.blueprint in PUBLIC_BLUEPRINTS or (request.endpoint, request.method) in PUBLIC_OPERATIONS or (
        request.blueprint == "metrics") or (request.blueprint or "").startswith("console_")


def bearer_token() -> str | None:
    """The token of the Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def register(app: Flask) -> None:
    """Authenticate every non-public request before its view runs."""

    @app.before_request
    def _authenticate() -> None:
        g.actor = None
        if _is_public():
            return
        token = bearer_token()
        if token is None:
            raise Unauthenticated("send a bearer token (POST /sessions to get one)", code="missing_token")
        g.actor = identity.authenticate(services(), token)


def current_actor() -> Actor:
    """The authenticated caller of the current request."""
    actor: Actor | None = g.get("actor")
    if actor is None:
        raise Unauthenticated("this endpoint needs a bearer token", code="missing_token")
    return actor
