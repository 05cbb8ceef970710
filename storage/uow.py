"""The unit of work: one transaction per use case, rolled back unless the use case commits."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import Conflict, Unavailable

from .identity_repository import Identity
from .instance_store import InstanceStore
from .repositories import Audit, Clock, Definitions, Incidents, Instances, Subscriptions
from .task_store import TaskStore


class UnitOfWork:
    """Opens a session and its repositories; commits only when told to."""

    def __init__(self, session_factory: sessionmaker[Session], read_only: bool = False) -> None:
        self._factory = session_factory
        self._read_only = read_only
        self._committed = False
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        if self._read_only:  # SQLite: a plain BEGIN, so readers do not queue for the writer lock
            self.session.connection(execution_options={"yibao_read_only": True})
        self.store = InstanceStore(self.session)
        self.definitions = Definitions(self.session)
        self.instances = Instances(self.session)
        self.incidents = Incidents(self.session)
        self.subscriptions = Subscriptions(self.session)
        self.audit = Audit(self.session)
        self.clock = Clock(self.session)
        self.identity = Identity(self.session)
        self.tasks = TaskStore(self.session)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    def flush(self) -> None:
        """Send pending changes now, so that constraint and version conflicts surface inside the use case."""
        try:
            self.session.flush()
        except StaleDataError:
            raise Conflict("the object was changed by another request; reload and retry",
                           code="concurrent_update") from None
        except IntegrityError as exc:
            raise Conflict(f"the change collides with existing data: {exc.orig}", code="duplicate") from None

    def commit(self) -> None:
        """Commit the transaction; a concurrent change becomes a Conflict, a lost database Unavailable."""
        try:
            self.session.commit()
            self._committed = True
        except StaleDataError:
            raise Conflict("the object was changed by another request; reload and retry",
                           code="concurrent_update") from None
        except IntegrityError as exc:
            raise Conflict(f"the change collides with existing data: {exc.orig}", code="duplicate") from None
        except OperationalError as exc:
            raise Unavailable(f"the database refused the commit: {exc.orig}") from None
