"""The payment calculator of the published catalog (PAY-1…PAY-4, VBP-3) and the regions' ratios the bureau keeps.

The ratios are configuration (PAY-4): each change is a new version of the whole table, published by the bureau with
the number of the version it saw (``expected_version``), so two officers editing at once cannot overwrite each
other — the second gets a 409. A quote reads one catalog version (an entry's category, standard and VBP facts) and
one ratios version; it stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.actors import Actor
from domain.admission.direct import procurement_from_data
from domain.admission.payment import (
    RegionRatios,
    RegionRule,
    region_code,
    region_rules,
    rule_for,
    split_for_entry,
    standard_basis,
)
from domain.codes import consumable_code, consumable_entry_code, consumable_entry_key
from domain.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from domain.permissions import require
from storage.admission_catalog_repository import CatalogProducts, PaymentRatios
from storage.admission_models import PaymentRatioVersion, RegionPaymentRatio
from storage.uow import UnitOfWork

from .. import clock
from ..context import Services
from ..reference_data import catalog_version_row

RATIOS_AGGREGATE = ("payment_ratios", "regions")  # one audit chain through every version
MAX_NOTE = 300
ROUNDING = "ROUND_HALF_UP to 0.01 yuan (四舍五入到分); the patient's share within the standard is the remainder"


@dataclass(frozen=True)
class RegionRatioView:
    """One region's line of a ratios version."""

    region: str
    name: str
    fund_ratio: Decimal
    b_prepay_ratio: Decimal


@dataclass(frozen=True)
class PaymentRatiosView:
    """One version of the regions' ratios (PAY-4)."""

    version: int
    created_at: datetime
    created_by: str
    note: str | None
    regions: list[RegionRatioView]


@dataclass(frozen=True)
class AppliedRatiosView:
    """The ratios a quote applied: the region asked, the configured division whose line applied, its version."""

    region: str
    applied_region: str
    name: str
    version: int
    fund_ratio: Decimal
    b_prepay_ratio: Decimal


@dataclass(frozen=True)
class PaymentQuoteView:
    """Who pays what for ``quantity`` units of an entry's product at ``unit_price`` (PAY-1…PAY-4, VBP-3)."""

    catalog_version: int
    code: str
    product_code: str | None
    common_name: str
    payment_category: str
    payment_standard: Decimal | None
    standard_rule: str
    standard_basis: str
    unit_price: Decimal
    quantity: int
    ratios: AppliedRatiosView
    total: Decimal
    within_standard: Decimal
    above_standard: Decimal
    prepay: Decimal
    fund: Decimal
    patient_within_standard: Decimal
    patient: Decimal
    rules: list[str]
    rounding: str


def _view(head: PaymentRatioVersion, rows: list[RegionPaymentRatio]) -> PaymentRatiosView:
    return PaymentRatiosView(head.version, head.created_at, head.created_by, head.note,
                             [RegionRatioView(r.region, r.name, r.fund_ratio, r.b_prepay_ratio) for r in rows])


def _rules(rows: list[RegionPaymentRatio]) -> list[RegionRule]:
    return [RegionRule(r.region, r.name, RegionRatios(r.fund_ratio, r.b_prepay_ratio)) for r in rows]


def publish_ratios(services: Services, actor: Actor, ratios: Mapping[str, Mapping[str, object]],
                   expected_version: int, note: str | None = None) -> PaymentRatiosView:
    """Publish a new version of the regions' ratios {region: {name, fund_ratio, b_prepay_ratio}} (PAY-4).

    ``expected_version`` is the version the caller read (0 before the first); another number is a 409."""
    require(actor, "admission.payment_ratios.manage")
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInput(f"note must be at most {MAX_NOTE} characters", field="note")
    rules = region_rules(ratios)
    with services.uow() as uow:
        repository = uow.repository(PaymentRatios)
        latest = repository.latest_version() or 0
        if expected_version != latest:
            raise Conflict(f"the ratios are at version {latest}, not {expected_version}: reload and retry",
                           code="payment_ratios_changed", field="expected_version")
        now = clock.now(services, uow)
        head = PaymentRatioVersion(version=latest + 1, created_at=now, created_by=actor.user_id, note=note)
        lines = [RegionPaymentRatio(version=head.version, region=r.region, name=r.name,
                                    fund_ratio=r.ratios.fund_ratio, b_prepay_ratio=r.ratios.b_prepay_ratio)
                 for r in rules]
        repository.add(head, lines)
        try:
            uow.flush()
        except Conflict:  # another publication took this number between our read and our write
            raise Conflict(f"version {head.version} was published meanwhile: reload and retry",
                           code="payment_ratios_changed", field="expected_version") from None
        _audit(uow, actor, now, head.version, rules, note)
        view = PaymentRatiosView(head.version, now, actor.user_id, note,
                                 [RegionRatioView(r.region, r.name, r.ratios.fund_ratio, r.ratios.b_prepay_ratio)
                                  for r in rules])
        uow.commit()
        return view


