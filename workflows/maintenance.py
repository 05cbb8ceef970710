"""Operational use cases: schema migration."""

from __future__ import annotations

from storage import migrate as _migrate


def migrate(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision``."""
    _migrate.upgrade(database_url, revision)
