"""A version is the diagram and its forms: a changed form is a new version, the same set is a no-op."""

from __future__ import annotations

import json

from domain.actors import SYSTEM
from workflows import definitions
from workflows.context import Services
from workflows.definitions import version_hash

from ..conftest import diagram_form_texts, diagram_text

SUBMIT = "foundation-submit.schema.json"


def with_changed_title(forms: dict[str, str], name: str, title: str) -> dict[str, str]:
    schema = json.loads(forms[name])
    schema["title"] = title
    return {**forms, name: json.dumps(schema)}


def stored_form(services: Services, definition_id: str, name: str) -> dict[str, object]:
    with services.uow() as uow:
        text = uow.definitions.form(definition_id, name)
    assert text is not None
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_a_changed_form_of_an_unchanged_diagram_is_a_new_version(services: Services) -> None:
    text, forms = diagram_text(), diagram_form_texts()
    first = definitions.deploy(services, SYSTEM, text, "foundation.bpmn", forms)
    assert definitions.deploy(services, SYSTEM, text, "foundation.bpmn", forms).created is False
    changed = with_changed_title(forms, SUBMIT, "Submit the application for admission")
    second = definitions.deploy(services, SYSTEM, text, "foundation.bpmn", changed)
    assert second.created is True and second.definition.version == 2
    assert second.definition.content_hash != first.definition.content_hash
    assert definitions.deploy(services, SYSTEM, text, "foundation.bpmn", changed).created is False
    assert stored_form(services, first.definition.id, SUBMIT)["title"] == "Submit application"  # v1 keeps its own
    assert stored_form(services, second.definition.id, SUBMIT)["title"] == "Submit the application for admission"


def test_reformatting_a_form_or_adding_a_form_nobody_uses_changes_nothing(services: Services) -> None:
    text, forms = diagram_text(), diagram_form_texts()
    definitions.deploy(services, SYSTEM, text, "foundation.bpmn", forms)
    reformatted = {name: json.dumps(json.loads(body), indent=4) for name, body in forms.items()}
    extra = {**forms, "unrelated.schema.json": '{"type": "object"}'}
    assert definitions.deploy(services, SYSTEM, text, "foundation.bpmn", reformatted).created is False
    assert definitions.deploy(services, SYSTEM, text, "foundation.bpmn", extra).created is False


def test_the_version_hash_frames_each_text_so_no_two_sets_collide() -> None:
    assert version_hash("ab", {"c": "d"}) != version_hash("a", {"bc": "d"})
    assert version_hash("x", {"a": "1", "b": "2"}) == version_hash("x", {"b": "2", "a": "1"})
    assert version_hash("x", {}) != version_hash("x", {"": ""})
