"""Settlement of a dispensing against its registration (ND-9, ND-11, ND-13, ND-15), its reversal, the annual account.

The hot path reads the registrations read model (never a workflow), locks the annual account ``FOR UPDATE`` so two
dispensings for one patient and drug never together pass the limit, and is idempotent by the dispenser's external
reference: a retry — also a concurrent one — gets the first result and the fund pays once (a unique constraint
settles the race the lock does not cover).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from domain.actors import Actor
from domain.dates import china_date
from domain.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from domain.identity import OrganizationFacts
from domain.permissions import can, require
from domain.reference_data import DrugRow
from domain.registration.dates import registration_year
from domain.registration.facts import RegistrationFacts
from domain.registration.payment import configured_rule, money
from domain.registration.settlement import AnnualAccount, Dispensing, check_dispensing, settle
from storage.models import new_id
from storage.registration_settlement import SettlementPath, Settlements
from storage.uow import UnitOfWork

from .. import clock
from ..context import Services
from .facts import quantity
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


def _facts(reg: dict[str, Any]) -> RegistrationFacts:
    return RegistrationFacts(id=reg["reg_id"], psn_no=reg["reg_psn_no"], drug=reg["reg_drug"],
                             hospital_code=reg["reg_hospital_code"], physician_code=reg["reg_physician_code"],
                             start=reg["reg_start_date"], end=reg["reg_end_date"],
                             benefit_year_start=reg["reg_benefit_year_start"],
                             last_reassessed_on=reg["reg_last_reassessed_on"], ended_on=reg["reg_ended_on"],
                             end_reason=reg["reg_end_reason"])


def _prefixed(row: dict[str, Any], prefix: str) -> SimpleNamespace:
    return SimpleNamespace(**{k[len(prefix):]: v for k, v in row.items() if k.startswith(prefix)})


def _dispenser(top: dict[str, Any]) -> OrganizationFacts:
    if top["org_id"] is None:
        raise PolicyViolation("dispensings are settled by a hospital or a pharmacy (ND-11)", rule="ND-11",
                              field="dispenser", code="dispensers_only")
    return OrganizationFacts(kind=top["org_kind"], code=top["org_code"], name=top["org_name"],
                             region_code=top["org_region_code"], tier=top["org_tier"],
                             specialized=top["org_specialized"], cross_province=top["org_cross_province"],
                             designated=top["org_designated"], dual_channel=top["org_dual_channel"])


def _drug(top: dict[str, Any]) -> DrugRow | None:
    if top["drug_name"] is None:
        return None
    values = {name: top[f"drug_{name}"] for name in DrugRow.__dataclass_fields__}
    values["specialty_exempt_indications"] = tuple(
        p for p in (values["specialty_exempt_indications"] or "").split(";") if p)
    return DrugRow(**values)


def _registration(rows: list[dict[str, Any]], today: date) -> dict[str, Any] | None:
    """The registration covering ``today`` (the latest start if several), else the latest, to name the refusal;
    ``rows`` come latest start first."""
    found = [r for r in rows if r["reg_id"] is not None]
    return next((r for r in found if r["reg_start_date"] <= today < r["reg_end_date"]), found[0] if found else None)


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
    external reference returns the first result (``replayed``) and pays nothing more.

    Three statements and the commit on PostgreSQL, five on SQLite: everything read at once
    (SETTLEMENT_CONTEXT), the annual account locked (created if missing), then the dispensing, the account's totals
    and its audit entry written together (storage/registration_settlement.py).
    """
    require(actor, "registration.dispense")
    amount, qty = _checked(given)
    try:
        with services.uow() as uow:
            try:
                view = _settle(services, uow, actor, given, amount, qty)
            except PolicyViolation:
                if not uow.core(SettlementPath).wrote:
                    uow.commit()  # refused before any write: end it as a read (below), not with ROLLBACK
                raise
            uow.commit()  # a replay wrote nothing; COMMIT, not ROLLBACK, keeps the connection's prepared statements
            return view
    except Conflict as exc:
        if exc.code != "duplicate":
            raise
    with services.uow(read_only=True) as uow:  # a concurrent retry of the same reference committed first
        first = uow.repository(Settlements).dispensing_by_ref(actor.org_id or "", given.external_ref)
        if first is None:
            raise Conflict("the dispensing collided with a concurrent change; retry", code="concurrent_update")
        return _replay(first, given, amount)


