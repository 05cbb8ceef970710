"""`yibao audit verify` and `seal` on both backends, over entries written by the real use cases.

SV-2 (POLICY.md): every decision is attributable — who, when, what, why — in an append-only audit trail; these
tests tamper with the stored trail the way someone with database access could, and expect each change found.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from api.cli_audit import audit
from domain.actors import SYSTEM, Actor
from domain.dates import CHINA_TZ
from domain.errors import Forbidden
from storage.audit import HASHED_FIELDS, entry_hash
from workflows import audit as audit_trail
from workflows import clock, definitions, instances, tasks
from workflows.audit import (
    CHECKPOINT_MISMATCH,
    CHECKPOINT_SIGNATURE,
    DELETED,
    EDITED,
    HEAD_MISMATCH,
    REORDERED,
)
from workflows.context import Services, build_services
from workflows.registration import register, settlement
from workflows.registration.register import RegistrationInput
from workflows.registration.settlement import DispensingInput

from ..conftest import diagram_form_texts, diagram_text, make_settings
from ..factories import build_world
from ..registration_world import DRUG, PSN, build_registration_world, patient, record

CODE = "C09100100000000211790000049"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=CHINA_TZ)  # the simulated clock in +08:00; entries keep UTC


@pytest.fixture
def instance_id(services: Services) -> str:
    """An instance whose chain has five entries: started, claimed, unclaimed, claimed, task completed."""
    world = build_world(services)
    clock.set_clock(services, SYSTEM, NOW)
    definitions.deploy(services, SYSTEM, diagram_text(), "foundation.bpmn", diagram_form_texts())
    officer = Actor(world.users["h1_officer"], world.orgs["h1"], frozenset({"hospital_officer"}), "h1_officer")
    started = instances.start_instance(services, officer, "foundation_demo", {})
    task_id = started.tasks[0].id
    tasks.claim(services, officer, task_id)
    tasks.unclaim(services, officer, task_id)
    tasks.claim(services, officer, task_id)
    tasks.complete(services, officer, task_id, {"code": CODE, "amount": 300})
    assert [e.action for e in read_chain(services, started.id)][-1] == "task.completed:submit"
    return started.id


def read_chain(services: Services, aggregate_id: str) -> list[Any]:
    return audit_trail.read_audit(services, SYSTEM, "instance", aggregate_id, limit=200).items


def run_sql(services: Services, *statements: str, **params: Any) -> None:
    with services.db.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def problems(report: audit_trail.AuditReport) -> set[tuple[str, int | None, str]]:
    return {(p.aggregate_type, p.seq, p.kind) for p in report.problems}


def rewrite_from(services: Services, instance_id: str, seq: int, **changes: Any) -> None:
    """Change an entry and recompute every hash after it, and the instance row's head: a consistent forgery."""
    entries = read_chain(services, instance_id)
    prev = entries[seq - 2].hash if seq > 1 else "0" * 64
    for entry in entries[seq - 1:]:
        values = {k: getattr(entry, k) for k in HASHED_FIELDS} | (changes if entry.seq == seq else {})
        digest = entry_hash(prev, values)
        run_sql(services, "UPDATE audit_log SET reason = :reason, prev_hash = :prev, hash = :hash "
                "WHERE aggregate_type = 'instance' AND aggregate_id = :id AND seq = :seq",
                reason=values["reason"], prev=prev, hash=digest, id=instance_id, seq=entry.seq)
        prev = digest
    run_sql(services, "UPDATE process_instances SET audit_head = :head WHERE id = :id", head=prev, id=instance_id)


def test_a_trail_written_by_the_use_cases_verifies_clean(services: Services, instance_id: str) -> None:
    report = audit_trail.verify(services)
    assert report.ok, [p.line() for p in report.problems]
    with services.db.connect() as conn:
        stored = conn.execute(text("SELECT count(*), count(DISTINCT aggregate_type || '/' || aggregate_id) "
                                   "FROM audit_log")).one()
    assert (report.entries, report.chains) == tuple(stored)
    assert len(read_chain(services, instance_id)) == 5


