"""Queue rows follow the engine in the same transaction, also when an instance errors and is retried."""

from __future__ import annotations

import json
from collections.abc import Callable

from domain.actors import SYSTEM, Actor
from workflows import definitions, instances, tasks
from workflows.context import Services

from ..bpmn import diagrams
from ..factories import build_world


def test_an_errored_instance_keeps_its_open_tasks_and_a_retry_does_not_duplicate_them(
    services: Services, more_services: Callable[..., Services]
) -> None:
    world = build_world(services)
    hospital = Actor(world.users["h1_officer"], world.orgs["h1"], frozenset({"hospital_officer"}))
    strict = more_services(script_max_iterations=100)
    text = diagrams.user_task_beside_script("n = 0\nfor i in range(500):\n    n = n + 1")
    forms = {name: json.dumps(schema) for name, schema in diagrams.OPEN_FORM.items()}
    definitions.deploy(strict, SYSTEM, text, "parallel.bpmn", forms)
    started = instances.start_instance(strict, hospital, "tiny", {})
    assert started.status == "errored" and [t.bpmn_id for t in started.tasks] == ["fill"]
    (row,) = tasks.list_tasks(strict, hospital, tasks.TaskFilter(instance_id=started.id)).items
    assert row.status == "open"  # the user task still exists in the engine; only the script failed
    relaxed = more_services(script_max_iterations=10_000)
    retried = instances.retry_incident(relaxed, SYSTEM, started.incidents[0].id)
    assert retried.status == "waiting"
    (again,) = tasks.list_tasks(relaxed, hospital, tasks.TaskFilter(instance_id=started.id)).items
    assert (again.id, again.status) == (row.id, "open")
    done = tasks.complete(relaxed, hospital, row.id, {"note": "done"})
    assert done.status == "completed"
