"""Drafts of task forms (the console's 保存草稿): a user keeps what they typed into a task's form without completing
it, and finds it again when they come back. A draft is the posted text as it was — nothing is checked until the
form is submitted — bounded in size, visible only to its author, and dropped when the task is completed: at once
from the console, and by the worker's housekeeping for a task completed through the API or cancelled by its
process (``forget_finished``)."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime

from domain.actors import Actor
from domain.errors import Conflict, InvalidInput
from storage.saved_filters import TaskDrafts

from . import clock, housekeeping, tasks
from .context import Services

MAX_DRAFT_BYTES = 64 * 1024
MAX_FIELDS = 200
LIVE = ("open", "claimed")


def _checked(values: dict[str, list[str]]) -> str:
    if len(values) > MAX_FIELDS:
        raise InvalidInput(f"a draft holds at most {MAX_FIELDS} fields", code="draft_too_large")
    for name, given in values.items():
        for text in (name, *given):
            if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\r\n" for c in text):
                raise InvalidInput("a draft may not hold control characters", code="draft_invalid", field=name)
    encoded = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    if len(encoded.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise InvalidInput(f"a draft is at most {MAX_DRAFT_BYTES // 1024} KB", code="draft_too_large")
    return encoded


def save_draft(services: Services, actor: Actor, task_id: str, values: dict[str, list[str]]) -> datetime:
    """Keep the caller's draft of a live task they may see (404 otherwise); when it was saved."""
    task = tasks.get_task(services, actor, task_id)
    if task.status not in LIVE:
        raise Conflict(f"task {task_id} is {task.status}", code="task_not_open")
    encoded = _checked(values)
    with services.uow() as uow:
        at = clock.now(services, uow)
        uow.repository(TaskDrafts).put(task_id, actor.user_id, encoded, at)
        uow.commit()
    return at


def get_draft(services: Services, actor: Actor, task_id: str) -> tuple[dict[str, list[str]], datetime] | None:
    """The caller's draft of a task and when it was saved, if they kept one."""
    with services.uow(read_only=True) as uow:
        found = uow.repository(TaskDrafts).get(task_id, actor.user_id)
        if found is None:
            return None
        values = json.loads(found.values_json)
        return ({str(k): [str(v) for v in vs] for k, vs in values.items()}, found.saved_at)


def discard_drafts(services: Services, task_id: str) -> None:
    """Drop every draft of a task (after it is completed)."""
    with services.uow() as uow:
        uow.repository(TaskDrafts).remove_of_task(task_id)
        uow.commit()


def forget_finished(services: Services) -> int:
    """Drop the drafts of every task no longer open — completed through the API, or cancelled by its process — which
    nobody can come back to; how many. A housekeeping job of the worker."""
    with services.uow() as uow:
        dropped = uow.repository(TaskDrafts).remove_of_finished(LIVE)
        uow.commit()
        return dropped


housekeeping.register("console.finished_task_drafts", forget_finished)