ENTRY = "FROM audit_log WHERE aggregate_type = 'instance' AND aggregate_id = :id"
SEQ = "UPDATE audit_log SET seq = {to} WHERE aggregate_type = 'instance' AND aggregate_id = :id AND seq = {seq}"


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        pytest.param([f"UPDATE audit_log SET reason = 'x' WHERE id = (SELECT id {ENTRY} AND seq = 2)"],
                     {("instance", 2, EDITED)}, id="edited"),
        pytest.param([f"DELETE {ENTRY} AND seq = 3"], {("instance", 3, DELETED)}, id="deleted"),
        pytest.param([SEQ.format(to=-2, seq=2), SEQ.format(to=2, seq=3), SEQ.format(to=3, seq=-2)],
                     {("instance", 2, REORDERED), ("instance", 3, REORDERED)}, id="reordered"),
        pytest.param([f"DELETE {ENTRY} AND seq = 5"], {("instance", 5, HEAD_MISMATCH)}, id="last-deleted"),
        pytest.param([f"DELETE {ENTRY}"], {("instance", 5, HEAD_MISMATCH)}, id="chain-deleted"),
    ],
)
def test_tampering_with_an_instance_chain_is_found_where_it_happened(
    services: Services, instance_id: str, statements: list[str], expected: set[tuple[str, int, str]]
) -> None:
    run_sql(services, *statements, id=instance_id)
    report = audit_trail.verify(services)
    assert problems(report) == expected, [p.line() for p in report.problems]
    assert {p.aggregate_id for p in report.problems} == {instance_id}


def test_an_edited_entry_of_another_aggregate_is_found(services: Services, instance_id: str) -> None:
    run_sql(services, "UPDATE audit_log SET actor = 'someone-else' WHERE aggregate_type = 'definition'")
    assert problems(audit_trail.verify(services)) == {("definition", 1, EDITED)}


def test_a_checkpoint_verifies_and_sealing_without_new_entries_keeps_it(
    services: Services, instance_id: str
) -> None:
    first = audit_trail.seal(services)
    assert first.created and first.chains == audit_trail.verify(services).chains
    again = audit_trail.seal(services)
    assert (again.id, again.created) == (first.id, False)
    clock.set_clock(services, SYSTEM, NOW)  # one more entry: the next seal is a new checkpoint
    assert audit_trail.seal(services).created
    report = audit_trail.verify(services)
    assert report.ok and report.checkpoints == 2, [p.line() for p in report.problems]


@pytest.mark.parametrize("forgery", ["rewritten", "truncated"])
def test_a_chain_forged_consistently_after_sealing_is_caught_by_the_checkpoint(
    services: Services, instance_id: str, forgery: str
) -> None:
    checkpoint = audit_trail.seal(services)
    if forgery == "rewritten":
        rewrite_from(services, instance_id, 2, reason="nothing happened here")
    else:
        fourth = read_chain(services, instance_id)[3]
        run_sql(services, f"DELETE {ENTRY} AND seq = 5", id=instance_id)
        run_sql(services, "UPDATE process_instances SET audit_seq = 4, audit_head = :head WHERE id = :id",
                head=fourth.hash, id=instance_id)
    for _ in range(2):  # new entries (SQLite gives the deleted highest id to the first one again)
        clock.set_clock(services, SYSTEM, NOW)
    assert audit_trail.seal(services).created  # a later seal of the forged log does not hide it
    report = audit_trail.verify(services)
    assert problems(report) == {("checkpoint", None, CHECKPOINT_MISMATCH)}, [p.line() for p in report.problems]
    assert report.problems[0].aggregate_id == str(checkpoint.id)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_checkpoints SET signature = :forged", "UPDATE audit_checkpoints SET entries = entries - 1",
     "UPDATE audit_checkpoints SET heads_digest = :forged"],
)
def test_a_tampered_checkpoint_is_caught_by_its_signature(
    services: Services, instance_id: str, statement: str
) -> None:
    audit_trail.seal(services)
    run_sql(services, statement, forged="f" * 64)
    assert problems(audit_trail.verify(services)) == {("checkpoint", None, CHECKPOINT_SIGNATURE)}


def test_checkpoints_verify_only_under_the_key_that_signed_them(services: Services, instance_id: str) -> None:
    audit_trail.seal(services)
    other = build_services(make_settings(services.settings.database_url, secret_key="another key"))
    try:
        assert problems(audit_trail.verify(other)) == {("checkpoint", None, CHECKPOINT_SIGNATURE)}
    finally:
        other.dispose()


