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
    TermsChange,
    next_version,
)
from domain.errors import InvalidInput, PolicyViolation
from storage.admission_models import Application, Candidate, Round
from storage.admission_repository import Applications, Rounds
from storage.uow import UnitOfWork

from ..projections import Step
from .binding import services_of
from .catalog_versions import current_catalog, store_version
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
    current = current_catalog(uow)
    applications = uow.repository(Applications).in_round(row.id, ("accepted",))
    candidates = rounds.candidates(row.id)
    publication = next_version(current, changes_of(row, candidates, applications, current), effective_on)
    version = store_version(uow, publication, row.name, step.actor, step.now, {"round": row.id})
    row.published_version, row.effective_on, row.published_at = version.version, effective_on, step.now
    outcomes = outcomes_of(uow, row, candidates, applications, effective_on)
    services = services_of(step.run.engine)
    for application in applications:
        payload: dict[str, Any] = outcomes[application.id].to_dict()
        deliver_in(services, uow, application.instance_id, "application_outcome", payload, step.actor, step.now)
