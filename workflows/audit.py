"""Use cases of the audit trail (SV-2: every decision attributable in an append-only trail): verify, seal, read.

Each aggregate's entries form a hash chain (storage/audit.py); a checkpoint seals every chain head at once and is
signed with HMAC-SHA256 under YIBAO_SECRET_KEY, so a chain rewritten with recomputed hashes is still caught.
docs/audit.md explains the checks and why a checkpoint's boundary is an entry id, not a time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby

from domain.actors import Actor
from domain.errors import Conflict, InvalidInput
from domain.permissions import require
from storage.audit import GENESIS, HASHED_FIELDS, entry_hash
from storage.audit_repository import HEAD_HOLDERS, ChainHead, KeptHead, StoredEntry
from storage.models import AuditEntry
from storage.task_models import AuditCheckpoint

from . import clock
from .context import Services
from .views import Page

EDITED, DELETED, REORDERED, HEAD_MISMATCH = "edited", "deleted", "reordered", "head_mismatch"
CHECKPOINT_SIGNATURE, CHECKPOINT_MISMATCH = "checkpoint_signature", "checkpoint_mismatch"
MAX_PAGE = 200
_SIGNED = "yibao.audit.checkpoint.v1"  # domain separation: this key signs nothing else in this form


@dataclass(frozen=True)
class Problem:
    """One place where the log is no longer as it was written."""

    aggregate_type: str
    aggregate_id: str
    seq: int | None
    kind: str
    detail: str

    def line(self) -> str:
        """The problem as one line of text."""
        seq = f" seq {self.seq}" if self.seq is not None else ""
        return f"{self.kind}: {self.aggregate_type}/{self.aggregate_id}{seq}: {self.detail}"


@dataclass
class AuditReport:
    """What verify checked and every problem it found."""

    chains: int = 0
    entries: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems


@dataclass(frozen=True)
class CheckpointView:
    """A signed seal over every chain head among the entries with id <= ``last_entry_id``."""

    id: int
    at: datetime
    chains: int
    last_entry_id: int
    heads_digest: str
    signature: str
    created: bool


@dataclass(frozen=True)
class AuditEntryView:
    """One audit entry as an auditor reads it; before/after are the stored (hashed) JSON text."""

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


# --- hashing and signing --------------------------------------------------------------------------------
def recompute(entry: StoredEntry, seq: int | None = None) -> str:
    """The entry's hash recomputed from its stored fields (as if written at ``seq`` when given)."""
    fields = {k: getattr(entry, k) for k in HASHED_FIELDS}
    if seq is not None:
        fields["seq"] = seq
    return entry_hash(entry.prev_hash, fields)


class HeadsDigest:
    """SHA-256 over chain heads given in byte order of (aggregate type, aggregate id): a checkpoint's digest."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._last: tuple[str, str] | None = None
        self.chains = 0

    def add(self, head: ChainHead) -> None:
        """Take the next chain's head."""
        key = (head.aggregate_type, head.aggregate_id)
        if self._last is not None and key <= self._last:
            raise Conflict(f"chain heads out of byte order at {key}; the digest would not be reproducible",
                           code="chain_heads_unordered")
        line = json.dumps([head.aggregate_type, head.aggregate_id, head.seq, head.hash], ensure_ascii=False)
        self._sha.update(line.encode() + b"\n")
        self._last, self.chains = key, self.chains + 1

    def hexdigest(self) -> str:
        """The digest of the heads given so far."""
        return self._sha.hexdigest()


def checkpoint_signature(key: str, at: datetime, chains: int, last_entry_id: int, heads_digest: str) -> str:
    """HMAC-SHA256 under ``key`` over a checkpoint's fields (its row id is only a row number)."""
    message = json.dumps([_SIGNED, at.astimezone(UTC).isoformat(), chains, last_entry_id, heads_digest])
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


