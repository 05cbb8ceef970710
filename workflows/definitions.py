"""Use cases of process definitions: deploy a diagram version, list versions, show one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from domain.actors import Actor
from domain.errors import DiagramRejected, InvalidInput, NotFound
from domain.permissions import require
from storage.models import ProcessDefinition

from . import clock
from .context import Services
from .engine import Diagram
from .forms import FORMS_DIR, check_diagram_tasks, forms_in
from .views import DefinitionView, DeployResult

MAX_BPMN_BYTES = 2_000_000
_VERSION_HASH_TAG = b"yibao-definition-version-1\0"


def version_hash(bpmn_text: str, forms: Mapping[str, str]) -> str:
    """The identity of a version: SHA-256 of the diagram and its forms together.

    The diagram's text, then each form's name and stored text in name order, each preceded by its length in
    bytes, so that no two different sets of texts hash alike; a changed form is a new version.
    """
    digest = hashlib.sha256(_VERSION_HASH_TAG)
    for part in (bpmn_text, *(text for name in sorted(forms) for text in (name, forms[name]))):
        data = part.encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _view(row: ProcessDefinition, diagram: Diagram | None, with_text: bool) -> DefinitionView:
    tasks = [
        {"bpmn_id": t.bpmn_id, "name": t.name, "lane": t.lane, "form": t.properties.get("formJsonSchemaFilename")}
        for t in (diagram.user_tasks if diagram else ())
    ]
    return DefinitionView(
        id=row.id, key=row.key, version=row.version, name=row.name, content_hash=row.content_hash,
        filename=row.filename, deployed_at=row.deployed_at, deployed_by=row.deployed_by, user_tasks=tasks,
        bpmn_text=row.bpmn_text if with_text else None,
    )


def deploy(
    services: Services, actor: Actor, bpmn_text: str, filename: str | None = None,
    forms: Mapping[str, str] | None = None,
) -> DeployResult:
    """Deploy a diagram with its forms: the same diagram and forms are a no-op, a change to the diagram or to one of
    its forms becomes the key's next version.

    Refused, naming the element, when a script is unsafe, a user task's lane is not a role, or its form is
    missing or not a sound JSON Schema. The forms are stored with the version: a version never changes.
    """
    require(actor, "definition.deploy")
    if not isinstance(bpmn_text, str) or not bpmn_text.strip():
        raise InvalidInput("the diagram is empty", code="empty_diagram", field="bpmn")
    if len(bpmn_text.encode()) > MAX_BPMN_BYTES:
        raise InvalidInput(f"the diagram is larger than {MAX_BPMN_BYTES} bytes", code="diagram_too_large",
                           field="bpmn")
    diagram = services.engine.diagram(bpmn_text)  # parses and checks every script; raises DiagramRejected
    used_forms = check_diagram_tasks(diagram, forms or {})
    digest = version_hash(bpmn_text, used_forms)
    with services.uow() as uow:
        existing = uow.definitions.by_hash(digest)
        if existing is not None:
            return DeployResult(_view(existing, diagram, False), created=False)
        now = clock.now(services, uow)
        row = ProcessDefinition(
            key=diagram.key, version=uow.definitions.next_version(diagram.key), name=diagram.name,
            content_hash=digest, bpmn_text=bpmn_text, filename=filename, deployed_at=now,
            deployed_by=actor.user_id,
        )
        uow.definitions.add(row)
        uow.flush()
        for name, schema in used_forms.items():
            uow.definitions.add_form(row.id, name, schema)
        uow.audit.append(
            aggregate_type="definition", aggregate_id=diagram.key, at=now, actor=actor.user_id,
            actor_org=actor.org_id, action="definition.deployed", object_type="process_definition",
            object_id=row.id, after={"key": row.key, "version": row.version, "content_hash": digest},
        )
        uow.commit()
        return DeployResult(_view(row, diagram, False), created=True)


def forms_with_defaults(services: Services, given: Mapping[str, object]) -> dict[str, str]:
    """The forms sent with a deploy, completed by the shipped ones in the diagram folder's forms/."""
    shipped = forms_in(Path(services.settings.bpmn_dir) / FORMS_DIR)
    return {**shipped, **{name: json.dumps(schema, ensure_ascii=False) for name, schema in given.items()}}


def list_definitions(services: Services, key: str | None = None) -> list[DefinitionView]:
    """Every deployed version, by key then version."""
    with services.uow() as uow:
        return [_view(row, _diagram(services, row), False) for row in uow.definitions.list(key)]


def get_definition(services: Services, definition_id: str) -> DefinitionView:
    """One deployed version with its BPMN text."""
    with services.uow() as uow:
        row = uow.definitions.get(definition_id)
        if row is None:
            raise NotFound(f"no process definition {definition_id}", code="definition_not_found")
        return _view(row, _diagram(services, row), True)


def _diagram(services: Services, row: ProcessDefinition) -> Diagram | None:
    try:
        return services.engine.diagram(row.bpmn_text, row.content_hash, row.key)
    except DiagramRejected:  # a version deployed under older rules still lists; it just cannot start
        return None
