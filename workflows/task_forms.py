"""A task's form for the console: its JSON Schema, and the field-by-field check of entered data (the same validator
the completion uses, so the console shows every error beside its field before the task is completed)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.actors import Actor
from domain.errors import NotFound

from .context import Services
from .tasks import QueueTask, _queue_task, _visible


@dataclass(frozen=True)
class TaskForm:
    task: QueueTask
    schema: dict[str, Any] | None


@dataclass(frozen=True)
class FieldError:
    """One violation: the field (dotted path, "" for the whole form), the JSON Schema keyword, its limit."""

    field: str
    keyword: str
    limit: Any
    message: str


def task_form(services: Services, actor: Actor, task_id: str) -> TaskForm:
    """A task the caller may see with its form's schema (None when the task has no form)."""
    with services.uow(read_only=True) as uow:
        row = _visible(uow, actor, task_id)
        if row.form is None:
            return TaskForm(_queue_task(row), None)
        record = uow.store.load(row.instance_id)
        if record is None:
            raise NotFound(f"no task {task_id}", code="task_not_found")
        text = uow.definitions.form(record.definition_id, row.form)
        return TaskForm(_queue_task(row), json.loads(text) if text else None)


def form_errors(services: Services, actor: Actor, task_id: str, data: Mapping[str, Any]) -> list[FieldError]:
    """Every violation of the task's form by ``data``, in field order; empty when the data would be accepted."""
    with services.uow(read_only=True) as uow:
        row = _visible(uow, actor, task_id)
        record = uow.store.load(row.instance_id)
        if row.form is None or record is None:
            return []
        validator = services.form_validator(uow, record.definition_id, row.form)
        found = sorted(validator.iter_errors(dict(data)), key=lambda e: [str(p) for p in e.absolute_path])
    out = []
    for error in found:
        field = ".".join(str(p) for p in error.absolute_path)
        limit = error.validator_value
        if error.validator == "required":  # the missing property is named in the message only
            field = ".".join(filter(None, (field, error.message.split("'")[1] if "'" in error.message else "")))
        out.append(FieldError(field, str(error.validator), limit if not isinstance(limit, dict | list) else None,
                              error.message))
    return out
