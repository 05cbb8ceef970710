"""One entry of a published catalog version as the public reads it (SV-1): its row, the products listed under it
(CM-1, CM-5), its VBP facts (VBP-1…VBP-4), the day a temporary inclusion leaves (DA-8), where its payment standard
comes from, and the versions that list it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.admission.direct import procurement_from_data, procurement_to_data
from domain.admission.payment import standard_basis
from domain.codes import consumable_entry_code, consumable_entry_key
from domain.errors import NotFound
from storage.admission_catalog_repository import CatalogProducts

from ..context import Services
from ..reference_data import CatalogEntryView, catalog_version_row


@dataclass(frozen=True)
class ProductView:
    """A product (27-character code) under an entry."""

    code: str
    name: str
    manufacturer: str
    specification: str


@dataclass(frozen=True)
class CatalogEntryDetailView(CatalogEntryView):
    """An entry of one version with what the version knows about it."""

    standard_rule: str
    standard_basis: str
    procurement: dict[str, Any] | None
    leaves_on: date | None
    products: list[ProductView]
    versions: list[int]


def get_entry(services: Services, code: str, version: int | None = None) -> CatalogEntryDetailView:
    """The entry of a 15-character code, or of a 27-character product code's first 15, in a version (the latest
    when None), with its products and facts."""
    key = consumable_entry_key(code) if len(code) == 27 else consumable_entry_code(code, field="code")
    with services.uow(read_only=True) as uow:
        row = catalog_version_row(uow.catalogs, version)
        entry = uow.catalogs.entry(row.id, key)
        if entry is None:
            raise NotFound(f"catalog version {row.version} has no entry {key}", code="catalog_entry_not_found")
        products = uow.repository(CatalogProducts)
        facts = products.facts(row.id, key)
        listed = [ProductView(p.code, p.name, p.manufacturer, p.specification) for p in products.of_entry(row.id, key)]
        versions = uow.catalogs.versions_with(key)
    procurement = procurement_from_data(json.loads(facts.procurement or "null")) if facts else None
    rule, basis = standard_basis(entry.payment_category, entry.payment_standard, procurement)
    return CatalogEntryDetailView(
        version=row.version, **vars(entry), standard_rule=rule, standard_basis=basis,
        procurement=procurement_to_data(procurement), leaves_on=facts.leaves_on if facts else None,
        products=listed, versions=versions)
