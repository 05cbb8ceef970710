"""What every use case needs, built once per process: settings, database, engine."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from jsonschema.protocols import Validator
from sqlalchemy import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from domain.errors import NotFound
from storage.db import make_engine, make_session_factory
from storage.uow import UnitOfWork

from .engine import Diagram, Engine, ScriptLimits
from .form_schema import FormValidator
from .processes import bind, plug_in
from .script_functions import SCRIPT_FUNCTIONS
from .settings import Settings


@dataclass(frozen=True)
class DefinitionRef:
    """The identity of a deployed diagram version."""

    id: str
    key: str
    version: int
    content_hash: str


@dataclass
class Services:
    """The process-wide services; nothing here holds per-request state (caches hold immutable versions only)."""

    settings: Settings
    db: DbEngine
    session_factory: sessionmaker[Session]
    engine: Engine
    passwords: PasswordHasher
    dummy_hash: str | None = None
    _definitions: dict[str, DefinitionRef] = field(default_factory=dict)
    _orgs: dict[str, str] = field(default_factory=dict)
    _forms: dict[tuple[str, str], Validator] = field(default_factory=dict)

    def uow(self, read_only: bool = False, single_read: bool = False) -> UnitOfWork:
        """A new unit of work; ``read_only`` for use cases that only read; ``single_read`` for one that sends a
        single query (on PostgreSQL without BEGIN and COMMIT)."""
        return UnitOfWork(self.session_factory, read_only, single_read)

    def definition(self, uow: UnitOfWork, definition_id: str) -> DefinitionRef:
        """A deployed version's identity and parsed diagram, cached per process (versions never change)."""
        ref = self._definitions.get(definition_id)
        if ref is None:
            meta = uow.definitions.meta(definition_id)
            if meta is None:
                raise NotFound(f"no process definition {definition_id}", code="definition_not_found")
            ref = DefinitionRef(*meta)
            self._definitions[definition_id] = ref
        return ref

    def find_definition(self, uow: UnitOfWork, key: str, version: int | None = None) -> DefinitionRef | None:
        """The latest (or the given) deployed version of ``key``; None when there is none.

        One indexed Core query on every call, so a version deployed by another process is seen at once; the
        reference it returns is the cached one of that version.
        """
        found = uow.store.definition_ref(key, version)
        if found is None:
            return None
        ref = self._definitions.get(found[0])
        if ref is None:
            ref = self._definitions[found[0]] = DefinitionRef(*found)
        return ref

    def org_of_kind(self, uow: UnitOfWork, kind: str) -> str | None:
        """The id of the (one) organization of a kind — the bureau, the NHSA; cached once found."""
        found = self._orgs.get(kind)
        if found is None:
            orgs = uow.identity.orgs_of_kind(kind)
            if orgs:
                found = self._orgs[kind] = orgs[0].id
        return found

    def form_validator(self, uow: UnitOfWork, definition_id: str, name: str) -> Validator:
        """The validator of one form of one diagram version (immutable, so cached); patterns run on RE2."""
        key = (definition_id, name)
        validator = self._forms.get(key)
        if validator is None:
            text = uow.definitions.form(definition_id, name)
            if text is None:
                raise NotFound(f"form {name} of this version is missing", code="form_missing")
            validator = self._forms[key] = FormValidator(json.loads(text))
        return validator

    def diagram(self, uow: UnitOfWork, ref: DefinitionRef) -> Diagram:
        """The parsed diagram of a version; its BPMN text is read only the first time."""
        diagram = self.engine.diagrams.cached(ref.content_hash)
        if diagram is None:
            diagram = self.engine.diagram(uow.definitions.text(ref.id), ref.content_hash, ref.key)
        return diagram

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
    passwords = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib,
                               parallelism=1)
    plug_in()  # the mission processes register their projectors and permissions (workflows/processes.py)
    services = Services(settings, db, make_session_factory(db), Engine(SCRIPT_FUNCTIONS, limits), passwords)
    from .workday_table import operation_calendar  # it imports this module (its use cases take Services)

    services.engine.add_operation_context(operation_calendar(services))  # the diagrams count with the bureau's table
    bind(services)
    return services
