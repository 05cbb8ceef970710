"""A process's projector writes its read model in the step's transaction: a step that fails leaves neither new
instance state nor projection rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from domain.actors import SYSTEM, Actor
from domain.errors import PolicyViolation
from storage.uow import UnitOfWork
from workflows import definitions, instances, messages, processes, projections, tasks
from workflows.context import Services
from workflows.projections import Step

from ..bpmn import diagrams
from ..conftest import diagram_form_texts, diagram_text
from ..factories import build_world
from . import foundation_requests
from .foundation_requests import METADATA, PROCESS_KEY, FoundationRequests, project_request

CODE = "C09100100000000211790000049"
SLICE = "tests.integration.plugged_slice"


@pytest.fixture
def projected(services: Services) -> Iterator[Services]:
    """Services whose foundation diagram is deployed and projected into the test-owned requests table."""
    METADATA.create_all(services.db)
    projections.register(PROCESS_KEY, project_request)
    try:
        definitions.deploy(services, SYSTEM, diagram_text(), "foundation.bpmn", diagram_form_texts())
        yield services
    finally:
        projections.unregister(PROCESS_KEY, project_request)
        METADATA.drop_all(services.db)


@pytest.fixture
def hospital(projected: Services) -> Actor:
    world = build_world(projected)
    return Actor(world.users["h1_officer"], world.orgs["h1"], frozenset({"hospital_officer"}))


def request_row(services: Services, instance_id: str) -> Any:
    with services.uow(read_only=True) as uow:
        return uow.repository(FoundationRequests).get(instance_id)


def test_every_step_writes_the_process_read_model(projected: Services, hospital: Actor) -> None:
    started = instances.start_instance(projected, hospital, PROCESS_KEY, {}, business_key="APP-1")
    row = request_row(projected, started.id)
    assert (row.status, row.steps, row.last_action, row.owner_org, row.business_key, row.code) == (
        "waiting", 1, "instance.started", hospital.org_id, "APP-1", None)
    tasks.complete(projected, hospital, started.tasks[0].id, {"code": CODE, "amount": 300})
    row = request_row(projected, started.id)
    assert (row.status, row.steps, row.last_action, row.last_actor) == (
        "waiting", 2, "task.completed:submit", hospital.user_id)
    assert (row.code, row.entry_key, row.amount, row.definition_version) == (CODE, CODE[:15], 300, 1)
    messages.deliver_message(projected, SYSTEM, "nhsa_ack", CODE[:15], {"filing_no": "F-1"})
    assert request_row(projected, started.id).steps == 3


def test_a_failing_projector_rolls_back_the_step_with_its_state_queue_audit_and_projections(
    projected: Services, hospital: Actor
) -> None:
    started = instances.start_instance(projected, hospital, PROCESS_KEY, {})
    task_id = started.tasks[0].id

    def refuse(uow: UnitOfWork, step: Step) -> None:  # runs after project_request has written its row
        raise PolicyViolation("refused by the process's own rule", rule="TEST-1")

    projections.register(PROCESS_KEY, refuse)
    try:
        with pytest.raises(PolicyViolation):
            tasks.complete(projected, hospital, task_id, {"code": CODE, "amount": 300})
    finally:
        projections.unregister(PROCESS_KEY, refuse)
    after = instances.get_instance(projected, hospital, started.id)
    assert (after.updated_at, after.active_element_ids, after.state_bytes) == (
        started.updated_at, ["submit"], started.state_bytes)
    assert tasks.get_task(projected, hospital, task_id).status == "open"
    assert [e["action"] for e in instances.instance_history(projected, hospital, started.id)] == ["instance.started"]
    row = request_row(projected, started.id)
    assert (row.steps, row.code, row.last_action) == (1, None, "instance.started")
    # With the projector gone, the same completion goes through: the failed step left nothing in its way.
    done = tasks.complete(projected, hospital, task_id, {"code": CODE, "amount": 300})
    assert done.active_element_ids == ["wait_ack"] and request_row(projected, started.id).steps == 2


def test_a_refused_start_writes_no_instance_and_no_projection(projected: Services, hospital: Actor) -> None:
    def refuse(uow: UnitOfWork, step: Step) -> None:
        raise PolicyViolation("refused", rule="TEST-1")

    projections.register(PROCESS_KEY, refuse)
    try:
        with pytest.raises(PolicyViolation):
            instances.start_instance(projected, hospital, PROCESS_KEY, {}, business_key="APP-2")
    finally:
        projections.unregister(PROCESS_KEY, refuse)
    assert instances.list_instances(projected, SYSTEM).total == 0
    assert tasks.list_tasks(projected, SYSTEM, tasks.TaskFilter()).total == 0
    with projected.uow(read_only=True) as uow:
        assert uow.session.connection().execute(
            foundation_requests.REQUESTS.select()).first() is None


def test_a_process_without_a_projector_writes_no_projection(projected: Services) -> None:
    definitions.deploy(projected, SYSTEM, diagrams.script_task("x = 1"), "tiny.bpmn")
    done = instances.start_instance(projected, SYSTEM, "tiny", {})
    assert done.status == "completed" and request_row(projected, done.id) is None


def test_a_slice_named_in_the_process_list_plugs_in_its_projector(services: Services) -> None:
    sys.modules.pop(SLICE, None)  # imported afresh, as at start-up (this test runs once per backend)
    processes.plug_in([SLICE])
    plugged_slice = sys.modules[SLICE]
    try:
        assert projections.projectors_for(plugged_slice.PROCESS_KEY) == (plugged_slice.remember,)
        text = diagrams.wrap('<bpmn:scriptTask id="el"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>',
                             pid=plugged_slice.PROCESS_KEY)
        definitions.deploy(services, SYSTEM, text, "plugged.bpmn")
        done = instances.start_instance(services, SYSTEM, plugged_slice.PROCESS_KEY, {})
        assert (done.id, "instance.started") in plugged_slice.SEEN
    finally:
        projections.unregister(plugged_slice.PROCESS_KEY, plugged_slice.remember)


@pytest.mark.postgres
def test_two_concurrent_completions_project_exactly_one_step(postgres_services: Services, postgres_url: str) -> None:
    from ..concurrency import at_once

    METADATA.create_all(postgres_services.db)
    projections.register(PROCESS_KEY, project_request)
    try:
        world = build_world(postgres_services)
        hospital = Actor(world.users["h1_officer"], world.orgs["h1"], frozenset({"hospital_officer"}))
        definitions.deploy(postgres_services, SYSTEM, diagram_text(), "foundation.bpmn", diagram_form_texts())
        started = instances.start_instance(postgres_services, hospital, PROCESS_KEY, {})
        data = {"code": CODE, "amount": 1}
        outcomes = at_once(2, postgres_url, lambda s: tasks.complete(s, hospital, started.tasks[0].id, data))
        assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "InstanceView"]
        row = request_row(postgres_services, started.id)
        assert (row.steps, row.last_action, row.code) == (2, "task.completed:submit", CODE)
    finally:
        projections.unregister(PROCESS_KEY, project_request)
        METADATA.drop_all(postgres_services.db)
