"""A pooled PostgreSQL connection the server dropped while it sat idle is replaced before use (storage/db.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.db import IDLE_PING_SECONDS, make_engine

pytestmark = pytest.mark.postgres


def test_a_connection_dropped_while_idle_is_replaced_at_checkout(postgres_url: str) -> None:
    engine = make_engine(postgres_url, pool_size=1)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with engine.connect() as other:  # the one pooled connection again: a busy pool is not pinged
            assert other.execute(text("SELECT pg_backend_pid()")).scalar() == first
        killer = make_engine(postgres_url)
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        killer.dispose()
        record = engine.pool._pool.queue[0]  # type: ignore[attr-defined]
        record.info["yibao_idle_since"] -= IDLE_PING_SECONDS + 1  # as if it sat idle that long
        with engine.connect() as conn:
            again = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert again != first
    finally:
        engine.dispose()
