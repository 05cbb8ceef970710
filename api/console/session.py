"""The console's session: the bearer token of a password login, held in the signed session cookie."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for

from domain.actors import Actor
from domain.errors import Unauthenticated
from workflows import identity
from workflows.identity import UserView

from ..services import services

F = TypeVar("F", bound=Callable[..., Any])
TOKEN = "token"  # noqa: S105 - the session key, not a secret


def start(username: str, password: str) -> UserView:
    """Log in through the API's use case (same hashing, same throttle) and keep the token in the session."""
    issued = identity.login(services(), username, password, client=request.remote_addr or "unknown")
    session.clear()  # a new session id for a new login: no fixation
    session.permanent = True
    session[TOKEN] = issued.token
    return issued.user


def end() -> None:
    """Revoke the session's token and forget it."""
    actor = current()
    if actor is not None:
        identity.logout(services(), actor, session.get(TOKEN, ""))
    session.clear()


def current() -> Actor | None:
    """The logged-in actor of this request, or None (an expired or revoked token ends the session)."""
    if "console_actor" in g:
        return g.console_actor  # type: ignore[no-any-return]
    token = session.get(TOKEN)
    actor = None
    if token:
        try:
            actor = identity.authenticate(services(), token)
        except Unauthenticated:
            session.clear()
    g.console_actor = actor
    g.console_user = identity.me(services(), actor) if actor else None
    return actor


def login_required(view: F) -> F:
    """Send a visitor without a session to the login page, coming back here afterwards."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current() is None:
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def actor() -> Actor:
    """The logged-in actor (only inside a view under login_required)."""
    found = current()
    if found is None:
        raise Unauthenticated("log in first", code="missing_session")
    return found
