"""Plain read views of the admission use cases; the API dumps them with its schemas."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class StepRef:
    """The human step an object waits on, as the caller may work it through /tasks."""

    task_id: str
    bpmn_id: str
    name: str


@dataclass(frozen=True)
class DocumentView:
    id: str
    kind: str
    kind_label: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class DocumentContent:
    filename: str
    media_type: str
    content: bytes
    sha256: str


@dataclass(frozen=True)
class ApplicationView:
    id: str
    instance_id: str
    hospital_id: str
    status: str
    code: str | None
    entry_code: str | None
    product_name: str | None
    manufacturer: str | None
    facts: dict[str, Any]
    findings: list[dict[str, str]]
    existing_entry: bool
    fast_path: bool
    review_note: str | None
    supplement_last_day: date | None
    round_id: str | None
    submitted_at: datetime | None
    accepted_on: date | None
    outcome: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    documents: list[DocumentView] = field(default_factory=list)
    step: StepRef | None = None
    submission: dict[str, Any] | None = None


@dataclass(frozen=True)
class RoundView:
    id: str
    instance_id: str
    name: str
    opens_on: date
    closes_on: date
    stage: str
    notice_working_days: int
    notice_last_day: date | None
    notice_warnings: list[str]
    retirements: list[dict[str, str]]
    published_version: int | None
    effective_on: date | None
    published_at: datetime | None
    created_at: datetime
    step: StepRef | None = None


@dataclass(frozen=True)
class ReviewView:
    entry_code: str
    expert_id: str
    include: bool
    category: str | None
    max_payment_standard: Decimal | None
    restricted_scope: str
    reasoning: str
    reviewed_at: datetime


@dataclass(frozen=True)
class CandidateView:
    round_id: str
    entry_code: str
    in_catalog: bool
    applications: int
    include: bool | None
    category: str | None
    max_payment_standard: Decimal | None
    restricted_scope: str | None
    reason: str | None
    names: dict[str, str] | None
    experts: list[str] = field(default_factory=list)
    reviews: list[ReviewView] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    review_task_id: str | None = None


@dataclass(frozen=True)
class FilingView:
    id: str
    round_id: str
    seq: int
    status: str
    submitted_at: datetime
    filing_number: str | None
    reasons: str | None
    answered_by: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class ObjectionView:
    id: str
    round_id: str
    entry_code: str | None
    text: str
    lodged_by: str
    lodged_at: datetime
    status: str
    upheld: bool | None
    resolution: str | None
    resolved_by: str | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class PublicationView:
    round_id: str
    name: str
    version: int
    effective_on: date
    published_at: datetime
    added: list[str]
    removed: list[str]
    changed: list[str]
    products_added: list[str]
    outcomes: dict[str, int]
