"""The next catalog version (发布实施): the current catalog plus a round's changes, with an effective date (CM-6).

Pure functions over ``domain.reference_data.CatalogRow``: entries keyed by their 15-character code (CM-1), products
(27-character codes) under them, the VBP facts of entries in volume-based procurement (DA-7, CM-3), and the date on
which a temporarily included entry leaves (DA-8). The restricted payment scope is the row's ``description``.
``CatalogRow`` is left as it is (the loader and the entry table are built from its fields); what it lacks is kept
beside it in ``CatalogState``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from domain.admission.categories import PaymentCategory
from domain.admission.decisions import EntryDecision, ProcurementFacts, terms_findings
from domain.admission.findings import Finding, refuse
from domain.codes import consumable_code, consumable_entry_code
from domain.errors import InvalidInput
from domain.reference_data import CatalogDiff, CatalogRow, diff_catalogs


@dataclass(frozen=True)
class Product:
    """A product (27-character code) listed under a catalog entry (CM-1)."""

    code: str
    name: str
    manufacturer: str
    specification: str

    @property
    def entry_code(self) -> str:
        """The entry it hangs under: the first 15 characters."""
        return self.code[:15]


@dataclass(frozen=True)
class EntryNames:
    """The names of a new entry's code levels (three-level classification, generic name, material, feature)."""

    primary_class: str
    secondary_class: str
    tertiary_class: str
    common_name: str
    material: str = ""
    characteristics: str = ""


@dataclass(frozen=True)
class NewEntry:
    """An entry the round includes; with ``leaves_on`` a temporary inclusion that leaves on that date (DA-8)."""

    decision: EntryDecision
    names: EntryNames
    leaves_on: date | None = None


@dataclass(frozen=True)
class TermsChange:
    """New terms of an existing entry: category, standard, scope (None keeps it), VBP facts (DA-5, DA-7, CM-3)."""

    entry_code: str
    category: PaymentCategory
    max_payment_standard: Decimal | None
    restricted_scope: str | None = None
    procurement: ProcurementFacts | None = None


@dataclass(frozen=True)
class CatalogChanges:
    """What a round (or a VBP inclusion, or an emergency inclusion) changes in the catalog."""

    new_entries: tuple[NewEntry, ...] = ()
    terms: tuple[TermsChange, ...] = ()
    retired: tuple[str, ...] = ()  # entry codes (DA-5)
    products: tuple[Product, ...] = ()  # added under existing (DA-4) or new entries


@dataclass(frozen=True)
class CatalogState:
    """One catalog version: entries by code, their products, VBP facts, and temporary entries' leaving dates."""

    rows: tuple[CatalogRow, ...]
    products: tuple[Product, ...] = ()
    procurement: Mapping[str, ProcurementFacts] = field(default_factory=dict)
    leaves_on: Mapping[str, date] = field(default_factory=dict)
    effective_on: date | None = None


@dataclass(frozen=True)
class Publication:
    """The next version and what changed from the current one (CM-6)."""

    catalog: CatalogState
    diff: CatalogDiff
    products_added: tuple[Product, ...]
    products_removed: tuple[Product, ...]

    @property
    def effective_on(self) -> date:
        """The date the new version takes effect."""
        assert self.catalog.effective_on is not None
        return self.catalog.effective_on



def _f(rule: str, name: str, message: str, detail: str) -> Finding:
    return Finding(rule, name, message, detail)


def _within(where: str, findings: list[Finding]) -> list[Finding]:
    return [replace(f, field=f"{where}.{f.field}") for f in findings]


def _new_entry_findings(where: str, new: NewEntry, taken: set[str], effective_on: date) -> list[Finding]:
    decision, names = new.decision, new.names
    if not decision.include:
        return [_f("DA-5", f"{where}.include", "未决定纳入的品种不能新增", "only an included entry is added")]
    found = _within(where, terms_findings(decision.category, decision.max_payment_standard, decision.procurement))
    try:
        consumable_entry_code(decision.entry_code, field="entry_code")
    except InvalidInput as exc:
        found.append(_f("CM-1", f"{where}.entry_code", "目录品种编码应为15位", exc.detail))
    if decision.entry_code in taken:
        found.append(_f("CM-1", f"{where}.entry_code", "该品种已在目录中",
                        f"{decision.entry_code} is already an entry"))
    taken.add(decision.entry_code)
    if not all(n.strip() for n in (names.primary_class, names.secondary_class, names.tertiary_class,
                                   names.common_name)):
        found.append(_f("CM-1", f"{where}.names", "请填写三级分类名称和医保通用名",
                        "a new entry names its three classification levels and its generic name"))
    if new.leaves_on is not None and new.leaves_on <= effective_on:
        found.append(_f("DA-8", f"{where}.leaves_on", "临时纳入的终止日期应晚于生效日期",
                        f"a temporary entry leaves after the effective date {effective_on}, not on {new.leaves_on}"))
    return found


def _existing_findings(where: str, code: str, codes: set[str], touched: set[str]) -> list[Finding]:
    found = []
    if code not in codes:
        found.append(_f("DA-5", where, "该品种不在现行目录中", f"{code} is not an entry of the current catalog"))
    if code in touched:
        found.append(_f("DA-5", where, "同一品种在本次只能有一项调整", f"{code} is retired or changed twice"))
    touched.add(code)
    return found


