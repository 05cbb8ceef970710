"""Catalog changes by bureau action outside a round: inclusion of a volume-based procurement result (集采纳入,
DA-7, CM-3, VBP-1, VBP-2, VBP-4) and emergency temporary inclusion (应急临时纳入, DA-8), as plain data and as the
catalog changes they make. Both are published as a new catalog version (CM-6) by ``publication.next_version``.

Our readings: a VBP inclusion sets the procurement facts and the payment standard of one entry — new, or existing
(its terms change); an emergency inclusion adds one new entry with the day it leaves (DA-8), after which the next
version no longer has it; both list the products (27-character codes) they include.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.admission.categories import PriceZone
from domain.admission.decisions import EntryDecision, ProcurementFacts
from domain.admission.findings import Finding
from domain.admission.publication import CatalogChanges, CatalogState, EntryNames, NewEntry, Product, TermsChange
from domain.admission.round_data import decision_from_data
from domain.errors import InvalidInput

KINDS = ("vbp", "emergency")
MAX_PRODUCTS = 200


@dataclass(frozen=True)
class DirectChange:
    """One entry included by bureau action, with its products, effective date and (DA-8) leaving date."""

    kind: str
    reason: str
    decision: EntryDecision
    names: EntryNames | None
    products: tuple[Product, ...]
    effective_on: date
    leaves_on: date | None = None


def _day(value: object, where: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{where} must be a date YYYY-MM-DD", field=where) from None


def _amount(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    amount = Decimal(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
    if amount is None or not amount.is_finite():
        raise InvalidInput(f"{where} must be an amount written as a string", field=where)
    return amount


def procurement_from_data(data: object) -> ProcurementFacts | None:
    """The VBP facts of an entry (DA-7), or None."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise InvalidInput("procurement must be an object", field="procurement")
    return ProcurementFacts(
        selected=data.get("selected") is True,
        selected_price=_amount(data.get("selected_price"), "procurement.selected_price"),
        highest_selected_price=_amount(data.get("highest_selected_price"), "procurement.highest_selected_price"),
        coronary_stent=data.get("coronary_stent") is True,
        listing_price=_amount(data.get("listing_price"), "procurement.listing_price"),
        price_zone=_zone(data.get("price_zone")))


def _zone(value: object) -> PriceZone | None:
    if value is None:
        return None
    try:
        return PriceZone(str(value))
    except ValueError:
        raise InvalidInput("price_zone must be high, middle or low", field="procurement.price_zone") from None


def procurement_to_data(facts: ProcurementFacts | None) -> dict[str, Any] | None:
    """VBP facts as plain data (amounts as strings)."""
    if facts is None:
        return None

    def plain(value: Decimal | None) -> str | None:
        return str(value) if value is not None else None

    return {"selected": facts.selected, "selected_price": plain(facts.selected_price),
            "highest_selected_price": plain(facts.highest_selected_price), "coronary_stent": facts.coronary_stent,
            "listing_price": plain(facts.listing_price), "price_zone": facts.price_zone.value
            if facts.price_zone else None}


def _products(data: object) -> tuple[Product, ...]:
    if not isinstance(data, list) or len(data) > MAX_PRODUCTS:
        raise InvalidInput(f"products must be a list of at most {MAX_PRODUCTS}", field="products")
    found = []
    for index, item in enumerate(data):
        if not isinstance(item, Mapping) or not all(isinstance(item.get(k), str) for k in ("code", "name")):
            raise InvalidInput("each product has a code and a name", field=f"products[{index}]")
        found.append(Product(item["code"], item["name"], str(item.get("manufacturer", "")),
                             str(item.get("specification", ""))))
    return tuple(found)


def direct_change_from_data(data: Mapping[str, Any]) -> DirectChange:
    """Read a direct change given as plain data; a value of the wrong shape names its field."""
    kind = data.get("kind")
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    terms = data.get("terms")
    if not isinstance(terms, Mapping):
        raise InvalidInput("terms must be an object", field="terms")
    decision, names = decision_from_data(str(data.get("entry_code")), {**terms, "include": True}, "terms")
    decision = EntryDecision(decision.entry_code, True, decision.category, decision.max_payment_standard,
                             decision.restricted_scope, "", procurement_from_data(data.get("procurement")))
    leaves = data.get("leaves_on")
    return DirectChange(str(kind), str(data.get("reason", "")).strip(), decision, names,
                        _products(data.get("products")), _day(data.get("effective_on"), "effective_on"),
                        _day(leaves, "leaves_on") if leaves is not None else None)


def direct_findings(change: DirectChange, current: CatalogState) -> list[Finding]:
    """What a direct change needs beyond the catalog's own checks: DA-7 procurement facts, DA-8 a new entry that
    leaves on a set day, a reason, and products under the entry."""
    found = []
    exists = change.decision.entry_code in {row.code for row in current.rows}
    if not change.reason:
        found.append(Finding("DA-8" if change.kind == "emergency" else "DA-7", "reason", "请说明依据",
                             "state the procurement result or the public-health event"))
    if change.decision.category is None:
        found.append(Finding("CM-2", "terms.category", "请确定支付类别（甲类或乙类）",
                             "an included entry has a payment category"))
    if change.kind == "vbp" and change.decision.procurement is None:
        found.append(Finding("DA-7", "procurement", "集采纳入须填写中选结果",
                             "a volume-based procurement inclusion carries its procurement facts"))
    if change.kind == "emergency" and (change.leaves_on is None or exists):
        found.append(Finding("DA-8", "leaves_on" if change.leaves_on is None else "entry_code",
                             "临时纳入为新增品种并须确定终止日期",
                             "an emergency inclusion adds a new entry with the day it leaves"))
    if not exists and change.names is None:
        found.append(Finding("CM-1", "terms.names", "新增品种须填写三级分类名称和医保通用名",
                             "a new entry names its classification levels and generic name"))
    for index, product in enumerate(change.products):
        if product.code[:15] != change.decision.entry_code:
            found.append(Finding("CM-1", f"products[{index}].code", "产品编码前15位应为该品种编码",
                                 f"{product.code} is not under {change.decision.entry_code}"))
    return found


def catalog_changes(change: DirectChange, current: CatalogState) -> CatalogChanges:
    """The catalog changes the direct change makes (checked by ``publication.change_findings`` when published)."""
    decision, listed = change.decision, {p.code for p in current.products}
    products = tuple(p for p in change.products if p.code not in listed)
    if decision.entry_code in {row.code for row in current.rows}:
        assert decision.category is not None  # direct_findings reports a missing category first
        terms = TermsChange(decision.entry_code, decision.category, decision.max_payment_standard,
                            decision.restricted_scope or None, decision.procurement)
        return CatalogChanges(terms=(terms,), products=products)
    names = change.names or EntryNames("", "", "", "")
    return CatalogChanges(new_entries=(NewEntry(decision, names, change.leaves_on),), products=products)
