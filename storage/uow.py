"""The unit of work: one transaction per use case, rolled back unless the use case commits.

The transaction lives on one SQLAlchemy ``Connection``, checked out and begun on first use. The Core repositories
of the hot path (``uow.store``, ``uow.tasks``) speak on that connection; the ORM ``Session`` (``uow.session``) is
built only when something asks for it — an ORM repository, a process slice's ``uow.repository(Factory)`` — and
then joins the same transaction, so Core and ORM writes commit or roll back together. A use case that touches
only the Core repositories never pays for a session (an empty writing unit of work costs about a third;
bench/README.md).

Every repository hangs on the unit of work, built on first use and kept for its transaction: ``uow.tasks``,
``uow.catalogs``. A process slice's own repository comes the same way without an edit here:
``uow.repository(Applications)`` builds ``Applications(uow.session)`` once per unit of work, and a slice's Core
hot path ``uow.core(SettlementPath)`` builds ``SettlementPath(uow.connection)`` without a session.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import Conflict, Unavailable

from .audit_repository import AuditLog
from .identity_repository import Identity
from .instance_store import InstanceStore
from .reference_repositories import Catalogs, DrugLists
from .repositories import Audit, Clock, Definitions, Incidents, Instances, Subscriptions
from .task_store import TaskStore

R = TypeVar("R")


_RETRYABLE = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure (SQLSTATE class 40)


class UnitOfWork:
    """Holds one transaction; builds its connection, session and repositories lazily; commits only when told to."""

    def __init__(self, session_factory: sessionmaker[Session], read_only: bool = False,
                 single_read: bool = False) -> None:
        self._factory = session_factory
        self._read_only = read_only or single_read
        self._single_read = single_read
        self._connection: Connection | None = None
        self._session: Session | None = None
        self._repositories: dict[Callable[[Any], Any], Any] = {}

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session, connection = self._session, self._connection
        try:
            if self._read_only and exc_type is None:
                self._end_read_only()
            if session is not None:
                session.close()  # rolls back what was not committed (it controls the transaction fully)
        finally:
            if connection is not None:
                connection.close()  # rolls back an open transaction and returns the connection to the pool
        if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in _RETRYABLE:
            # PostgreSQL aborted the transaction to break a deadlock, or as not serializable: nothing was kept,
            # and the same request sent again may well pass. A clean 409, not a 500.
            raise Conflict("the database aborted the transaction because of a concurrent one; retry",
                           code="concurrent_update") from None

    # --- the transaction's connection and session, each on first use ------------------------------------
    @property
    def connection(self) -> Connection:
        """The connection of this unit of work; its transaction begins with its first statement (the engine's
        "begin" hook sends BEGIN IMMEDIATE on SQLite, or BEGIN for a read-only unit of work: storage/db.py)."""
        connection = self._connection
        if connection is None:
            bind = self._factory.kw["bind"]
            assert isinstance(bind, Engine)
            connection = self._connection = bind.connect()
            if self._single_read and bind.dialect.name == "postgresql":
                # One query needs no BEGIN and COMMIT around it: two round trips fewer on every authenticated
                # request (bench/README.md, settlement). Streaming reads need a transaction, so only single reads.
                connection.execution_options(isolation_level="AUTOCOMMIT")
            elif self._read_only:  # SQLite: a plain BEGIN, so readers do not queue for the writer lock
                connection.execution_options(yibao_read_only=True)
        return connection

    @property
    def session(self) -> Session:
        """The ORM session, in this unit of work's transaction (built on first use)."""
        session = self._session
        if session is None:
            # "control_fully": the session's commit and rollback are the transaction's, whoever began it.
            session = self._session = self._factory(bind=self.connection, join_transaction_mode="control_fully")
            session.connection()  # joins (or begins) the transaction now, so closing the session ends it
        return session

    # --- repositories, each built on first use ---------------------------------------------------------
    def repository(self, factory: Callable[[Session], R]) -> R:
        """The repository ``factory(session)`` of this unit of work, built on first use (a process's own)."""
        found = self._repositories.get(factory)
        if found is None:
            found = self._repositories[factory] = factory(self.session)
        return found

    def core(self, factory: Callable[[Connection], R]) -> R:
        """The Core repository ``factory(connection)`` of this unit of work, built on first use: a process slice's
        hot path, on the transaction's connection without an ORM session (as ``uow.store``)."""
        found = self._repositories.get(factory)
        if found is None:
            found = self._repositories[factory] = factory(self.connection)
        return found

    @cached_property
    def store(self) -> InstanceStore:
        """Instance rows, their subscriptions, incidents and audit chain (Core, the hot path)."""
        return InstanceStore(self.connection)

    @cached_property
    def tasks(self) -> TaskStore:
        """The task queue read model (Core, the hot path)."""
        return TaskStore(self.connection)

    @cached_property
    def definitions(self) -> Definitions:
        return Definitions(self.session)

    @cached_property
    def instances(self) -> Instances:
        return Instances(self.session)

    @cached_property
    def incidents(self) -> Incidents:
        return Incidents(self.session)

    @cached_property
    def subscriptions(self) -> Subscriptions:
        return Subscriptions(self.session)

    @cached_property
    def audit(self) -> Audit:
        """Appends to the hash-chained audit log."""
        return Audit(self.session)

    @cached_property
    def audit_log(self) -> AuditLog:
        """Reads of the audit log for verification, sealing and auditors; the checkpoints."""
        return AuditLog(self.session)

    @cached_property
    def clock(self) -> Clock:
        return Clock(self.session)

    @cached_property
    def identity(self) -> Identity:
        return Identity(self.session)

    @cached_property
    def catalogs(self) -> Catalogs:
        return Catalogs(self.session)

    @cached_property
    def drug_lists(self) -> DrugLists:
        return DrugLists(self.session)

    # --- the transaction -------------------------------------------------------------------------------
    def _end_read_only(self) -> None:
        """End a read-only unit of work with COMMIT: for a transaction that wrote nothing it is as cheap as ROLLBACK,
        and psycopg forgets every prepared statement of its connection on a ROLLBACK, so PostgreSQL would plan the
        hot path's statements afresh on every request (bench/README.md, settlement). Pending ORM changes, which a
        read-only unit of work never means to keep, are rolled back instead."""
        session, connection = self._session, self._connection
        if session is not None:
            if not (session.new or session.dirty or session.deleted):
                session.commit()
        elif connection is not None and connection.in_transaction():
            connection.commit()

    def flush(self) -> None:
        """Send pending changes now, so that constraint and version conflicts surface inside the use case."""
        if self._session is None:
            return  # Core statements are sent as they are made; only the session holds pending changes
        try:
            self._session.flush()
        except StaleDataError:
            raise Conflict("the object was changed by another request; reload and retry",
                           code="concurrent_update") from None
        except IntegrityError:
            raise Conflict("the change collides with existing data", code="duplicate") from None

    def commit(self) -> None:
        """Commit the transaction; a concurrent change becomes a Conflict, a lost database Unavailable."""
        try:
            if self._session is not None:
                self._session.commit()  # flushes, then commits the transaction it joined or began
            connection = self._connection
            if connection is not None and connection.in_transaction():
                connection.commit()  # Core writes the session never saw (none, or made after its last commit)
        except StaleDataError:
            raise Conflict("the object was changed by another request; reload and retry",
                           code="concurrent_update") from None
        except IntegrityError:
            raise Conflict("the change collides with existing data", code="duplicate") from None
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) in _RETRYABLE:
                raise Conflict("the database aborted the transaction because of a concurrent one; retry",
                               code="concurrent_update") from None
            raise Unavailable("the database refused the commit") from None
