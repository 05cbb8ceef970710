"""Throw-away databases for the benchmarks: a temporary SQLite file, a PostgreSQL database created and dropped."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def sqlite_url(prefix: str = "yibao-bench-") -> Iterator[str]:
    """A fresh SQLite file in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def postgres_database(url: str) -> Iterator[str | None]:
    """Create the database of ``url`` (dropping a leftover one), yield its URL, drop it; None if no server."""
    parsed = make_url(url)
    name = parsed.database or ""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SystemExit(f"--postgres-url must name a plain database, got {name!r}")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        print(f"PostgreSQL skipped: {parsed.render_as_string()} does not answer ({type(exc).__name__}: "
              f"{str(exc).splitlines()[0] if str(exc) else ''})")
        yield None
        return
    try:
        yield parsed.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
