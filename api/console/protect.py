"""Checks of every console POST before its view: the CSRF token (Flask-WTF), and the form's text encoding."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import UnprocessableEntity

csrf = CSRFProtect()


def check_csrf() -> None:
    """Refuse a state-changing console request without the session's CSRF token (400)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def check_encoding() -> None:
    """Refuse a URL-encoded form whose text is not UTF-8 (422) before any view reads it: werkzeug keeps an escape
    it cannot decode (``%ED%A0%80``, a lone surrogate's bytes) as literal text, which a page would store as typed.
    Browsers never send one: they encode a lone surrogate as U+FFFD."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype != "application/x-www-form-urlencoded":
        return
    try:
        parse_qsl(request.get_data(cache=True).decode("ascii"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise UnprocessableEntity("表单中有无法识别的字符（不是有效的 UTF-8 文本），未作任何修改") from None
