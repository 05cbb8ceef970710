"""The console (管理控制台): server-rendered pages over the same use cases as the JSON API (docs/console.md).

Pages live under /console/; ``/`` sends a browser there and still answers API clients as before (a problem+json
404). A console session is a bearer token from the same login use case, kept in a signed HttpOnly cookie; every
form carries a CSRF token (Flask-WTF), checked on every console POST.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

from flask import Blueprint, Flask, Response, abort, redirect, request

from workflows.settings import Settings

from . import dashboard, oversight, pages, public, session
from .protect import csrf

SESSION_COOKIE = "yibao_console"
# The mission processes' console modules; each exposes BLUEPRINTS (maybe none) and adds its menu entries
# (api.console.nav) and its dashboard charts (api.console.dashboard.add).
SLICES: tuple[str, ...] = ("api.console.admission_public", "api.console.registration",
                          "api.console.registration_bureau", "api.console.registration_dashboard",
                          "api.console.admission", "api.console.admission_payment",
                          "api.console.admission_dashboard")
root = Blueprint("console_root", __name__)


@root.route("/")
def index() -> Response:
    """Send a browser to the console; an API client gets the 404 it always got."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]:
        return redirect("/console/", code=302)  # type: ignore[return-value]
    abort(404)


def register(app: Flask, settings: Settings) -> None:
    """Attach the console's blueprints, its session cookie and CSRF protection to ``app``."""
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.token_ttl_minutes),
        # Checked by the console's own before_request only: the JSON API authenticates by bearer token, not cookie.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    csrf.init_app(app)
    app.register_blueprint(root)
    app.register_blueprint(pages.blp)
    app.register_blueprint(public.blp)
    app.register_blueprint(oversight.blp)
    app.register_blueprint(dashboard.blp)
    for name in SLICES:
        for blueprint in importlib.import_module(name).BLUEPRINTS:
            app.register_blueprint(blueprint)


__all__ = ["SESSION_COOKIE", "register", "session"]
