"""Publication of a round (发布实施): the next catalog version with its effective date (CM-6), then each of the
round's applications receives its outcome by message (DA-9), all in the publishing step's transaction."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.admission.decisions import EntryDecision
from domain.admission.outcomes import Outcome, included_automatically, round_outcomes
from domain.admission.publication import (
    CatalogChanges,
    CatalogState,
    EntryNames,
    NewEntry,
    Product,
    Publication,
    TermsChange,
    next_version,
)
from domain.errors import Conflict, InvalidInput, PolicyViolation
from domain.reference_data import rows_digest
from storage.admission_models import Application, Candidate, Round
from storage.admission_repository import Applications, CatalogProducts, Rounds
from storage.catalog_models import CatalogVersion
from storage.models import new_id
from storage.uow import UnitOfWork

from ..projections import Step
from ..reference_data import CATALOG_AGGREGATE
from .binding import services_of
from .records import facts_of
from .round_steps import decision_of, domain_candidates
from .steps import deliver_in


def _effective_on(step: Step) -> date:
    value = step.task_data(step.completed_task or "").get("effective_on")
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("effective_on must be a date YYYY-MM-DD", field="effective_on", rule="CM-6") from None


def _product(application: Application) -> Product:
    facts = facts_of(application)
    return Product(str(application.code), str(facts.get("product_name", "")), str(facts.get("manufacturer", "")),
                   str(facts.get("specification", "")))


def _products(applications: list[Application], listed: set[str]) -> list[Product]:
    found: dict[str, Product] = {}
    for application in applications:
        if application.code and application.code not in listed:
            found.setdefault(application.code, _product(application))
    return list(found.values())


def changes_of(row: Round, candidates: list[Candidate], applications: list[Application],
               current: CatalogState) -> CatalogChanges:
    """The catalog changes the round decided: new entries, new terms, products, retirements (DA-4, DA-5)."""
    listed = {p.code for p in current.products}
    new_entries: list[NewEntry] = []
    terms: list[TermsChange] = []
    products = _products([a for a in applications if a.fast_path], listed)
    for candidate in candidates:
        decision = decision_of(candidate)
        if not decision.include:
            continue
        mine = [a for a in applications if not a.fast_path and (a.code or "")[:15] == candidate.entry_code]
        products += _products(mine, listed | {p.code for p in products})
        if candidate.in_catalog:
            assert decision.category is not None  # checked when consolidated
            terms.append(TermsChange(candidate.entry_code, decision.category, decision.max_payment_standard,
                                     decision.restricted_scope))
        else:
            names = EntryNames(**json.loads(candidate.names or "{}"))
            new_entries.append(NewEntry(decision, names))
    retired = tuple(r["entry_code"] for r in json.loads(row.retirements or "[]"))
    return CatalogChanges(tuple(new_entries), tuple(terms), retired, tuple(products))


def _current(uow: UnitOfWork) -> CatalogState:
    latest = uow.catalogs.latest()
    if latest is None:
        raise Conflict("no catalog version has been published to build on", code="catalog_version_not_found",
                       rule="CM-6")
    products = [Product(p.code, p.name, p.manufacturer, p.specification)
                for p in uow.repository(CatalogProducts).of_version(latest.id)]
    return CatalogState(tuple(uow.catalogs.all_entries(latest.id)), tuple(products),
                                effective_on=latest.effective_date)


def _store(uow: UnitOfWork, row: Round, publication: Publication, step: Step) -> CatalogVersion:
    rows = publication.catalog.rows
    version = CatalogVersion(id=new_id(), version=uow.catalogs.next_version(),
                             effective_date=publication.effective_on, published_at=step.now,
                             source=f"{row.name} sha256:{rows_digest(rows)}", entries=len(rows))
    uow.catalogs.add(version)
    uow.flush()
    uow.catalogs.insert_entries(version.id, rows)
    uow.repository(CatalogProducts).insert(version.id, [
        {"code": p.code, "entry_code": p.entry_code, "name": p.name, "manufacturer": p.manufacturer,
         "specification": p.specification} for p in publication.catalog.products])
    diff = publication.diff
    aggregate_type, aggregate_id = CATALOG_AGGREGATE
    uow.audit.append(
        aggregate_type=aggregate_type, aggregate_id=aggregate_id, at=step.now, actor=step.actor.user_id,
        actor_org=step.actor.org_id, action="catalog.version_published", object_type="catalog_version",
        object_id=version.id, after={
            "version": version.version, "effective_date": version.effective_date.isoformat(), "round": row.id,
            "entries": len(rows), "added": [r.code for r in diff.added], "removed": [r.code for r in diff.removed],
            "changed": [c.code for c in diff.changed],
            "products_added": [p.code for p in publication.products_added]})
    return version


def outcomes_of(uow: UnitOfWork, row: Round, candidates: list[Candidate], applications: list[Application],
                effective_on: date) -> dict[str, Outcome]:
    """Every application's outcome by id: by the experts' round (DA-5) or included automatically (DA-4)."""
    decisions: dict[str, EntryDecision] = {c.entry_code: decision_of(c) for c in candidates}
    found = round_outcomes(list(domain_candidates(uow, row).values()), decisions, effective_on)
    for application in applications:
        if application.fast_path and application.entry_code:
            found[application.id] = included_automatically(application.entry_code, effective_on)
    return found


def publish(uow: UnitOfWork, row: Round, step: Step) -> None:
    """Publish the round's catalog version and tell every application of the round its outcome."""
    effective_on = _effective_on(step)
    rounds = uow.repository(Rounds)
    if rounds.objections(row.id, status="open"):
        raise PolicyViolation("every objection is resolved before publication", rule="SV-1",
                              code="objections_unresolved", field="objections")
    current = _current(uow)
    applications = uow.repository(Applications).in_round(row.id, ("accepted",))
    candidates = rounds.candidates(row.id)
    publication = next_version(current, changes_of(row, candidates, applications, current), effective_on)
    version = _store(uow, row, publication, step)
    row.published_version, row.effective_on, row.published_at = version.version, effective_on, step.now
    outcomes = outcomes_of(uow, row, candidates, applications, effective_on)
    services = services_of(step.run.engine)
    for application in applications:
        payload: dict[str, Any] = outcomes[application.id].to_dict()
        deliver_in(services, uow, application.instance_id, "application_outcome", payload, step.actor, step.now)
