"""The task queue read model, the forms of each diagram version, and audit checkpoints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_id

_LIVE = text("status IN ('open', 'claimed')")
# Indexes on expressions that Alembic's autogenerate cannot compare; their migration creates them as written.
EXPRESSION_INDEXES = frozenset({"ix_human_tasks_open_priority"})


class HumanTask(Base):
    """A user task as a queue row, written in the same transaction as the instance state."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        # "my open tasks": a role's queue in an organization, open first by priority then age
        Index("ix_human_tasks_queue", "lane_role", "org_scope", "status", "priority", "created_at"),
        Index("ix_human_tasks_assignee", "assignee_id", "status"),
        Index("ix_human_tasks_candidate", "candidate_user_id", "status"),
        Index("ix_human_tasks_due", "status", "due_at"),
        # The live queue is a few percent of the rows: partial indexes over open and claimed tasks serve the
        # queue counts, "my open tasks" and the oversight roles' first page (bench/tasks.py).
        Index("ix_human_tasks_open_queue", "lane_role", "org_scope", "status", "candidate_user_id",
              postgresql_where=_LIVE, sqlite_where=_LIVE),
        Index("ix_human_tasks_open_priority", text("priority DESC"), "created_at", "id",
              postgresql_where=_LIVE, sqlite_where=_LIVE),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the engine's task id
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instances.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    lane_role: Mapped[str] = mapped_column(String(32))
    org_scope: Mapped[str | None] = mapped_column(String(36))
    candidate_user_id: Mapped[str | None] = mapped_column(String(36))
    assignee_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))  # open | claimed | completed | cancelled
    priority: Mapped[int] = mapped_column(Integer, default=50)
    form: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(36))


class ProcessForm(Base):
    """A user-task form (JSON Schema) as deployed with one diagram version."""

    __tablename__ = "process_forms"
    __table_args__ = (UniqueConstraint("definition_id", "filename"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definitions.id"))
    filename: Mapped[str] = mapped_column(String(200))
    schema_text: Mapped[str] = mapped_column(Text)


class AuditCheckpoint(Base):
    """A signed seal over every audit chain head at one moment; `yibao audit verify` checks both."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    chains: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(BigInteger)  # the highest audit_log id the checkpoint seals
    heads_digest: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))


class SavedTaskFilter(Base):
    """A user's named filter of their task queue (the console's 保存筛选): a query string, read again by the same
    checks as any other when it is used."""

    __tablename__ = "saved_task_filters"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(30))
    query: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TaskDraft(Base):
    """A user's unfinished form of one task (the console's 保存草稿): the posted text as it was, not yet checked."""

    __tablename__ = "task_drafts"
    __table_args__ = (UniqueConstraint("task_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_tasks.id"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    values_json: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())
