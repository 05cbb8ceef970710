"""Read queries of the audit log for verification, sealing and auditors; the signed checkpoint rows (``uow.audit_log``).

Entries are read as plain Core rows (``StoredEntry``), streamed; checkpoints and the auditors' page are ORM objects.

The verification queries stream (``yield_per``: a server-side cursor on PostgreSQL) and order chains byte by
byte, which is Python's ``str`` order: a checkpoint's digest is defined over the heads in that order, and the
database's default collation (e.g. en_US on PostgreSQL, which ignores hyphens) must not change it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Table, and_, exists, func, literal, or_, select, text, union_all
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from domain.errors import Unavailable

from .audit import GENESIS
from .models import AuditEntry, ProcessInstance
from .task_models import AuditCheckpoint

INSTANCE = "instance"  # the aggregate type of process instance chains (their head is on the instance row)
STREAM_BATCH = 1000
# Longest a seal waits for in-flight audit writers (PostgreSQL); it stalls new writers while it waits.
SEAL_LOCK_TIMEOUT = "5s"

_A = AuditEntry
_I = ProcessInstance


# Chains whose head is also kept on a row of their aggregate (the instance row; a slice's, e.g. an annual account):
# aggregate type -> that table, with ``id``, ``audit_seq`` and ``audit_head`` columns. ``yibao audit verify`` checks
# each such chain's last entry against its row's head, and finds a row whose chain is gone.
HEAD_HOLDERS: dict[str, Table] = {}


def keeps_chain_head(aggregate_type: str, table: Table) -> None:
    """Declare that rows of ``table`` keep the head of the ``aggregate_type`` chain of their id (a slice's seam)."""
    HEAD_HOLDERS[aggregate_type] = table


class StoredEntry(NamedTuple):
    """One audit entry as stored, with the head its aggregate's row records (chains in ``HEAD_HOLDERS`` only)."""

    id: int
    aggregate_type: str
    aggregate_id: str
    seq: int
    at: datetime
    actor: str
    actor_org: str | None
    action: str
    object_type: str
    object_id: str
    before: str | None
    after: str | None
    reason: str | None
    prev_hash: str
    hash: str
    head_seq: int | None
    head_hash: str | None


class ChainHead(NamedTuple):
    """The last entry of one chain."""

    aggregate_type: str
    aggregate_id: str
    seq: int
    hash: str


class KeptHead(NamedTuple):
    """The chain head a row of a ``HEAD_HOLDERS`` table records."""

    aggregate_type: str
    id: str
    audit_seq: int
    audit_head: str


_ENTRY_COLUMNS = (
    _A.id, _A.aggregate_type, _A.aggregate_id, _A.seq, _A.at, _A.actor, _A.actor_org, _A.action, _A.object_type,
    _A.object_id, _A.before, _A.after, _A.reason, _A.prev_hash, _A.hash,
)


class AuditLog:
    """Queries of the audit log and its checkpoints, in the unit of work's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._dialect = session.get_bind().dialect.name

    def snapshot(self) -> None:
        """Make every later query of this (read-only) transaction see one snapshot; call it first."""
        if self._dialect == "postgresql":  # SQLite: a read transaction in WAL mode is a snapshot already
            self.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))

    def entries(self) -> Iterator[StoredEntry]:
        """Every entry, streamed, chain by chain (byte order of type and id), each chain by seq, with the head its
        aggregate's row records where one keeps it (``HEAD_HOLDERS``; at most one row matches an entry)."""
        holders = [(kind, table.alias(f"head_{i}")) for i, (kind, table) in enumerate(sorted(HEAD_HOLDERS.items()))]
        seqs = [t.c.audit_seq for _, t in holders]
        hashes = [t.c.audit_head for _, t in holders]
        query = select(*_ENTRY_COLUMNS, _first(seqs), _first(hashes))
        for kind, table in holders:
            query = query.outerjoin(table, and_(_A.aggregate_type == kind, table.c.id == _A.aggregate_id))
        query = query.order_by(self._bytewise(_A.aggregate_type), self._bytewise(_A.aggregate_id), _A.seq)
        for row in self.session.execute(query.execution_options(yield_per=STREAM_BATCH)):
            yield StoredEntry._make(row)

    def heads_without_chain(self) -> list[KeptHead]:
        """Rows of ``HEAD_HOLDERS`` tables that record a chain head although no entry of their chain is left."""
        queries = []
        for kind, table in sorted(HEAD_HOLDERS.items()):
            c = table.c
            has_entry = exists().where(_A.aggregate_type == kind, _A.aggregate_id == c.id)
            queries.append(select(literal(kind), c.id, c.audit_seq, c.audit_head)
                           .where(~has_entry, or_(c.audit_seq != 0, c.audit_head != GENESIS)))
        if not queries:
            return []
        return [KeptHead(*row) for row in self.session.execute(union_all(*queries))]

    def settled_boundary(self) -> int:
        """The highest entry id, read when no open transaction can still commit an entry with a lower id.

        Call it in a writing unit of work; the lock (PostgreSQL) is released when the unit of work ends.
        """
        if self._dialect == "postgresql":
            # Ids come from a sequence at INSERT but become visible at COMMIT, so a transaction still open may
            # commit an id below the highest visible one. SHARE mode waits for every open inserter to finish.
            try:
                self.session.execute(text(f"SET LOCAL lock_timeout = '{SEAL_LOCK_TIMEOUT}'"))
                self.session.execute(text(f"LOCK TABLE {_A.__tablename__} IN SHARE MODE"))
            except OperationalError:
                raise Unavailable(f"audit writers held the log longer than {SEAL_LOCK_TIMEOUT}; "
                                  "seal again later") from None
        # SQLite: a writing unit of work holds the one writer lock, so nothing else is open.
        return int(self.session.scalar(select(func.max(_A.id))) or 0)

    def heads(self, boundary: int) -> Iterator[ChainHead]:
        """The head of every chain among the entries with id <= ``boundary``, streamed in byte order."""
        last = (
            select(_A.aggregate_type, _A.aggregate_id, func.max(_A.seq).label("seq"))
            .where(_A.id <= boundary).group_by(_A.aggregate_type, _A.aggregate_id).subquery()
        )
        query = (
            select(_A.aggregate_type, _A.aggregate_id, _A.seq, _A.hash)
            .join(last, and_(_A.aggregate_type == last.c.aggregate_type,
                             _A.aggregate_id == last.c.aggregate_id, _A.seq == last.c.seq))
            .order_by(self._bytewise(_A.aggregate_type), self._bytewise(_A.aggregate_id))
        )
        for row in self.session.execute(query.execution_options(yield_per=STREAM_BATCH)):
            yield ChainHead(*row)

    def add_checkpoint(self, checkpoint: AuditCheckpoint) -> None:
        """Store a checkpoint."""
        self.session.add(checkpoint)

    def checkpoints(self) -> Sequence[AuditCheckpoint]:
        """Every checkpoint, oldest first."""
        return self.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()

    def latest_checkpoint(self) -> AuditCheckpoint | None:
        """The newest checkpoint."""
        return self.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).first()

    def search(
        self, *, aggregate_type: str | None, aggregate_id: str | None, action: str | None,
        since: datetime | None, until: datetime | None, limit: int, offset: int,
    ) -> tuple[Sequence[AuditEntry], int]:
        """Entries matching the filters (``until`` exclusive) and their total; one chain by seq, else newest first."""
        conditions: list[ColumnElement[bool]] = []
        for column, value in ((_A.aggregate_type, aggregate_type), (_A.aggregate_id, aggregate_id),
                              (_A.action, action)):
            if value is not None:
                conditions.append(column == value)
        if since is not None:
            conditions.append(_A.at >= since)
        if until is not None:
            conditions.append(_A.at < until)
        total = self.session.scalar(select(func.count()).select_from(_A).where(*conditions)) or 0
        order: tuple[Any, ...] = (_A.aggregate_type, _A.seq) if aggregate_id is not None else (_A.at.desc(),
                                                                                               _A.id.desc())
        rows = self.session.scalars(select(_A).where(*conditions).order_by(*order).limit(limit).offset(offset)).all()
        return rows, total

    def _bytewise(self, column: Any) -> Any:
        """``column`` compared byte by byte (UTF-8 byte order is code point order, as Python compares str)."""
        return column.collate("C" if self._dialect == "postgresql" else "BINARY")


def _first(columns: Sequence[Any]) -> Any:
    """The first non-null of ``columns`` (NULL when there are none)."""
    if not columns:
        return literal(None)
    return columns[0] if len(columns) == 1 else func.coalesce(*columns)


keeps_chain_head(INSTANCE, cast(Table, _I.__table__))
