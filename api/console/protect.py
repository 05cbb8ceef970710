"""CSRF protection of the console's forms (Flask-WTF), checked on every console POST and only there."""

from __future__ import annotations

from flask import request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def check_csrf() -> None:
    """Refuse a state-changing console request without the session's CSRF token (400)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