def _audit(uow: UnitOfWork, actor: Actor, at: datetime, version: int, rules: Sequence[RegionRule],
           note: str | None) -> None:
    aggregate_type, aggregate_id = RATIOS_AGGREGATE
    plain = {r.region: {"name": r.name, "fund_ratio": str(r.ratios.fund_ratio),
                        "b_prepay_ratio": str(r.ratios.b_prepay_ratio)} for r in rules}
    uow.audit.append(aggregate_type=aggregate_type, aggregate_id=aggregate_id, at=at, actor=actor.user_id,
                     actor_org=actor.org_id, action="payment_ratios.version_published", object_type="payment_ratios",
                     object_id=str(version), after={"version": version, "ratios": plain, "note": note})


def _found(uow: UnitOfWork, version: int | None) -> tuple[PaymentRatioVersion, list[RegionPaymentRatio]]:
    found = uow.repository(PaymentRatios).version(version)
    if found is None:
        what = "no payment ratios are published" if version is None else f"no payment ratios version {version}"
        raise NotFound(what, code="payment_ratios_not_found")
    return found


def get_ratios(services: Services, version: int | None = None) -> PaymentRatiosView:
    """A version of the regions' ratios (the one in force when None)."""
    with services.uow(read_only=True) as uow:
        return _view(*_found(uow, version))


def _applied(uow: UnitOfWork, region: str, version: int | None) -> AppliedRatiosView:
    head, rows = _found(uow, version)
    rule = rule_for(_rules(rows), region)
    if rule is None:
        raise NotFound(f"ratios version {head.version} has no line for region {region} or a division containing it",
                       code="region_ratios_not_found", field="region", rule="PAY-4")
    return AppliedRatiosView(region, rule.region, rule.name, head.version, rule.ratios.fund_ratio,
                             rule.ratios.b_prepay_ratio)


def get_region_ratios(services: Services, region: str, version: int | None = None) -> AppliedRatiosView:
    """The ratios that apply in a region: its own line, else its city's, else its province's (PAY-4)."""
    code = region_code(region)
    with services.uow(read_only=True) as uow:
        return _applied(uow, code, version)


def _entry_key(code: str) -> tuple[str, str | None]:
    if len(code) == 27:
        return consumable_entry_key(consumable_code(code, field="code")), code
    return consumable_entry_code(code, field="code"), None


def quote(services: Services, code: str, unit_price: Decimal, quantity: int, region: str,
          catalog_version: int | None = None, ratios_version: int | None = None) -> PaymentQuoteView:
    """Split a charge between fund and patient for an entry of a catalog version in a region (PAY-1…PAY-4)."""
    key, product_code = _entry_key(code)
    asked_region = region_code(region)
    with services.uow(read_only=True) as uow:
        version = catalog_version_row(uow.catalogs, catalog_version)
        entry = uow.catalogs.entry(version.id, key)
        if entry is None:
            raise NotFound(f"catalog version {version.version} has no entry {key}", code="catalog_entry_not_found",
                           field="code")
        facts = uow.repository(CatalogProducts).facts(version.id, key)
        try:
            applied = _applied(uow, asked_region, ratios_version)
        except NotFound as missing:  # a quote needs ratios: without them it is refused by PAY-4, not "not found"
            if ratios_version is not None and missing.code == "payment_ratios_not_found":
                raise NotFound(missing.detail, code=missing.code, field="ratios_version") from None
            raise PolicyViolation(missing.detail, code=missing.code, field="region", rule="PAY-4") from None
    procurement = procurement_from_data(json.loads(facts.procurement or "null")) if facts else None
    split = split_for_entry(entry, unit_price, quantity, RegionRatios(applied.fund_ratio, applied.b_prepay_ratio))
    rule, basis = standard_basis(entry.payment_category, entry.payment_standard, procurement)
    rules = ["PAY-1" if entry.payment_category == "甲" else "PAY-2", "PAY-4"]
    if rule.startswith("VBP"):
        rules.append(rule)
    if split.above_standard > 0:
        rules += ["PAY-3", "VBP-3"]
    return PaymentQuoteView(
        catalog_version=version.version, code=key, product_code=product_code, common_name=entry.common_name,
        payment_category=entry.payment_category, payment_standard=entry.payment_standard, standard_rule=rule,
        standard_basis=basis, unit_price=unit_price, quantity=quantity, ratios=applied, total=split.total,
        within_standard=split.within_standard, above_standard=split.above_standard, prepay=split.prepay,
        fund=split.fund, patient_within_standard=split.patient_within_standard, patient=split.patient,
        rules=rules, rounding=ROUNDING)

