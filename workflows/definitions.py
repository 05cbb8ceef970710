"""Use cases of process definitions: deploy a diagram version, list versions, show one."""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import DiagramRejected, Forbidden, InvalidInput, NotFound
from storage.models import ProcessDefinition

from . import clock
from .context import Services
from .engine import Diagram, content_hash
from .views import DefinitionView, DeployResult

MAX_BPMN_BYTES = 2_000_000


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


def deploy(services: Services, actor: Actor, bpmn_text: str, filename: str | None = None) -> DeployResult:
    """Deploy a diagram: an unchanged file is a no-op, a changed one becomes the key's next version."""
    if not actor.has_role("admin", "system"):
        raise Forbidden("only an administrator deploys diagrams", code="admin_only")
    if not isinstance(bpmn_text, str) or not bpmn_text.strip():
        raise InvalidInput("the diagram is empty", code="empty_diagram", field="bpmn")
    if len(bpmn_text.encode()) > MAX_BPMN_BYTES:
        raise InvalidInput(f"the diagram is larger than {MAX_BPMN_BYTES} bytes", code="diagram_too_large",
                           field="bpmn")
    digest = content_hash(bpmn_text)
    diagram = services.engine.diagram(bpmn_text, digest)  # parses and checks every script; raises DiagramRejected
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
        uow.audit.append(
            aggregate_type="definition", aggregate_id=diagram.key, at=now, actor=actor.user_id,
            actor_org=actor.org_id, action="definition.deployed", object_type="process_definition",
            object_id=row.id, after={"key": row.key, "version": row.version, "content_hash": digest},
        )
        uow.commit()
        return DeployResult(_view(row, diagram, False), created=True)


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