def _product_findings(where: str, product: Product, entries: set[str], taken: set[str]) -> list[Finding]:
    found = []
    try:
        consumable_code(product.code, field="code")
    except InvalidInput as exc:
        return [_f("CM-5", f"{where}.code", "请填写完整的27位医保医用耗材分类与代码", exc.detail)]
    if product.entry_code not in entries:
        found.append(_f("CM-1", f"{where}.code", "产品所属品种不在新版目录中",
                        f"the entry {product.entry_code} of {product.code} is not in the next version"))
    if product.code in taken:
        found.append(_f("CM-1", f"{where}.code", "该产品已在目录中", f"{product.code} is already listed"))
    taken.add(product.code)
    return found


def change_findings(current: CatalogState, changes: CatalogChanges, effective_on: date) -> list[Finding]:
    """Every reason the changes cannot make the next version (CM-1, CM-2, CM-3, CM-5, CM-6, DA-5, DA-8, VBP)."""
    found = []
    if current.effective_on is not None and effective_on <= current.effective_on:
        found.append(_f("CM-6", "effective_on", "新版本的生效日期应晚于现行版本",
                        f"the next version takes effect after {current.effective_on}, not on {effective_on}"))
    codes = {row.code for row in current.rows} - set(leaving(current, effective_on))
    touched: set[str] = set()
    for index, code in enumerate(changes.retired):
        found += _existing_findings(f"retired[{index}]", code, codes, touched)
    for index, change in enumerate(changes.terms):
        where = f"terms[{index}]"
        found += _existing_findings(f"{where}.entry_code", change.entry_code, codes, touched)
        found += _within(where, terms_findings(change.category, change.max_payment_standard, change.procurement))
    taken = codes - set(current.leaves_on)  # a temporary entry may be included for good (DA-8)
    for index, new in enumerate(changes.new_entries):
        found += _new_entry_findings(f"new_entries[{index}]", new, taken, effective_on)
    entries = (codes - set(changes.retired)) | {n.decision.entry_code for n in changes.new_entries}
    listed = {p.code for p in current.products}
    for index, product in enumerate(changes.products):
        found += _product_findings(f"products[{index}]", product, entries, listed)
    return found


def _new_row(new: NewEntry) -> CatalogRow:
    decision, names = new.decision, new.names
    assert decision.category is not None  # checked by terms_findings
    return CatalogRow(decision.entry_code, names.primary_class, names.secondary_class, names.tertiary_class,
                      names.common_name, names.material, names.characteristics, decision.category.value,
                      decision.max_payment_standard, decision.restricted_scope.strip() or None)


def _changed_row(row: CatalogRow, change: TermsChange) -> CatalogRow:
    scope = row.description if change.restricted_scope is None else (change.restricted_scope.strip() or None)
    return replace(row, payment_category=change.category.value, payment_standard=change.max_payment_standard,
                   description=scope)


def leaving(catalog: CatalogState, on_date: date) -> tuple[str, ...]:
    """The temporary entries (DA-8) whose leaving date is on or before ``on_date``, by code."""
    return tuple(sorted(code for code, day in catalog.leaves_on.items() if day <= on_date))


def next_version(current: CatalogState, changes: CatalogChanges, effective_on: date) -> Publication:
    """The next version: retire, change terms, add entries and products; temporary entries due by then leave (DA-8).

    Refuses (PolicyViolation carrying every finding) changes that ``change_findings`` reports.
    """
    refuse(change_findings(current, changes, effective_on), code="catalog_change_refused")
    gone = set(changes.retired) | set(leaving(current, effective_on))
    rows = {row.code: row for row in current.rows if row.code not in gone}
    procurement = {k: v for k, v in current.procurement.items() if k not in gone}
    leaves_on = {k: v for k, v in current.leaves_on.items() if k not in gone}
    for change in changes.terms:
        rows[change.entry_code] = _changed_row(rows[change.entry_code], change)
        if change.procurement is not None:
            procurement[change.entry_code] = change.procurement
    for new in changes.new_entries:
        rows[new.decision.entry_code] = _new_row(new)
        if new.decision.procurement is not None:
            procurement[new.decision.entry_code] = new.decision.procurement
        leaves_on.pop(new.decision.entry_code, None)
        if new.leaves_on is not None:
            leaves_on[new.decision.entry_code] = new.leaves_on
    products = [p for p in current.products if p.entry_code in rows] + list(changes.products)
    catalog = CatalogState(tuple(rows[c] for c in sorted(rows)), tuple(sorted(products, key=lambda p: p.code)),
                           procurement, leaves_on, effective_on)
    before, after = {p.code: p for p in current.products}, {p.code: p for p in catalog.products}
    return Publication(catalog, diff_catalogs(current.rows, catalog.rows),
                       tuple(after[c] for c in sorted(after.keys() - before.keys())),
                       tuple(before[c] for c in sorted(before.keys() - after.keys())))


def expire_temporary(current: CatalogState, on_date: date) -> Publication | None:
    """A version effective on ``on_date`` without the temporary entries due to leave by then (DA-8); None if none."""
    return next_version(current, CatalogChanges(), on_date) if leaving(current, on_date) else None
