"""Races of the registration settled by PostgreSQL with real concurrent connections (ND-3, ND-9, ND-11)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from domain.actors import SYSTEM
from domain.errors import PolicyViolation
from storage.models import AuditEntry
from storage.registration import Registrations
from storage.registration_models import AnnualAccount, Dispensing
from workflows import audit
from workflows.context import Services, build_services
from workflows.registration import amend, drug_list, register, settlement
from workflows.registration.drug_list import DrugInput
from workflows.registration.register import RegistrationInput
from workflows.registration.settlement import DispensingInput
from workflows.registration.views import DispensingView, RegistrationView

from ..concurrency import at_once
from ..conftest import make_settings
from ..registration_world import DRUG, PSN, RegWorld, build_registration_world, patient, record

pytestmark = pytest.mark.postgres
PHYSICIAN = "D520102000001"


def one_each(*names: str) -> Callable[[Services], str]:
    """Give each contender (its own services) the next of ``names``."""
    lock, chosen = threading.Lock(), {}

    def pick(services: Services) -> str:
        with lock:
            return chosen.setdefault(id(services), names[len(chosen) % len(names)])

    return pick


@pytest.fixture
def world(postgres_services: Services) -> RegWorld:
    return build_registration_world(postgres_services)


def assert_account_chain_whole(services: Services, entries: int) -> None:
    """The account's audit chain has one entry per settlement, verifies, and ends at the head its row keeps."""
    assert audit.verify(services).ok
    with services.uow(read_only=True) as uow:
        account = uow.session.scalars(select(AnnualAccount)).one()
        chain = uow.session.scalars(select(AuditEntry).where(
            AuditEntry.aggregate_type == "annual_account", AuditEntry.aggregate_id == account.id)
            .order_by(AuditEntry.seq)).all()
    assert [e.seq for e in chain] == list(range(1, entries + 1))
    assert (account.audit_seq, account.audit_head) == (chain[-1].seq, chain[-1].hash)


def test_nd3_two_hospitals_registering_one_patient_at_once_exactly_one_wins(
    postgres_services: Services, postgres_url: str, world: RegWorld
) -> None:
    by_constraint = 0
    for n in range(4):
        psn_no = f"5201000000000000010{n}"
        doctor = one_each("h1_doctor", "h3_doctor")  # two hospitals, one patient
        outcomes = at_once(2, postgres_url, lambda services, p=psn_no, pick=doctor: register.register(
            services, world[pick(services)], RegistrationInput(patient(p), DRUG, record())))
        winners = [o for o in outcomes if isinstance(o, RegistrationView)]
        losers = [o for o in outcomes if isinstance(o, PolicyViolation)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        assert losers[0].rule == "ND-3"
        by_constraint += losers[0].code == "already_registered"
    print(f"\nND-3 races settled by the unique index: {by_constraint} of 4")


def test_nd9_two_concurrent_dispensings_never_together_exceed_the_annual_limit(
    postgres_services: Services, postgres_url: str, world: RegWorld
) -> None:
    register.register(postgres_services, world["h1_doctor"], RegistrationInput(patient(), DRUG, record()))
    outcomes = at_once(4, postgres_url, lambda services: settlement.dispense(
        services, world["h1_officer"], DispensingInput(PSN, DRUG, PHYSICIAN, "56", "8000.00",
                                                       f"RX-{id(services)}")))
    settled = [o for o in outcomes if isinstance(o, DispensingView)]
    refused = [o for o in outcomes if isinstance(o, PolicyViolation)]
    assert len(settled) + len(refused) == 4, outcomes
    paid = sum((o.fund for o in settled), Decimal("0"))
    assert paid == Decimal("13000.00")  # the limit, reached exactly and never passed
    assert all(o.rule == "ND-9" for o in refused)
    with postgres_services.uow(read_only=True) as uow:
        assert uow.session.scalar(select(AnnualAccount.fund_paid)) == paid
        assert uow.session.scalar(select(func.sum(Dispensing.fund))) == paid
    assert_account_chain_whole(postgres_services, len(settled))


def test_nd11_concurrent_retries_of_one_external_reference_pay_once(
    postgres_services: Services, postgres_url: str, world: RegWorld
) -> None:
    register.register(postgres_services, world["h1_doctor"], RegistrationInput(patient(), DRUG, record()))
    outcomes = at_once(4, postgres_url, lambda services: settlement.dispense(
        services, world["h1_officer"], DispensingInput(PSN, DRUG, PHYSICIAN, "56", "3000.00", "RX-RETRY")))
    assert all(isinstance(o, DispensingView) for o in outcomes), outcomes
    assert len({o.id for o in outcomes}) == 1
    assert sorted(o.replayed for o in outcomes) == [False, True, True, True]
    with postgres_services.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Dispensing)) == 1
        assert uow.session.scalar(select(AnnualAccount.fund_paid)) == Decimal("1875.00")
    assert_account_chain_whole(postgres_services, 1)