# --- checks of one chain --------------------------------------------------------------------------------
def check_chain(chain: Sequence[StoredEntry]) -> list[Problem]:
    """What was edited, deleted or reordered in one chain, given its entries in seq order."""
    problems: list[Problem] = []
    seqs = {e.seq for e in chain}
    prev_hash, expected, prev_flagged = GENESIS, 1, False
    for entry in chain:
        found: list[Problem] = []
        if entry.seq > expected:
            gap = f"seq {expected}" + (f" to {entry.seq - 1} are" if entry.seq > expected + 1 else " is")
            found.append(_problem(entry, expected, DELETED, f"{gap} missing; the chain goes on at seq {entry.seq}"))
        if recompute(entry) != entry.hash:
            found.append(_edited_or_moved(entry, seqs | {expected}))
        elif entry.prev_hash != prev_hash and not found and not prev_flagged:
            # The entry is intact but does not link to the one before: that one's hash was recomputed.
            found.append(_problem(entry, max(entry.seq - 1, 1), EDITED,
                                  f"rewritten: seq {entry.seq}'s prev_hash no longer matches the hash before it"))
        problems += found
        prev_hash, expected, prev_flagged = entry.hash, entry.seq + 1, bool(found)
    return problems


def _edited_or_moved(entry: StoredEntry, seqs: set[int]) -> Problem:
    """An entry whose fields no longer give its hash: moved to another seq, or edited."""
    for seq in sorted(seqs - {entry.seq}):
        if recompute(entry, seq) == entry.hash:
            return _problem(entry, entry.seq, REORDERED, f"written as seq {seq}, now stored at seq {entry.seq}")
    return _problem(entry, entry.seq, EDITED, "its fields no longer give its hash")


def check_head(chain: Sequence[StoredEntry]) -> list[Problem]:
    """For a chain whose aggregate's row keeps its head (an instance, an annual account: ``HEAD_HOLDERS``): that
    head is the chain's last entry."""
    last = chain[-1]
    holder = HEAD_HOLDERS.get(last.aggregate_type)
    if holder is None:
        return []
    if last.head_seq is None:
        return [_problem(last, last.seq, HEAD_MISMATCH, f"no {holder.name} row holds this chain")]
    if (last.head_seq, last.head_hash) != (last.seq, last.hash):
        return [_problem(last, last.head_seq, HEAD_MISMATCH,
                         f"the {holder.name} row records seq {last.head_seq} ({(last.head_hash or '')[:12]}) as the "
                         f"head; the chain ends at seq {last.seq} ({last.hash[:12]})")]
    return []


def _problem(entry: StoredEntry, seq: int | None, kind: str, detail: str) -> Problem:
    return Problem(entry.aggregate_type, entry.aggregate_id, seq, kind, detail)


def _missing_chain(row: KeptHead) -> Problem:
    holder = HEAD_HOLDERS[row.aggregate_type].name
    return Problem(row.aggregate_type, row.id, row.audit_seq, HEAD_MISMATCH,
                   f"the {holder} row records seq {row.audit_seq} as the head; no entry of its chain is left")


# --- checks of the checkpoints --------------------------------------------------------------------------
class _Seals:
    """Recomputes the digest of every correctly signed checkpoint while the chains stream past in byte order."""

    def __init__(self, checkpoints: Iterable[AuditCheckpoint]) -> None:
        self._sealed = sorted(checkpoints, key=lambda c: c.entries)
        self._digests = [HeadsDigest() for _ in self._sealed]

    def add(self, chain: Sequence[StoredEntry]) -> None:
        """Give each checkpoint the chain's head among the entries it covers (id <= its boundary)."""
        by_id = sorted(chain, key=lambda e: e.id)
        i, head = 0, None
        for checkpoint, digest in zip(self._sealed, self._digests, strict=True):
            while i < len(by_id) and by_id[i].id <= checkpoint.entries:
                head = by_id[i] if head is None or by_id[i].seq > head.seq else head
                i += 1
            if head is not None:
                digest.add(ChainHead(head.aggregate_type, head.aggregate_id, head.seq, head.hash))

    def problems(self) -> list[Problem]:
        """Checkpoints whose heads are no longer in the log as sealed."""
        return [
            Problem("checkpoint", str(c.id), None, CHECKPOINT_MISMATCH,
                    f"sealed {c.chains} chain heads up to entry id {c.entries}; the log now gives {d.chains} "
                    "and another digest: sealed entries were rewritten or removed")
            for c, d in zip(self._sealed, self._digests, strict=True)
            if (d.chains, d.hexdigest()) != (c.chains, c.heads_digest)
        ]


