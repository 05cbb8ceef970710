"""Plain read views the use cases return; the API dumps them with its schemas."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DefinitionView:
    id: str
    key: str
    version: int
    name: str
    content_hash: str
    filename: str | None
    deployed_at: datetime
    deployed_by: str
    user_tasks: list[dict[str, Any]]
    bpmn_text: str | None = None


@dataclass(frozen=True)
class DeployResult:
    definition: DefinitionView
    created: bool


@dataclass(frozen=True)
class TaskView:
    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None


@dataclass(frozen=True)
class IncidentView:
    id: str
    instance_id: str
    element_id: str | None
    code: str
    message: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


@dataclass(frozen=True)
class InstanceView:
    id: str
    definition_id: str
    definition_key: str
    definition_version: int
    business_key: str | None
    owner_org: str | None
    status: str
    next_timer_at: datetime | None
    created_at: datetime
    updated_at: datetime
    started_by: str
    state_format: str
    state_bytes: int
    tasks: list[TaskView] = field(default_factory=list)
    active_element_ids: list[str] = field(default_factory=list)
    completed_element_ids: list[str] = field(default_factory=list)
    subscriptions: list[dict[str, str]] = field(default_factory=list)
    incidents: list[IncidentView] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    limit: int
    offset: int
