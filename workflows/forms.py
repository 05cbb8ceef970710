"""User-task forms: JSON Schema files deployed with each diagram version, checked at deploy, applied at completion."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from domain.errors import DiagramRejected, InvalidInput
from domain.identity import ROLES
from storage.uow import UnitOfWork

from .context import Services
from .engine import Diagram, UserTaskView
from .form_schema import unsupported_pattern

FORM_PROPERTY = "formJsonSchemaFilename"
FORMS_DIR = "forms"


def form_name(task: UserTaskView) -> str | None:
    """The form file a ready user task names."""
    return task.properties.get(FORM_PROPERTY)


def forms_in(folder: Path) -> dict[str, str]:
    """Every ``*.schema.json`` of a folder, by file name."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.json"))}


def check_diagram_tasks(diagram: Diagram, available: Mapping[str, str]) -> dict[str, str]:
    """Refuse unknown start roles, user tasks outside a role's lane or without a sound form; return the forms."""
    unknown = [r for r in diagram.start_roles or () if r not in ROLES]
    if unknown:
        raise DiagramRejected(f"startRoles names {', '.join(unknown)}, not roles ({', '.join(ROLES)})",
                              element_id=diagram.start_element, code="unknown_start_role")
    used: dict[str, str] = {}
    for task in diagram.user_tasks:
        if task.lane not in ROLES:
            raise DiagramRejected(
                f"user task '{task.bpmn_id}' sits in lane '{task.lane}', which is not a role ({', '.join(ROLES)})",
                element_id=task.bpmn_id, code="unknown_lane_role")
        name = task.properties.get(FORM_PROPERTY)
        if not name:
            raise DiagramRejected(f"user task '{task.bpmn_id}' names no form ({FORM_PROPERTY})",
                                  element_id=task.bpmn_id, code="missing_form")
        if name not in available:
            raise DiagramRejected(f"form '{name}' of user task '{task.bpmn_id}' was not supplied",
                                  element_id=task.bpmn_id, code="missing_form")
        used[name] = _checked_schema(task.bpmn_id, name, available[name])
    return used


def _checked_schema(element_id: str, name: str, text: str) -> str:
    try:
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
    except (ValueError, SchemaError) as exc:
        raise DiagramRejected(f"form '{name}' is not a valid JSON Schema: {str(exc)[:300]}",
                              element_id=element_id, code="invalid_form") from None
    for ref in _refs(schema):
        if not ref.startswith("#"):
            raise DiagramRejected(f"form '{name}' refers outside itself ({ref}); only local $ref is allowed",
                                  element_id=element_id, code="unsafe_form")
    why = unsupported_pattern(schema)
    if why is not None:
        raise DiagramRejected(f"form '{name}': {why}", element_id=element_id, code="unsupported_pattern")
    return json.dumps(schema, ensure_ascii=False, sort_keys=True)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def validate(services: Services, uow: UnitOfWork, definition_id: str, name: str | None,
             data: Mapping[str, Any]) -> None:
    """Check completion data against the task's form; every violation is listed with its field."""
    if name is None:
        return
    validator = services.form_validator(uow, definition_id, name)
    errors = sorted(validator.iter_errors(dict(data)), key=lambda e: list(e.absolute_path))
    if errors:
        listed = [{"field": ".".join(str(p) for p in e.absolute_path) or _missing(e.message), "message": e.message}
                  for e in errors]
        raise InvalidInput("; ".join(f"{e['field']}: {e['message']}" for e in listed), code="form_invalid",
                           field=listed[0]["field"], extra={"errors": listed})


def _missing(message: str) -> str:
    # "'amount' is a required property" names the field only in the message
    return message.split("'")[1] if message.count("'") >= 2 else "data"