def test_nd12_the_ending_batch_skips_a_registration_another_transaction_holds_and_ends_it_later(
    postgres_services: Services, world: RegWorld
) -> None:
    ids = [register.register(postgres_services, world["h1_doctor"], RegistrationInput(
        patient(f"5201000000000000020{n}"), DRUG, record())).id for n in range(3)]
    drug_list.save_drug(postgres_services, SYSTEM, 10, DrugInput(
        name=DRUG, dosage_form="口服常释剂型", restriction="限类风湿关节炎，并需风湿病专科医师处方。",
        annual_limit="13000.00", agreement_start=date(2024, 1, 1), agreement_end=date(2026, 8, 30),
        required_specialty="rheumatology"))
    holder = postgres_services.uow().__enter__()
    assert holder.repository(Registrations).get(ids[0], lock=True) is not None  # another transaction holds it
    try:
        first = drug_list.end_registrations_of_ended_drugs(postgres_services, SYSTEM, batch_size=1)
    finally:
        holder.session.close()
    assert (first.ended, first.batches) == (2, 2)  # the held row was skipped, not waited for
    second = drug_list.end_registrations_of_ended_drugs(postgres_services, SYSTEM)
    assert (second.ended, second.batches) == (1, 1)
    with postgres_services.uow(read_only=True) as uow:
        rows = [uow.repository(Registrations).get(i) for i in ids]
        assert {(r.status, r.end_reason) for r in rows if r is not None} == {("ended", "agreement_ended")}


def _in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # returned to the test, which asserts on it
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until_blocked(services: Services, seconds: float = 20) -> None:
    """Until some other backend waits for a lock (the contender reached its first lock wait)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with services.db.connect() as conn:
            waiting = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            ).scalar_one()
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the contender never waited for a lock")


def test_nd8_an_update_waits_for_an_engine_step_of_its_instance_instead_of_deadlocking(
    postgres_services: Services, postgres_url: str, world: RegWorld
) -> None:
    """Every engine step (queue, timer worker) locks the instance, then writes the registration row (projector);
    the registration's own use cases take the same order, so one waits for the other and both succeed."""
    made = register.register(postgres_services, world["h1_doctor"], RegistrationInput(patient(), DRUG, record()))
    assert made.instance_id is not None
    contender = build_services(make_settings(postgres_url))
    step = postgres_services.uow().__enter__()  # an engine step of the instance, as the worker's
    thread: threading.Thread | None = None
    try:
        step.store.lock([made.instance_id])
        changed = record(prescription={"dose": "10 mg", "frequency": "每日2次", "quantity_per_fill": "56"})
        thread, outcome = _in_thread(lambda: amend.update_registration(
            contender, world["h1_doctor"], made.id, changed, "剂量调整"))
        _wait_until_blocked(postgres_services)
        row = step.repository(Registrations).get(made.id, lock=True)  # the projector writes the row
        assert row is not None
        row.updated_at = row.updated_at
        step.commit()
    finally:
        step.__exit__(None, None, None)
        if thread is not None:
            thread.join(30)
        contender.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], RegistrationView), outcome
    assert outcome[0].prescription.dose == "10 mg"


def test_nd12_the_ending_batch_leaves_a_registration_whose_instance_is_busy_to_the_next_batch(
    postgres_services: Services, world: RegWorld
) -> None:
    made = [register.register(postgres_services, world["h1_doctor"], RegistrationInput(
        patient(f"5201000000000000030{n}"), DRUG, record())) for n in range(3)]
    drug_list.save_drug(postgres_services, SYSTEM, 10, DrugInput(
        name=DRUG, dosage_form="口服常释剂型", restriction="限类风湿关节炎，并需风湿病专科医师处方。",
        annual_limit="13000.00", agreement_start=date(2024, 1, 1), agreement_end=date(2026, 8, 30),
        required_specialty="rheumatology"))
    step = postgres_services.uow().__enter__()  # an engine step of the first one's instance
    thread: threading.Thread | None = None
    try:
        step.store.lock([made[0].instance_id or ""])
        thread, outcome = _in_thread(lambda: drug_list.end_registrations_of_ended_drugs(
            postgres_services, SYSTEM, batch_size=1))
        thread.join(20)
        assert not thread.is_alive(), "the ending batch waited for a busy instance"
    finally:
        step.__exit__(None, None, None)
        if thread is not None:
            thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], drug_list.EndingReport), outcome
    assert outcome[0].ended == 2  # the busy one was left, not waited for
    assert drug_list.end_registrations_of_ended_drugs(postgres_services, SYSTEM).ended == 1


def test_nd11_a_refused_dispensing_ends_its_transaction_with_commit_so_psycopg_keeps_its_prepared_statements(
    postgres_services: Services, world: RegWorld
) -> None:
    """psycopg forgets every prepared statement of a connection on ROLLBACK, so each refusal made PostgreSQL plan the
    settlement's statements afresh on that connection. A refusal before anything was written ends with COMMIT."""
    register.register(postgres_services, world["h1_doctor"], RegistrationInput(patient(), DRUG, record()))
    ended: list[str] = []
    engine = postgres_services.db
    listeners = {"commit": lambda conn: ended.append("commit"), "rollback": lambda conn: ended.append("rollback")}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        with pytest.raises(PolicyViolation) as refused:
            settlement.dispense(postgres_services, world["h1_officer"], DispensingInput(
                PSN, DRUG, "D520102000004", "56", "100.00", "RX-WRONG-PHYSICIAN"))  # not the registered physician
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    assert refused.value.rule == "ND-11"
    assert ended == ["commit"]
    with postgres_services.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Dispensing)) == 0
        assert uow.session.scalar(select(func.count()).select_from(AnnualAccount)) == 0
