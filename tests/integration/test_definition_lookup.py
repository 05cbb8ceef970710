"""A start finds its diagram version with one lean query: a version deployed by another process is seen at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.actors import SYSTEM, Actor
from domain.errors import NotFound
from workflows import definitions, instances
from workflows.context import Services

from ..conftest import diagram_form_texts, diagram_text

# The foundation diagram's first task is a hospital's: its starter must belong to one (ACC-15).
OFFICER = Actor("lookup-officer", "lookup-hospital", frozenset({"hospital_officer"}), "lookup-officer")


def _deploy(services: Services, text: str) -> int:
    deployed = definitions.deploy(services, SYSTEM, text, "foundation.bpmn", diagram_form_texts())
    return deployed.definition.version


def test_a_start_takes_the_version_another_process_deployed_after_this_one_started_an_instance(
    services: Services, more_services: Callable[..., Services]
) -> None:
    assert _deploy(services, diagram_text()) == 1
    assert instances.start_instance(services, OFFICER, "foundation_demo", {}).definition_version == 1
    other_process = more_services()
    changed = diagram_text().replace('name="Submit application"', 'name="Submit the application"')
    assert _deploy(other_process, changed) == 2
    newer = instances.start_instance(services, OFFICER, "foundation_demo", {})
    assert (newer.definition_version, newer.tasks[0].name) == (2, "Submit the application")
    pinned = instances.start_instance(services, OFFICER, "foundation_demo", {}, version=1)
    assert (pinned.definition_version, pinned.tasks[0].name) == (1, "Submit application")


def test_a_start_of_an_unknown_key_or_version_is_not_found(services: Services) -> None:
    _deploy(services, diagram_text())
    for key, version in (("no_such_process", None), ("foundation_demo", 7)):
        with pytest.raises(NotFound) as caught:
            instances.start_instance(services, SYSTEM, key, {}, version=version)
        assert caught.value.code == "definition_not_found"
