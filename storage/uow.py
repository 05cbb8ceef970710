"""The unit of work: one transaction per use case, rolled back unless the use case commits.

Every repository hangs on the unit of work, built on first use and kept for its transaction: ``uow.tasks``,
``uow.catalogs``. A process slice's own repository comes the same way without an edit here:
``uow.repository(Applications)`` builds ``Applications(uow.session)`` once per unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
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


class UnitOfWork:
    """Opens a session; builds its repositories lazily; commits only when told to."""

    def __init__(self, session_factory: sessionmaker[Session], read_only: bool = False) -> None:
        self._factory = session_factory
        self._read_only = read_only
        self._committed = False
        self._repositories: dict[Callable[[Session], Any], Any] = {}
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        if self._read_only:  # SQLite: a plain BEGIN, so readers do not queue for the writer lock
            self.session.connection(execution_options={"yibao_read_only": True})
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    # --- repositories, each built on first use ---------------------------------------------------------
    def repository(self, factory: Callable[[Session], R]) -> R:
        """The repository ``factory(session)`` of this unit of work, built on first use (a process's own)."""
        found = self._repositories.get(factory)
        if found is None:
            found = self._repositories[factory] = factory(self.session)
        return found

    @cached_property
    def store(self) -> InstanceStore:
        """Instance rows, their subscriptions, incidents and audit chain (Core, the hot path)."""
        return InstanceStore(self.session)

    @cached_property
    def tasks(self) -> TaskStore:
        """The task queue read model (Core, the hot path)."""
        return TaskStore(self.session)

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
    def flush(self) -> None:
        """Send pending changes now, so that constraint and version conflicts surface inside the use case."""
        try:
            self.session.flush()
        except StaleDataError:
            raise Conflict("the object was changed by another request; reload and retry",
                           code="concurrent_update") from None
        except IntegrityError:
            raise Conflict("the change collides with existing data", code="duplicate") from None

    def commit(self) -> None:
        """Commit the transaction; a concurrent change becomes a Conflict, a lost database Unavailable."""
        try:
            self.session.commit()
            self._committed = True
        except StaleDataError:
            raise Conflict("the object was changed by another request; reload and retry",
                           code="concurrent_update") from None
        except IntegrityError:
            raise Conflict("the change collides with existing data", code="duplicate") from None
        except OperationalError:
            raise Unavailable("the database refused the commit") from None
