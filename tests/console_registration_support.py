"""Test data of the registration's console pages: what the registration needs on top of the console's world — the
drug list, the diagram, a payment configuration, a pharmacy H1 did not designate — made through the real use cases,
and a registration made through the register use case."""

from __future__ import annotations

from datetime import date

from domain.actors import SYSTEM, Actor
from domain.registration.demo_payment import DEMO_PAYMENT_RULES
from workflows import reference_data
from workflows.context import Services
from workflows.registration import payment, register
from workflows.registration.register import RegistrationInput
from workflows.registration.views import RegistrationView

from .factories import World, org, user
from .registration_world import DRUG, PSN, ROOT, deploy_registration, patient, record


def add_registration_data(services: Services, world: World) -> None:
    """The drug list, the registration diagram, a payment configuration and an unlinked pharmacy, on the service
    clock as it is (the console's browser world shares it); adds nothing twice."""
    if "p_unlinked" in world.orgs:
        return
    org(services, world, "p_unlinked", "pharmacy", "P52010300009")
    user(services, world, "pu_pharmacist", "pharmacist", "P52010300009")
    reference_data.load_drug_list(services, SYSTEM, ROOT / "data" / "negotiated-drugs.csv", date(2026, 1, 1),
                                  "negotiated-drugs.csv")
    deploy_registration(services)
    payment.set_payment_config(services, SYSTEM, DEMO_PAYMENT_RULES, "test configuration")


def h1_doctor(world: World) -> Actor:
    """H1's senior rheumatologist (主任医师)."""
    return Actor(world.users["h1_doctor"], world.orgs["h1"], frozenset({"physician"}), "h1_doctor")


def registered(services: Services, world: World, psn_no: str = PSN) -> RegistrationView:
    """A registration of ``psn_no`` for 托法替布 at H1 by its senior rheumatologist."""
    return register.register(services, h1_doctor(world), RegistrationInput(patient(psn_no), DRUG, record()))
