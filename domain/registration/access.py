"""Who may do what to a registration (ND-1, ND-3, ND-4, ND-7…ND-15): the registration's lines of the permissions table.

The slice adds them with ``domain.permissions.add_rules(RULES)``; storage's visibility query reads the same facts
(:data:`HOSPITAL_ROLES`, ``permissions.sees_all_organizations``). A registration belongs to its hospital: its officers
and physicians see it, the bureau, administrators and auditors see every one (ACC-2); anyone else gets 404.
"""

from __future__ import annotations

from typing import Any, Protocol

from domain.actors import Actor
from domain.permissions import Rule, sees_all_organizations

PROCESS_KEY = "drug_registration"  # the id of the diagram's executable process
HOSPITAL_ROLES = ("hospital_officer", "physician")  # the registered hospital's staff (ND-3: 定医院)
DISPENSING_ROLES = ("hospital_officer", "physician", "pharmacist")  # ND-11 hospital, ND-13 dual-channel pharmacy
BUREAU_ROLES = ("admin", "bureau_officer", "system")


class HospitalOwned(Protocol):
    """What the rules need of a registration: the id of its hospital."""

    hospital_id: str


class InstanceOwned(Protocol):
    """What the rules need of a process instance: the organization that owns it (the registering hospital)."""

    owner_org: str | None


class Dispensed(Protocol):
    """What the rules need of a dispensing: the organization that dispensed it."""

    dispenser_id: str


def _roles(*names: str) -> Any:
    return lambda actor, _obj: actor.has_role(*names)


def may_see_some_registration(actor: Actor) -> bool:
    """Whether any registration can be visible to ``actor``: the oversight roles see all, a hospital's staff their
    hospital's; a pharmacist, an expert or the NHSA none (they settle or read by other paths)."""
    return sees_all_organizations(actor) or (actor.has_role(*HOSPITAL_ROLES) and actor.org_id is not None)


def sees_registration(actor: Actor, registration: HospitalOwned) -> bool:
    """Oversight roles see every registration; the hospital's officers and physicians see their hospital's (ND-3)."""
    if sees_all_organizations(actor):
        return True
    return actor.has_role(*HOSPITAL_ROLES) and actor.org_id is not None and actor.org_id == registration.hospital_id


def _physician_of(actor: Actor, registration: HospitalOwned) -> bool:
    return actor.has_role("physician", "system") and (actor.has_role("system")
                                                       or actor.org_id == registration.hospital_id)


def _staff_of(actor: Actor, registration: HospitalOwned) -> bool:
    return actor.has_role("system") or (actor.has_role(*HOSPITAL_ROLES) and actor.org_id == registration.hospital_id)


def reads_instance_data(actor: Actor, instance: InstanceOwned) -> bool:
    """A registration instance's data: oversight roles, and the officers and physicians of the hospital that owns it."""
    if sees_all_organizations(actor):
        return True
    return actor.has_role(*HOSPITAL_ROLES) and actor.org_id is not None and actor.org_id == instance.owner_org


def sees_dispensing(actor: Actor, dispensing: Dispensed) -> bool:
    """Oversight roles see every dispensing; the dispensing hospital's or pharmacy's staff see their own (ND-11)."""
    if sees_all_organizations(actor):
        return True
    return actor.has_role(*DISPENSING_ROLES) and actor.org_id is not None and actor.org_id == dispensing.dispenser_id


RULES: dict[str, tuple[Rule, ...]] = {
    "registration.create": (
        Rule("ND-4", _roles("physician", "system"), "physicians_register",
             "a senior physician of the hospital registers the patient (定医师)"),),
    "registration.read": (Rule("ND-3", sees_registration, "registration_not_found", "no such registration"),),
    f"{PROCESS_KEY}.read_data": (
        Rule("ND-3", reads_instance_data, "data_hidden", "the registration is not yours"),),
    "registration.update": (
        Rule("ND-8", _physician_of, "physicians_update",
             "a senior physician of the registered hospital updates or reassesses the registration"),),
    "registration.renew": (
        Rule("ND-7", _physician_of, "physicians_renew", "a senior physician of the registered hospital renews it"),),
    "registration.amend": (
        Rule("ND-14", _staff_of, "hospital_amends",
             "the registered hospital's officers and physicians change the physician or cancel"),),
    "registration.dispense": (
        Rule("ND-11", _roles(*DISPENSING_ROLES, "system"), "dispensers_only",
             "dispensings are settled by the registered hospital or a dual-channel pharmacy"),),
    "registration.dispensing": (Rule("ND-11", sees_dispensing, "dispensing_not_found", "no such dispensing"),),
    "registration.reverse": (
        Rule("ND-9", lambda actor, d: actor.has_role(*BUREAU_ROLES) or (sees_dispensing(actor, d) and not
             actor.has_role("auditor")), "reversal_forbidden", "the dispenser or the bureau reverses a dispensing"),),
    "registration.account": (Rule("ND-9", sees_registration, "registration_not_found", "no such registration"),),
    "registration.payment_config": (
        Rule("ND-15", _roles(*BUREAU_ROLES), "bureau_only", "the bureau maintains the payment configuration"),),
    "registration.drug_list": (
        Rule("ND-1", _roles(*BUREAU_ROLES), "bureau_only", "the bureau maintains the negotiated-drug list"),),
    "registration.patient.record": (
        Rule("ND-2", _roles(*HOSPITAL_ROLES, *BUREAU_ROLES), "patients_recorded_by_hospitals",
             "hospital officers, physicians and the bureau record insured patients"),),
    "registration.patient.read": (
        Rule("ND-2", _roles(*HOSPITAL_ROLES, *BUREAU_ROLES, "auditor"), "patients_hidden",
             "patients are read by hospital staff, the bureau and auditors"),),
    "registration.agreement_end": (
        Rule("ND-12", _roles(*BUREAU_ROLES), "bureau_only",
             "the bureau ends the registrations of drugs whose agreement ended"),),
}
