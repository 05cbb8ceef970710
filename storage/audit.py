"""Hash chaining of audit entries: each entry's hash covers its content and the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's fields in a canonical JSON form."""
    def norm(value: Any) -> Any:
        # The database keeps the instant, not the offset it was written with: hash the instant, in UTC.
        return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value

    body = _CANONICAL.encode({k: norm(v) for k, v in sorted(fields.items())})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def to_json(value: Any) -> str | None:
    """The canonical JSON text stored in an entry's before/after columns."""
    if value is None:
        return None
    return _STORED.encode(value)


# Built once: json.dumps with options builds an encoder on every call (an audit entry is written on every step).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_STORED = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


HASHED_FIELDS = (
    "aggregate_type", "aggregate_id", "seq", "at", "actor", "actor_org", "action",
    "object_type", "object_id", "before", "after", "reason",
)
