"""The current catalog as the domain sees it (rows, products, VBP facts, leaving dates) and a new version stored
with all of it (CM-6): shared by a round's publication and by the bureau's direct changes (DA-7, DA-8)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from domain.actors import Actor
from domain.admission.direct import procurement_from_data, procurement_to_data
from domain.admission.publication import CatalogState, Product, Publication
from domain.errors import Conflict
from domain.reference_data import rows_digest
from storage.admission_catalog_repository import CatalogProducts
from storage.catalog_models import CatalogVersion
from storage.models import new_id
from storage.uow import UnitOfWork

from ..reference_data import CATALOG_AGGREGATE

MAX_SOURCE_NAME = 200


def current_catalog(uow: UnitOfWork) -> CatalogState:
    """The latest catalog version with its products, VBP facts and leaving dates."""
    latest = uow.catalogs.latest()
    if latest is None:
        raise Conflict("no catalog version has been published to build on", code="catalog_version_not_found",
                       rule="CM-6")
    products = uow.repository(CatalogProducts)
    facts = products.facts_of_version(latest.id)
    procurement = {f.code: p for f in facts if (p := procurement_from_data(json.loads(f.procurement or "null")))}
    return CatalogState(
        tuple(uow.catalogs.all_entries(latest.id)),
        tuple(Product(p.code, p.name, p.manufacturer, p.specification) for p in products.of_version(latest.id)),
        procurement, {f.code: f.leaves_on for f in facts if f.leaves_on is not None}, latest.effective_date)


def store_version(uow: UnitOfWork, publication: Publication, name: str, actor: Actor, now: datetime,
                  about: dict[str, Any]) -> CatalogVersion:
    """Store the next version with its entries, products and entry facts, and its audit entry."""
    catalog = publication.catalog
    version = CatalogVersion(id=new_id(), version=uow.catalogs.next_version(), effective_date=publication.effective_on,
                             published_at=now, source=f"{name[:MAX_SOURCE_NAME]} sha256:{rows_digest(catalog.rows)}",
                             entries=len(catalog.rows))
    uow.catalogs.add(version)
    uow.flush()
    uow.catalogs.insert_entries(version.id, catalog.rows)
    products = uow.repository(CatalogProducts)
    products.insert(version.id, [{"code": p.code, "entry_code": p.entry_code, "name": p.name,
                                  "manufacturer": p.manufacturer, "specification": p.specification}
                                 for p in catalog.products])
    codes = sorted(set(catalog.procurement) | set(catalog.leaves_on))
    products.insert_facts(version.id, [
        {"code": c, "leaves_on": catalog.leaves_on.get(c),
         "procurement": json.dumps(procurement_to_data(catalog.procurement.get(c)), ensure_ascii=False)
         if c in catalog.procurement else None} for c in codes])
    diff = publication.diff
    aggregate_type, aggregate_id = CATALOG_AGGREGATE
    uow.audit.append(
        aggregate_type=aggregate_type, aggregate_id=aggregate_id, at=now, actor=actor.user_id,
        actor_org=actor.org_id, action="catalog.version_published", object_type="catalog_version",
        object_id=version.id, after={
            "version": version.version, "effective_date": version.effective_date.isoformat(), **about,
            "entries": len(catalog.rows), "added": [r.code for r in diff.added],
            "removed": [r.code for r in diff.removed], "changed": [c.code for c in diff.changed],
            "products_added": [p.code for p in publication.products_added]})
    return version
