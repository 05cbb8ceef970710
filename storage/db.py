"""Database engines: SQLite (WAL, foreign keys, busy timeout) by default, PostgreSQL by URL; the hot path's
write statements, compiled by SQLAlchemy and sent on the driver's cursor."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Delete, Dialect, Engine, Insert, Select, Update, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler

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
    engine = create_engine(url, **kwargs)
    if "pool_pre_ping" not in kwargs:
        _ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use when it sat idle for IDLE_PING_SECONDS, and replace it if the server
    dropped it (a restart, an idle timeout). SQLAlchemy's ``pool_pre_ping`` pings on every checkout: BEGIN and
    SELECT 1, two round trips per unit of work, a fifth of a settlement's (bench/README.md). A connection that
    fails in use instead is invalidated with the whole pool by SQLAlchemy, and that request answers 503."""
    error = engine.dialect.loaded_dbapi.Error

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info["yibao_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("yibao_idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.commit()  # not ROLLBACK: psycopg would forget the connection's prepared statements
        except error as err:
            raise DisconnectionError("the pooled connection was lost while idle") from err


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; sessions do not expire objects on commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


# --- Core statements sent on the driver's cursor --------------------------------------------------------
@dataclass(frozen=True)
class _Rendered:
    """A statement as one dialect's driver takes it: its SQL text and how to build its parameters."""

    sql: str
    positional: bool
    names: tuple[str, ...]  # the parameters, in placeholder order when positional
    processors: tuple[Callable[[Any], Any] | None, ...]  # the column types' own bind processors
    fixed: dict[str, Any]  # values SQLAlchemy bound in the statement itself (the 1 of ``version + 1``)

    def arguments(self, params: Mapping[str, Any]) -> Any:
        values = [params[n] if n in params else self.fixed[n] for n in self.names]
        values = [p(v) if p is not None else v for p, v in zip(self.processors, values, strict=True)]
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))


class DriverStatement:
    """A statement of the hot path: SQLAlchemy Core, sent on the driver's cursor.

    The statement is built with Core from the tables' metadata and compiled by SQLAlchemy, once per dialect; its
    parameters go through the column types' own bind processors, and a query's values through their result
    processors; it runs on the unit of work's ``Connection``, inside the transaction SQLAlchemy began (``BEGIN
    IMMEDIATE`` on SQLite); a driver error is raised as SQLAlchemy's exception (``IntegrityError`` …), with its
    parameters hidden. What it skips is SQLAlchemy's per-call execution context — events, a result object,
    default generation — which cost about 60–90 µs per statement against 5–10 µs on the cursor (bench/README.md).
    So it serves statements whose every value the caller gives and queries read as plain tuples; anything else
    goes through ``Connection.execute``. When a listener watches the engine's cursor executions (a statement
    counter, a tracer), the statement goes through ``Connection.execute`` too, so they see every statement.
    """

    def __init__(self, statement: Insert | Update | Delete | Select[Any], columns: Sequence[str] | None = None
                 ) -> None:
        self.statement = statement
        self._columns = list(columns) if columns is not None else None
        self._rendered: dict[tuple[type[Dialect], str], _Rendered] = {}
        self._results: dict[tuple[type[Dialect], str], tuple[Callable[[Any], Any] | None, ...]] = {}

    def _render(self, dialect: Dialect) -> _Rendered:
        key = (type(dialect), dialect.paramstyle)
        rendered = self._rendered.get(key)
        if rendered is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self._columns)
            assert isinstance(compiled, SQLCompiler) and not compiled.escaped_bind_names
            names = tuple(compiled.positiontup or compiled.binds)
            binds = compiled.binds
            rendered = self._rendered[key] = _Rendered(
                compiled.string, compiled.positiontup is not None, names,
                tuple(binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names),
                {n: binds[n].effective_value for n in names if not binds[n].required},
            )
        return rendered

    def _result_processors(self, dialect: Dialect, cursor: Any) -> tuple[Callable[[Any], Any] | None, ...]:
        key = (type(dialect), dialect.paramstyle)
        found = self._results.get(key)
        if found is None:
            # The driver's type code of each column (PostgreSQL's numeric processors need it; SQLite has none).
            codes = [d[1] for d in cursor.description or ()]
            columns = (self.statement.selected_columns if isinstance(self.statement, Select)
                       else self.statement.exported_columns)  # an INSERT … RETURNING
            found = self._results[key] = tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, codes[i] if i < len(codes) else None)
                for i, c in enumerate(columns))
        return found

    def _watched(self, connection: Connection) -> bool:
        dispatch = connection.dispatch
        return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)

    def execute(self, connection: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> int:
        """Run the statement with one set of parameters, or once for each of several; the rows it changed."""
        if self._watched(connection):
            result = connection.execute(self.statement, params if isinstance(params, Mapping) else list(params))
            return int(result.rowcount)
        cursor = self._send(connection, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of a query, as a tuple of its values (None when there is none)."""
        if self._watched(connection):
            return connection.execute(self.statement, params).first()
        cursor = self._send(connection, params)
        try:
            row = cursor.fetchone()
            processors = self._result_processors(connection.dialect, cursor)
        finally:
            cursor.close()
        if row is None:
            return None
        return tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True))

    def all(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of a query, each as a tuple of its values."""
        if self._watched(connection):
            return [tuple(row) for row in connection.execute(self.statement, params)]
        cursor = self._send(connection, params)
        try:
            rows = cursor.fetchall()
            processors = self._result_processors(connection.dialect, cursor)
        finally:
            cursor.close()
        return [tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True)) for row in rows]

    def _send(self, connection: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Any:
        dialect = connection.dialect
        rendered = self._render(dialect)
        if not connection.in_transaction():
            connection.begin()  # the engine's begin hook: BEGIN IMMEDIATE on SQLite, never autocommit
        many = not isinstance(params, Mapping)
        arguments: Any = (rendered.arguments(params) if isinstance(params, Mapping)
                          else [rendered.arguments(p) for p in params])
        cursor = connection.connection.cursor()
        try:
            if many:
                cursor.executemany(rendered.sql, arguments)
            else:
                cursor.execute(rendered.sql, arguments)
            return cursor
        except dialect.loaded_dbapi.Error as err:
            lost = dialect.is_disconnect(err, connection.connection.dbapi_connection, cursor)
            cursor.close()
            if lost:  # as SQLAlchemy does: the pool drops the connection instead of handing it out again
                connection.invalidate(err)
            raise DBAPIError.instance(rendered.sql, arguments, err, dialect.loaded_dbapi.Error, hide_parameters=True,
                                      connection_invalidated=lost, dialect=dialect, ismulti=many) from err
