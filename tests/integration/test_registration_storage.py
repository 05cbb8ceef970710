"""The registration tables on SQLite and PostgreSQL: the ND-3 index, the projection in the step's transaction, the
revisions, and the rows a registration keeps in step with its instance."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from domain.actors import SYSTEM
from domain.errors import Conflict, PolicyViolation
from storage.models import ProcessInstance
from storage.registration import Registrations
from storage.registration_models import PaymentConfig, Registration
from workflows import instances, projections
from workflows.context import Services
from workflows.registration import register, settlement
from workflows.registration.register import RegistrationInput
from workflows.registration.settlement import DispensingInput

from ..registration_world import DRUG, PSN, START, RegWorld, build_registration_world, patient, record


@pytest.fixture
def world(services: Services) -> RegWorld:
    return build_registration_world(services)


def registered(services: Services, world: RegWorld, doctor: str = "h1_doctor", psn_no: str = PSN) -> Any:
    return register.register(services, world[doctor], RegistrationInput(patient(psn_no), DRUG, record()))


def row(services: Services, registration_id: str) -> Registration:
    with services.uow(read_only=True) as uow:
        found = uow.repository(Registrations).get(registration_id)
        assert found is not None
        uow.session.expunge(found)
        return found


def copy_of(source: Registration, **changes: Any) -> Registration:
    columns = {c.key: getattr(source, c.key) for c in Registration.__table__.columns if c.key != "version"}
    return Registration(**{**columns, "id": f"copy-{changes.get('status', 'x')}", "instance_id": None, **changes})


def test_nd3_the_database_refuses_a_second_registration_in_force_for_one_patient_and_drug(
    services: Services, world: RegWorld
) -> None:
    first = row(services, registered(services, world).id)
    with services.uow() as uow:
        uow.repository(Registrations).add(copy_of(first, status="suspended", hospital_code="H52010300003"))
        with pytest.raises(Conflict) as refused:
            uow.flush()
    assert refused.value.code == "duplicate"


def test_a_row_is_read_with_its_patients_registrations_of_the_drug_oldest_first(
    services: Services, world: RegWorld
) -> None:
    first = row(services, registered(services, world).id)
    other = registered(services, world, psn_no="520000000000000000099")  # another patient: not among them
    with services.uow() as uow:
        uow.repository(Registrations).add(copy_of(first, status="expired", start_date=date(2025, 8, 31)))
        uow.flush()
        uow.commit()
    with services.uow(read_only=True) as uow:
        found, rows = uow.repository(Registrations).with_patient_rows(first.id)
        assert found is not None and found.id == first.id
        assert [r.id for r in rows] == ["copy-expired", first.id]
        assert uow.repository(Registrations).with_patient_rows("no-such-id") == (None, [])
    assert other.id not in [r.id for r in rows]


@pytest.mark.parametrize("status", ["pending", "expired", "ended"])
def test_nd3_a_pending_renewal_or_a_finished_registration_beside_one_in_force_is_allowed(
    services: Services, world: RegWorld, status: str
) -> None:
    first = row(services, registered(services, world).id)
    with services.uow() as uow:
        uow.repository(Registrations).add(copy_of(first, status=status))
        uow.flush()
        uow.commit()
    with services.uow(read_only=True) as uow:
        assert len(uow.repository(Registrations).of_patient(PSN, DRUG)) == 2


def test_nd2_nd6_a_registration_writes_its_row_revision_and_instance_in_one_transaction(
    services: Services, world: RegWorld
) -> None:
    view = registered(services, world)
    stored = row(services, view.id)
    assert (stored.status, stored.start_date, stored.end_date, stored.next_reassessment_due) == (
        "active", START, date(2027, 8, 31), date(2027, 2, 28))
    assert (stored.hospital_code, stored.physician_code, stored.insurance_region, stored.off_site) == (
        "H52010200001", "D520102000001", "520100", False)
    instance = instances.get_instance(services, SYSTEM, view.instance_id)
    assert (instance.business_key, instance.status, instance.definition_key) == (view.id, "waiting",
                                                                                 "drug_registration")
    assert instance.state_bytes <= 2000
    with services.uow(read_only=True) as uow:
        assert [r.kind for r in uow.repository(Registrations).revisions(view.id)] == ["registered"]


def test_nd6_a_failing_projection_leaves_neither_the_row_nor_the_instance(services: Services, world: RegWorld) -> None:
    def refuse(uow: Any, step: Any) -> None:
        raise PolicyViolation("refused by a test projector", rule="TEST-1")

    projections.register("drug_registration", refuse)
    try:
        with pytest.raises(PolicyViolation):
            registered(services, world)
    finally:
        projections.unregister("drug_registration", refuse)
    with services.uow(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Registration)) == 0
        assert uow.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_nd3_the_refusal_of_a_second_hospital_names_its_rule(services: Services, world: RegWorld) -> None:
    registered(services, world)
    with pytest.raises(PolicyViolation) as refused:
        registered(services, world, doctor="h3_doctor")
    assert (refused.value.rule, refused.value.field) == ("ND-3", "drug")




def test_nd15_a_settlement_without_a_published_payment_configuration_is_refused_by_its_rule(
    services: Services, world: RegWorld
) -> None:
    registered(services, world)
    with services.uow() as uow:
        uow.session.execute(delete(PaymentConfig))
        uow.commit()
    with pytest.raises(PolicyViolation) as refused:
        settlement.dispense(services, world["h1_officer"],
                            DispensingInput(PSN, DRUG, "D520102000001", "56", "100.00", "RX-1"))
    assert (refused.value.rule, refused.value.code) == ("ND-15", "payment_config_missing")
