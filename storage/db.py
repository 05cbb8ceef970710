"""Database engines: SQLite (WAL, foreign keys, busy timeout) by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(url: str) -> bool:
    """True when ``url`` names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one sent.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A writing transaction takes the write lock up front (BEGIN IMMEDIATE): two writers wait on each other
    # instead of failing late. A unit of work opened read-only starts a plain BEGIN and never blocks on it.
    # Sent on the driver's connection: through exec_driver_sql it cost a statement's worth of SQLAlchemy's
    # execution bookkeeping on every transaction (bench/engine.py).
    statement = "BEGIN" if conn.get_execution_options().get("yibao_read_only") else "BEGIN IMMEDIATE"
    conn.connection.driver_connection.execute(statement)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the settings this service relies on.

    Errors never carry the statement's bound parameters (``hide_parameters``): they would put password hashes,
    usernames and business keys into logs.
    """
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; sessions do not expire objects on commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
