"""The unit of work: one transaction on one connection; the ORM session only when something asks for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from domain.actors import SYSTEM, Actor
from storage.identity_models import Organization
from workflows import definitions
from workflows.context import Services
from workflows.instances import start_instance

from ..conftest import diagram_form_texts, diagram_text

OFFICER = Actor("uow-officer", "uow-hospital", frozenset({"hospital_officer"}), "uow-officer")
T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)


@pytest.fixture
def sessions_begun() -> Iterator[list[Session]]:
    """Every ORM session that begins a transaction while the test runs."""
    begun: list[Session] = []

    def record(session: Session, _transaction: Any, _connection: Any) -> None:
        begun.append(session)

    event.listen(Session, "after_begin", record)
    yield begun
    event.remove(Session, "after_begin", record)


def _deployed(services: Services) -> Services:
    definitions.deploy(services, SYSTEM, diagram_text(), "foundation.bpmn", diagram_form_texts())
    start_instance(services, OFFICER, "foundation_demo", {}, business_key="warm-up")  # caches the version
    return services


def _org(code: str) -> Organization:
    return Organization(code=code, name=f"医院 {code}", kind="hospital", region_code="520102", created_at=T0)


def test_a_start_on_a_cached_version_builds_no_orm_session(
    services: Services, more_services: Callable[..., Services], sessions_begun: list[Session]
) -> None:
    _deployed(services)
    production = _deployed(more_services(allow_clock_control=False))  # the machine's clock: no clock row read
    sessions_begun.clear()
    view = start_instance(production, OFFICER, "foundation_demo", {}, business_key="core-only")
    assert view.status == "waiting"
    assert sessions_begun == []


def test_core_and_orm_writes_of_one_unit_of_work_commit_together(services: Services,
                                                                 sessions_begun: list[Session]) -> None:
    _deployed(services)
    sessions_begun.clear()
    with services.uow() as uow:
        ref = services.find_definition(uow, "foundation_demo")  # Core: begins the transaction
        uow.identity.add(_org("H52010200001"))  # the ORM joins it
        uow.commit()
    assert ref is not None and len(sessions_begun) == 1
    with services.uow(read_only=True) as uow:
        assert uow.identity.org_by_code("H52010200001") is not None


def test_core_and_orm_writes_of_one_unit_of_work_roll_back_together(services: Services) -> None:
    _deployed(services)
    with services.uow() as uow:
        (task,) = uow.tasks.query(SYSTEM, _open(), "priority", 10, 0)[0]
        uow.tasks.finish([task.id], "cancelled", T0, None)  # Core
        uow.identity.add(_org("H52010200002"))  # ORM
        uow.flush()
        # no commit: leaving the block rolls both back
    with services.uow(read_only=True) as uow:
        assert uow.identity.org_by_code("H52010200002") is None
        assert uow.tasks.get(task.id).status == "open"


def test_a_session_built_after_a_commit_starts_a_new_transaction(services: Services) -> None:
    _deployed(services)
    with services.uow() as uow:
        uow.store.definition_ref("foundation_demo")
        uow.commit()
        uow.identity.add(_org("H52010200003"))
        uow.commit()
    with services.uow(read_only=True) as uow:
        assert uow.identity.org_by_code("H52010200003") is not None


def _open() -> Any:
    from storage.task_store import TaskFilter

    return TaskFilter(status=("open",))


def test_a_core_write_after_the_sessions_commit_is_committed_by_the_next_commit(services: Services) -> None:
    _deployed(services)
    with services.uow() as uow:
        uow.identity.add(_org("H52010200004"))  # ORM: the session controls the transaction
        uow.commit()
        (task,) = uow.tasks.query(SYSTEM, _open(), "priority", 10, 0)[0]
        uow.tasks.finish([task.id], "cancelled", T0, None)  # Core, in a new transaction
        uow.commit()
    with services.uow(read_only=True) as uow:
        assert uow.identity.org_by_code("H52010200004") is not None
        assert uow.tasks.get(task.id).status == "cancelled"
