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


def chained_entry(head_seq: int, head_hash: str, *, aggregate_type: str, aggregate_id: str, at: datetime,
                  actor: str, actor_org: str | None, action: str, object_type: str, object_id: str,
                  before: Any = None, after: Any = None, reason: str | None = None) -> dict[str, Any]:
    """The column values of the entry that follows a chain's head (``head_seq``, ``head_hash``; 0 and GENESIS
    for an empty chain): for an aggregate whose row keeps its own chain head and is locked by the writer, so the
    entry needs neither a lock on the chain nor a read of its last entry (DESIGN.md)."""
    values: dict[str, Any] = {
        "aggregate_type": aggregate_type, "aggregate_id": aggregate_id, "seq": head_seq + 1, "at": at,
        "actor": actor, "actor_org": actor_org, "action": action, "object_type": object_type,
        "object_id": object_id, "before": to_json(before), "after": to_json(after), "reason": reason,
    }
    values["prev_hash"] = head_hash
    values["hash"] = entry_hash(head_hash, {k: values[k] for k in HASHED_FIELDS})
    return values
