"""Settlement of a dispensing against its registration (ND-9, ND-11, ND-13, ND-15), its reversal, the annual account.

The hot path reads the registrations read model (never a workflow), locks the annual account ``FOR UPDATE`` so two
dispensings for one patient and drug never together pass the limit, and is idempotent by the dispenser's external
reference: a retry — also a concurrent one — gets the first result and the fund pays once (a unique constraint
settles the race the lock does not cover).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from domain.actors import Actor
from domain.dates import china_date
from domain.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from domain.identity import OrganizationFacts
from domain.permissions import can, require
from domain.registration.dates import registration_year
from domain.registration.facts import RegistrationFacts
from domain.registration.payment import money
from domain.registration.settlement import AnnualAccount, Dispensing, check_dispensing, settle
from storage.models import new_id
from storage.registration_settlement import Settlements
from storage.uow import UnitOfWork

from .. import clock
from ..context import Services
from .facts import quantity
from .payment import config_in_force
from .views import DispensingView, dispensing_view

_REF = re.compile(r"[0-9A-Za-z._:/-]{1,64}")


@dataclass(frozen=True)
class DispensingInput:
    """A dispensing to settle: who gets what, prescribed by whom, for how much, under which external reference."""

    psn_no: str
    drug: str
    physician_code: str
    quantity: Any
    amount: Any
    external_ref: str


def _facts(reg: Any) -> RegistrationFacts:
    return RegistrationFacts(id=reg.id, psn_no=reg.psn_no, drug=reg.drug, hospital_code=reg.hospital_code,
                             physician_code=reg.physician_code, start=reg.start_date, end=reg.end_date,
                             benefit_year_start=reg.benefit_year_start, last_reassessed_on=reg.last_reassessed_on,
                             ended_on=reg.ended_on, end_reason=reg.end_reason)


def _dispenser(settlements: Settlements, org_id: str | None) -> tuple[Any, OrganizationFacts, frozenset[str]]:
    org = settlements.organization(org_id) if org_id else None
    if org is None:
        raise PolicyViolation("dispensings are settled by a hospital or a pharmacy (ND-11)", rule="ND-11",
                              field="dispenser", code="dispensers_only")
    facts = OrganizationFacts(kind=org.kind, code=org.code, name=org.name, region_code=org.region_code,
                              tier=org.tier, specialized=org.specialized, cross_province=org.cross_province,
                              designated=org.designated, dual_channel=org.dual_channel)
    designated_by = settlements.designating_hospitals(org.id) if org.kind == "pharmacy" else frozenset()
    return org, facts, designated_by


def _replay(row: Any, given: DispensingInput, amount: Decimal) -> DispensingView:
    """The first settlement of an external reference, if the retry asks for the same dispensing."""
    same = (row.psn_no, row.drug, row.physician_code, row.amount) == (given.psn_no, given.drug,
                                                                      given.physician_code, amount)
    if not same:
        raise Conflict(f"external reference {row.external_ref} was settled for another dispensing",
                       code="external_ref_reused", field="external_ref")
    return dispensing_view(row, replayed=True)


def _checked(given: DispensingInput) -> tuple[Decimal, Decimal | int]:
    if not _REF.fullmatch(given.external_ref or ""):
        raise InvalidInput("external_ref must be 1–64 letters, digits or . _ : / -", field="external_ref")
    amount = money(given.amount, "amount", positive=True)
    return amount, quantity(given.quantity, "quantity")


def dispense(services: Services, actor: Actor, given: DispensingInput) -> DispensingView:
    """Settle a dispensing at the registered hospital or a dual-channel pharmacy it designated; a retry of the same
    external reference returns the first result (``replayed``) and pays nothing more."""
    require(actor, "registration.dispense")
    amount, qty = _checked(given)
    with services.uow() as uow:
        settlements = uow.repository(Settlements)
        first = settlements.dispensing_by_ref(actor.org_id or "", given.external_ref)
        if first is not None:
            return _replay(first, given, amount)
        try:
            view = _settle(services, uow, settlements, actor, given, amount, qty)
            uow.commit()
            return view
        except Conflict as exc:
            if exc.code != "duplicate":
                raise
    with services.uow(read_only=True) as uow:  # a concurrent retry of the same reference committed first
        first = uow.repository(Settlements).dispensing_by_ref(actor.org_id or "", given.external_ref)
        if first is None:
            raise Conflict("the dispensing collided with a concurrent change; retry", code="concurrent_update")
        return _replay(first, given, amount)


def _settle(services: Services, uow: UnitOfWork, settlements: Settlements, actor: Actor, given: DispensingInput,
            amount: Decimal, qty: Decimal | int) -> DispensingView:
    now = clock.now(services, uow)
    today = china_date(now)
    org, dispenser, designated_by = _dispenser(settlements, actor.org_id)
    reg = settlements.registration_on(given.psn_no, given.drug, today) or settlements.latest_registration(
        given.psn_no, given.drug)
    if reg is None:
        raise PolicyViolation(f"the patient is not registered for {given.drug} (ND-11)", rule="ND-11",
                              field="psn_no", code="not_registered")
    facts, drug = _facts(reg), settlements.current_drug(given.drug)
    check_dispensing(facts, Dispensing(given.psn_no, given.drug, given.physician_code, dispenser, qty, amount,
                                       designated_by), drug, today)
    if drug is None:  # check_dispensing refused it already; this keeps the type checker informed
        raise PolicyViolation(f"{given.drug} is not in the negotiated-drug list (ND-12)", rule="ND-12", field="drug")
    version, config = config_in_force(uow)
    rule = config.rule_for(reg.insurance_type, reg.hospital_tier)  # the prescribing hospital's level (ND-13, ND-15)
    year = registration_year(facts)
    account = settlements.lock_account(reg.psn_no, reg.drug, year.start, year.end, drug.annual_limit, now)
    again = settlements.dispensing_by_ref(org.id, given.external_ref)  # a retry that held the lock before us
    if again is not None:
        return _replay(again, given, amount)
    split, after = settle(AnnualAccount(drug.annual_limit, account.fund_paid, account.deductible_met), amount, rule)
    values = {
        "id": new_id(), "dispenser_id": org.id, "dispenser_code": org.code, "dispenser_kind": org.kind,
        "external_ref": given.external_ref, "registration_id": reg.id, "account_id": account.id,
        "psn_no": reg.psn_no, "drug": reg.drug, "physician_code": given.physician_code, "quantity": Decimal(qty),
        "amount": split.amount, "fund": split.fund, "deductible_part": split.deductible_part,
        "ratio_part": split.ratio_part, "over_limit_part": split.over_limit_part, "config_version": version,
        "dispensed_at": now, "dispensed_by": actor.user_id, "reversed_at": None, "reversed_by": None,
        "reversal_reason": None,
    }
    settlements.add_dispensing(values)
    settlements.save_account(account.id, drug.annual_limit, after.fund_paid, after.deductible_met, now)
    audit_account(uow, actor, now, account.id, "dispensing.settled", values["id"], {
        "registration_id": reg.id, "external_ref": given.external_ref, "amount": str(split.amount),
        "fund": str(split.fund), "patient": str(split.patient), "fund_paid": str(after.fund_paid)})
    return dispensing_view(SimpleNamespace(**values))


def audit_account(uow: UnitOfWork, actor: Actor, at: datetime, account_id: str, action: str, dispensing_id: str,
           after: dict[str, Any], reason: str | None = None) -> None:
    """Chain the entry on the annual account, whose row this transaction holds locked anyway."""
    uow.audit.append(aggregate_type="annual_account", aggregate_id=account_id, at=at, actor=actor.user_id,
                     actor_org=actor.org_id, action=action, object_type="dispensing", object_id=dispensing_id,
                     after=after, reason=reason)


def visible_dispensing(uow: UnitOfWork, actor: Actor, dispensing_id: str, lock: bool = False) -> Any:
    """A dispensing the caller may see (its dispenser, the bureau), else 404."""
    row = uow.repository(Settlements).dispensing(dispensing_id, lock=lock)
    if row is None or not can(actor, "registration.dispensing", row):
        raise NotFound(f"no dispensing {dispensing_id}", code="dispensing_not_found")
    return row


def get_dispensing(services: Services, actor: Actor, dispensing_id: str) -> DispensingView:
    """One dispensing the caller may see."""
    with services.uow(read_only=True) as uow:
        return dispensing_view(visible_dispensing(uow, actor, dispensing_id))
