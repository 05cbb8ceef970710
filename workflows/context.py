"""What every use case needs, built once per process: settings, database, engine."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_session_factory
from storage.uow import UnitOfWork

from .engine import Engine, ScriptLimits
from .script_functions import SCRIPT_FUNCTIONS
from .settings import Settings


@dataclass
class Services:
    """The process-wide services; nothing here holds per-request state."""

    settings: Settings
    db: DbEngine
    session_factory: sessionmaker[Session]
    engine: Engine

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return UnitOfWork(self.session_factory)

    def dispose(self) -> None:
        """Close the database pool."""
        self.db.dispose()


def build_services(settings: Settings) -> Services:
    """Create the database engine and the workflow engine for ``settings``."""
    db = make_engine(settings.database_url)
    limits = ScriptLimits(
        timeout_ms=settings.script_timeout_ms,
        max_iterations=settings.script_max_iterations,
        max_sequence=settings.script_max_sequence,
        task_data_bytes=settings.task_data_limit_bytes,
    )
    return Services(settings, db, make_session_factory(db), Engine(SCRIPT_FUNCTIONS, limits))