def _signed(key: str, checkpoints: Sequence[AuditCheckpoint], report: AuditReport) -> list[AuditCheckpoint]:
    """The checkpoints whose signature holds; a problem for each other one."""
    good = []
    for c in checkpoints:
        expected = checkpoint_signature(key, c.at, c.chains, c.entries, c.heads_digest)
        if hmac.compare_digest(expected.encode(), c.signature.encode()):  # any forged text compares
            good.append(c)
        else:
            report.problems.append(Problem("checkpoint", str(c.id), None, CHECKPOINT_SIGNATURE,
                                           "its signature does not match its fields under YIBAO_SECRET_KEY"))
    report.checkpoints = len(checkpoints)
    return good


# --- use cases ------------------------------------------------------------------------------------------
def verify(services: Services) -> AuditReport:
    """Check every chain entry by entry, each instance row's head, and every checkpoint (SV-2)."""
    report = AuditReport()
    with services.uow(read_only=True) as uow:
        log = uow.audit_log
        log.snapshot()
        seals = _Seals(_signed(services.settings.secret_key, log.checkpoints(), report))
        for chain in _chains(log.entries()):
            report.chains += 1
            report.entries += len(chain)
            report.problems += check_chain(chain) + check_head(chain)
            seals.add(chain)
        report.problems += seals.problems()
        report.problems += [_missing_chain(row) for row in log.heads_without_chain()]
    return report


def verify_for(services: Services, actor: Actor) -> AuditReport:
    """:func:`verify` for an auditor or administrator (SV-2), as the console's audit page runs it."""
    require(actor, "audit.read")
    return verify(services)


def _chains(entries: Iterable[StoredEntry]) -> Iterator[list[StoredEntry]]:
    for _, chain in groupby(entries, key=lambda e: (e.aggregate_type, e.aggregate_id)):
        yield list(chain)


def seal(services: Services) -> CheckpointView:
    """Seal every chain head into a checkpoint signed with YIBAO_SECRET_KEY (the latest one when nothing is new)."""
    with services.uow() as uow:  # held only while open audit writers finish; released unwritten
        boundary = uow.audit_log.settled_boundary()
    digest = HeadsDigest()
    with services.uow(read_only=True) as uow:
        log = uow.audit_log
        latest = log.latest_checkpoint()
        if latest is not None and latest.entries == boundary:
            return _checkpoint_view(latest, created=False)
        for head in log.heads(boundary):
            digest.add(head)
    with services.uow() as uow:
        at = clock.now(services, uow)
        signature = checkpoint_signature(services.settings.secret_key, at, digest.chains, boundary,
                                         digest.hexdigest())
        row = AuditCheckpoint(at=at, chains=digest.chains, entries=boundary, heads_digest=digest.hexdigest(),
                              signature=signature)
        uow.audit_log.add_checkpoint(row)
        uow.flush()
        uow.commit()
        return _checkpoint_view(row, created=True)


def _checkpoint_view(row: AuditCheckpoint, created: bool) -> CheckpointView:
    return CheckpointView(row.id, row.at, row.chains, row.entries, row.heads_digest, row.signature, created)


def read_audit(
    services: Services, actor: Actor, aggregate_type: str | None = None, aggregate_id: str | None = None,
    action: str | None = None, since: datetime | None = None, until: datetime | None = None, limit: int = 50,
    offset: int = 0,
) -> Page:
    """Audit entries for auditors and administrators: one chain by seq, or everything newest first."""
    require(actor, "audit.read")
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput("the time must carry a timezone offset", code="naive_datetime", field=name)
    limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
    with services.uow(read_only=True) as uow:
        rows, total = uow.audit_log.search(
            aggregate_type=aggregate_type, aggregate_id=aggregate_id, action=action, since=since, until=until,
            limit=limit, offset=offset,
        )
        return Page([_entry_view(r) for r in rows], total, limit, offset)


def _entry_view(e: AuditEntry) -> AuditEntryView:
    return AuditEntryView(e.aggregate_type, e.aggregate_id, e.seq, e.at, e.actor, e.actor_org, e.action,
                          e.object_type, e.object_id, e.before, e.after, e.reason, e.prev_hash, e.hash)
