"""What a log line may say about an exception: its class and its frames, never its message.

A database error's message carries what the database was sent or found (an argon2 hash, a username, a business
key in PostgreSQL's DETAIL); the class and the code path are enough to find the bug, with the request id.
"""

from __future__ import annotations

import traceback


def error_fields(exc: BaseException) -> dict[str, str]:
    """``error_class`` (module and name) and ``traceback`` (the frames, without the message) of ``exc``."""
    cls = type(exc)
    return {"error_class": f"{cls.__module__}.{cls.__qualname__}",
            "traceback": "".join(traceback.format_tb(exc.__traceback__))}