def _settle(services: Services, uow: UnitOfWork, actor: Actor, given: DispensingInput, amount: Decimal,
            qty: Decimal | int) -> DispensingView:
    path = uow.core(SettlementPath)
    rows = path.context(actor.org_id or "", given.external_ref, given.psn_no, given.drug)
    top = rows[0]
    if top["first_id"] is not None:  # a retry: the first result, nothing paid again
        return _replay(_prefixed(top, "first_"), given, amount)
    now = clock.now_from(services, top["clock_simulated_at"], top["clock_set_at"], top["clock_frozen"])
    today = china_date(now)
    dispenser = _dispenser(top)
    reg = _registration(rows, today)
    if reg is None:
        raise PolicyViolation(f"the patient is not registered for {given.drug} (ND-11)", rule="ND-11",
                              field="psn_no", code="not_registered")
    facts, drug = _facts(reg), _drug(top)
    designated_by = frozenset({reg["reg_hospital_code"]}) if reg["reg_designated_dispenser"] else frozenset()
    check_dispensing(facts, Dispensing(given.psn_no, given.drug, given.physician_code, dispenser, qty, amount,
                                       designated_by), drug, today)
    if drug is None:  # check_dispensing refused it already; this keeps the type checker informed
        raise PolicyViolation(f"{given.drug} is not in the negotiated-drug list (ND-12)", rule="ND-12", field="drug")
    rule = configured_rule(top["config_version"], reg["reg_insurance_type"], reg["reg_hospital_tier"],
                           reg["rule_deductible"], reg["rule_fund_ratio"])  # the prescribing hospital's level (ND-13)
    year = registration_year(facts)
    account = path.lock_account(facts.psn_no, facts.drug, year.start, year.end, drug.annual_limit, now)
    split, after = settle(AnnualAccount(drug.annual_limit, account["fund_paid"], account["deductible_met"]), amount,
                          rule)
    values = {
        "id": new_id(), "dispenser_id": top["org_id"], "dispenser_code": dispenser.code,
        "dispenser_kind": dispenser.kind, "external_ref": given.external_ref, "registration_id": facts.id,
        "account_id": account["id"], "psn_no": facts.psn_no, "drug": facts.drug,
        "physician_code": given.physician_code, "quantity": Decimal(qty), "amount": split.amount, "fund": split.fund,
        "deductible_part": split.deductible_part, "ratio_part": split.ratio_part,
        "over_limit_part": split.over_limit_part, "config_version": top["config_version"], "dispensed_at": now,
        "dispensed_by": actor.user_id, "reversed_at": None, "reversed_by": None, "reversal_reason": None,
    }
    path.save(account, drug.annual_limit, after.fund_paid, after.deductible_met, now, actor=actor.user_id,
              actor_org=actor.org_id, action="dispensing.settled", dispensing_id=values["id"], after={
                  "registration_id": facts.id, "external_ref": given.external_ref, "amount": str(split.amount),
                  "fund": str(split.fund), "patient": str(split.patient), "fund_paid": str(after.fund_paid)},
              dispensing=values)
    return replace(dispensing_view(SimpleNamespace(**values)), remaining_limit=after.remaining_limit)


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


def recent_dispensings(services: Services, actor: Actor, limit: int = 20) -> list[DispensingView]:
    """The latest dispensings of the caller's hospital or pharmacy, newest first (ND-11)."""
    require(actor, "registration.dispense")
    with services.uow(read_only=True) as uow:
        rows = uow.repository(Settlements).dispensings_of_dispenser(actor.org_id or "", max(1, min(limit, 200)))
        return [dispensing_view(r) for r in rows]
