"""The audit hash chain and its checks, without a database (SV-2: every decision attributable, append-only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import Conflict
from storage.audit import GENESIS, HASHED_FIELDS, entry_hash, to_json
from storage.audit_repository import ChainHead, StoredEntry
from workflows.audit import (
    DELETED,
    EDITED,
    REORDERED,
    HeadsDigest,
    check_chain,
    checkpoint_signature,
    recompute,
)

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
KEY = "test-key"


def fields(seq: int, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "aggregate_type": "definition", "aggregate_id": "foundation_demo", "seq": seq,
        "at": T0 + timedelta(minutes=seq), "actor": "u-1", "actor_org": "org-1", "action": "definition.deployed",
        "object_type": "process_definition", "object_id": f"d-{seq}", "before": None,
        "after": to_json({"version": seq, "名称": "气管支架"}), "reason": None,
    }
    return values | changes


def chain(n: int = 5) -> list[StoredEntry]:
    """A chain of ``n`` entries hashed as the writing code does."""
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        digest = entry_hash(prev, fields(seq))
        entries.append(StoredEntry(id=seq * 10, **fields(seq), prev_hash=prev, hash=digest, head_seq=None,
                                   head_hash=None))
        prev = digest
    return entries


def found(problems: list[Any]) -> list[tuple[int | None, str]]:
    return [(p.seq, p.kind) for p in problems]


def test_entry_hash_is_deterministic_and_ignores_key_order() -> None:
    values = fields(1)
    assert entry_hash(GENESIS, values) == entry_hash(GENESIS, dict(reversed(list(values.items()))))
    assert len(entry_hash(GENESIS, values)) == 64


@pytest.mark.parametrize("name", HASHED_FIELDS)
def test_changing_any_hashed_field_changes_the_hash(name: str) -> None:
    values = fields(1)
    other = {"seq": 2, "at": values["at"] + timedelta(microseconds=1)}.get(name, f"{values[name]}x")
    assert entry_hash(GENESIS, {**values, name: other}) != entry_hash(GENESIS, values)


def test_the_previous_hash_is_part_of_the_hash() -> None:
    assert entry_hash(GENESIS, fields(1)) != entry_hash("1" * 64, fields(1))


def test_an_intact_chain_has_no_problems_and_recomputes_to_its_hashes() -> None:
    entries = chain()
    assert check_chain(entries) == []
    assert all(recompute(e) == e.hash for e in entries)


def test_an_edited_entry_is_reported_as_edited() -> None:
    entries = chain()
    entries[2] = entries[2]._replace(reason="changed afterwards")
    assert found(check_chain(entries)) == [(3, EDITED)]


def test_a_deleted_entry_is_reported_with_the_missing_seq() -> None:
    entries = chain()
    del entries[1]
    assert found(check_chain(entries)) == [(2, DELETED)]
    assert found(check_chain(chain()[2:])) == [(1, DELETED)]


def test_two_entries_that_swapped_places_are_reported_as_reordered() -> None:
    entries = chain()
    second, third = entries[1], entries[2]
    entries[1], entries[2] = third._replace(seq=2), second._replace(seq=3)
    problems = check_chain(entries)
    assert found(problems) == [(2, REORDERED), (3, REORDERED)]
    assert "written as seq 3" in problems[0].detail


def test_an_entry_rewritten_with_a_recomputed_hash_is_caught_by_the_next_link() -> None:
    entries = chain()
    forged = entries[1]._replace(reason="forged")
    entries[1] = forged._replace(hash=recompute(forged))
    assert found(check_chain(entries)) == [(2, EDITED)]


def test_the_checkpoint_signature_covers_every_field_and_the_key() -> None:
    base = (T0, 3, 120, "a" * 64)
    signature = checkpoint_signature(KEY, *base)
    assert signature == checkpoint_signature(KEY, T0.astimezone(UTC), 3, 120, "a" * 64)
    variants = [(T0 + timedelta(microseconds=1), 3, 120, "a" * 64), (T0, 4, 120, "a" * 64),
                (T0, 3, 121, "a" * 64), (T0, 3, 120, "b" * 64)]
    assert all(checkpoint_signature(KEY, *v) != signature for v in variants)
    assert checkpoint_signature("another-key", *base) != signature


def test_the_heads_digest_takes_heads_in_byte_order_only() -> None:
    digest = HeadsDigest()
    digest.add(ChainHead("instance", "0a-1", 3, "a" * 64))
    digest.add(ChainHead("instance", "0a1", 1, "b" * 64))  # '-' sorts before '1' byte-wise
    assert digest.chains == 2
    with pytest.raises(Conflict) as refused:
        digest.add(ChainHead("definition", "x", 1, "c" * 64))
    assert refused.value.code == "chain_heads_unordered"


def test_the_heads_digest_depends_on_every_head() -> None:
    def digest_of(*heads: ChainHead) -> str:
        d = HeadsDigest()
        for head in heads:
            d.add(head)
        return d.hexdigest()

    head = ChainHead("clock", "clock", 2, "a" * 64)
    assert digest_of(head) == digest_of(head)
    assert digest_of(head) != digest_of(head._replace(seq=3))
    assert digest_of(head) != digest_of(head._replace(hash="b" * 64))


def test_entry_hash_and_stored_json_keep_the_canonical_form_of_chains_already_written() -> None:
    # Digests of entries already stored must verify forever: these values were computed by the first version.
    after = to_json({"status": "waiting", "active": ["wait_ack", "审核"], "amount": Decimal("12.50"),
                     "on": datetime(2026, 1, 2, tzinfo=UTC)})
    assert after == ('{"active": ["wait_ack", "审核"], "amount": "12.50", "on": "2026-01-02 00:00:00+00:00", '
                     '"status": "waiting"}')
    values = {
        "aggregate_type": "instance", "aggregate_id": "i-1", "seq": 3,
        "at": datetime(2026, 11, 24, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=8))), "actor": "张三",
        "actor_org": None, "action": "task.completed:submit", "object_type": "process_instance", "object_id": "i-1",
        "before": to_json({"status": "waiting"}), "after": after, "reason": "因为",
    }
    assert entry_hash(GENESIS, values) == "6dcc40b521c03d008764b0e835969c9a257a35d0adf402005159e98f89b0d46a"