def test_the_command_exits_1_with_one_line_per_problem(services: Services, instance_id: str) -> None:
    env = {"YIBAO_DATABASE_URL": services.settings.database_url, "YIBAO_ENV": "test",
           "YIBAO_SECRET_KEY": services.settings.secret_key}
    sealed = CliRunner().invoke(audit, ["seal"], env=env)
    assert sealed.exit_code == 0 and "sealed" in sealed.output, sealed.output
    clean = CliRunner().invoke(audit, ["verify"], env=env)
    assert clean.exit_code == 0 and "no problems" in clean.output, clean.output
    run_sql(services, f"UPDATE audit_log SET reason = 'x' WHERE id = (SELECT id {ENTRY} AND seq = 2)",
            f"DELETE {ENTRY} AND seq = 4", id=instance_id)
    result = CliRunner().invoke(audit, ["verify"], env=env)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert "2 problem(s)" in lines[0]
    assert sorted(lines[1:]) == sorted([f"edited: instance/{instance_id} seq 2: its fields no longer give its hash",
                                        f"deleted: instance/{instance_id} seq 4: seq 4 is missing; the chain goes "
                                        "on at seq 5"])


def test_auditors_read_the_trail_and_others_may_not(services: Services, instance_id: str) -> None:
    auditor = Actor("a-1", None, frozenset({"auditor"}), "auditor")
    chain = audit_trail.read_audit(services, auditor, "instance", instance_id)
    assert [e.seq for e in chain.items] == [1, 2, 3, 4, 5] and chain.total == 5
    claims = audit_trail.read_audit(services, auditor, action="task.claimed:submit", since=NOW)
    assert claims.total == 2 and all(e.aggregate_id == instance_id for e in claims.items)
    assert audit_trail.read_audit(services, auditor, until=NOW).total == 0  # simulated time: all entries at NOW
    with pytest.raises(Forbidden):
        audit_trail.read_audit(services, Actor("h-1", "org", frozenset({"hospital_officer"})))


@pytest.mark.postgres
def test_seal_waits_for_audit_writers_still_open_on_postgresql(postgres_services: Services) -> None:
    """An entry whose id is below the boundary but commits after the seal began is sealed, not left out."""
    services = postgres_services
    with services.uow() as slow:
        slow.audit.append(aggregate_type="probe", aggregate_id="slow", at=datetime.now(UTC),
                          actor="test", actor_org=None, action="probe", object_type="probe", object_id="slow")
        slow.flush()  # its id is taken now, below the next writer's
        clock.set_clock(services, SYSTEM, NOW)  # another writer commits a higher id meanwhile
        sealing = threading.Thread(target=audit_trail.seal, args=(services,))
        sealing.start()
        time.sleep(0.5)
        assert sealing.is_alive()  # waiting for the open writer
        slow.commit()
    sealing.join(10)
    report = audit_trail.verify(services)
    assert report.ok and report.checkpoints == 1, [p.line() for p in report.problems]


@pytest.fixture
def account_id(services: Services) -> str:
    """An annual account whose chain has two settlements (ND-9): its row keeps the head, as an instance row does."""
    world = build_registration_world(services)
    register.register(services, world["h1_doctor"], RegistrationInput(patient(), DRUG, record()))
    for ref in ("RX-1", "RX-2"):
        settlement.dispense(services, world["h1_officer"],
                            DispensingInput(PSN, DRUG, "D520102000001", "56", "1000.00", ref))
    with services.db.connect() as conn:
        found: str = conn.execute(text("SELECT id FROM annual_accounts")).scalar_one()
    assert audit_trail.verify(services).ok
    return found


ACCOUNT_ENTRY = "FROM audit_log WHERE aggregate_type = 'annual_account' AND aggregate_id = :id"


@pytest.mark.parametrize(
    ("statements", "seq"),
    [
        pytest.param([f"DELETE {ACCOUNT_ENTRY} AND seq = 2"], 2, id="last-deleted"),
        pytest.param([f"DELETE {ACCOUNT_ENTRY}"], 2, id="chain-deleted"),
        pytest.param(["UPDATE annual_accounts SET audit_seq = 1 WHERE id = :id"], 1, id="row-head-edited"),
    ],
)
def test_nd9_sv2_tampering_with_an_annual_accounts_chain_or_its_kept_head_is_found(
    services: Services, account_id: str, statements: list[str], seq: int
) -> None:
    run_sql(services, *statements, id=account_id)
    report = audit_trail.verify(services)
    assert problems(report) == {("annual_account", seq, HEAD_MISMATCH)}, [p.line() for p in report.problems]
    assert {p.aggregate_id for p in report.problems} == {account_id}
    assert all("annual_accounts row" in p.detail for p in report.problems)
