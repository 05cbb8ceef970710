"""Use cases around a round that come from outside the bureau: the NHSA's answer to a filing (DA-6), objections
during the public notice (SV-1), and the published results anyone may read (SV-1)."""

from __future__ import annotations

from collections import Counter

from domain.actors import Actor
from domain.errors import InvalidInput, NotFound, PolicyViolation
from domain.permissions import require, sees_all_organizations
from storage.admission_catalog_repository import CatalogProducts
from storage.admission_models import Filing, Objection
from storage.admission_repository import Applications, Rounds

from .. import clock, messages, reference_data
from ..context import Services
from .rounds import get_round, round_row
from .steps import deliver_in
from .views import FilingView, ObjectionView, PublicationView, RoundView

MAX_TEXT = 2000


def _filing_view(row: Filing) -> FilingView:
    return FilingView(row.id, row.round_id, row.seq, row.status, row.submitted_at, row.filing_number, row.reasons,
                      row.answered_by, row.answered_at)


def _text(value: str, field: str, limit: int = MAX_TEXT) -> str:
    if not value.strip() or len(value) > limit:
        raise InvalidInput(f"{field} must be 1–{limit} characters", field=field)
    return value.strip()


def list_filings(services: Services, actor: Actor, round_id: str | None = None,
                 status: str | None = None) -> list[FilingView]:
    """Filings with the NHSA, for the NHSA and the bureau (DA-6)."""
    if not sees_all_organizations(actor):
        require(actor, "admission.filing.answer")
    with services.uow(read_only=True) as uow:
        return [_filing_view(f) for f in uow.repository(Rounds).filings(round_id, status)]


def answer_filing(services: Services, actor: Actor, round_id: str, acknowledged: bool,
                  filing_number: str | None = None, reasons: str | None = None) -> RoundView:
    """The NHSA acknowledges the round's filing with its number, or rejects it with reasons (DA-6)."""
    require(actor, "admission.filing.answer")
    if acknowledged:
        payload = {"filing_number": _text(filing_number or "", "filing_number", 100)}
    else:
        payload = {"reasons": _text(reasons or "", "reasons")}
    with services.uow(read_only=True) as uow:
        round_row(uow, round_id)
    messages.deliver_message(services, actor, "filing_acknowledged" if acknowledged else "filing_rejected",
                             round_id, payload)
    return get_round(services, actor, round_id)


def _objection_view(row: Objection) -> ObjectionView:
    return ObjectionView(row.id, row.round_id, row.entry_code, row.text, row.lodged_by, row.lodged_at, row.status,
                         row.upheld, row.resolution, row.resolved_by, row.resolved_at)


def lodge_objection(services: Services, actor: Actor, round_id: str, text: str,
                    entry_code: str | None = None) -> ObjectionView:
    """Any logged-in user objects to a round's results during its public notice (SV-1)."""
    body = _text(text, "text")
    with services.uow() as uow:
        row = round_row(uow, round_id)
        uow.store.load(row.instance_id, lock=True)
        if row.stage != "notice":
            raise PolicyViolation("objections are lodged during the round's public notice", rule="SV-1",
                                  code="not_in_notice", field="round_id")
        if entry_code is not None and uow.repository(Rounds).candidate(row.id, entry_code) is None:
            raise InvalidInput(f"{entry_code} is not a candidate of this round", field="entry_code")
        now = clock.now(services, uow)
        objection = Objection(round_id=row.id, entry_code=entry_code, text=body, lodged_by=actor.user_id,
                              lodged_at=now, status="open")
        rounds = uow.repository(Rounds)
        rounds.add(objection)
        rounds.flush()
        deliver_in(services, uow, row.instance_id, "objection_lodged", {"objection_id": objection.id}, actor, now)
        view = _objection_view(objection)
        uow.commit()
        return view


def list_objections(services: Services, actor: Actor, round_id: str) -> list[ObjectionView]:
    """A round's objections: all for the bureau, one's own for anyone else."""
    with services.uow(read_only=True) as uow:
        row = round_row(uow, round_id)
        found = uow.repository(Rounds).objections(row.id)
        return [_objection_view(o) for o in found if sees_all_organizations(actor) or o.lodged_by == actor.user_id]


def list_publications(services: Services) -> list[PublicationView]:
    """The published rounds: version, effective date, what changed, how the applications ended (SV-1)."""
    with services.uow(read_only=True) as uow:
        found = []
        for row in uow.repository(Rounds).published():
            assert row.published_version is not None and row.effective_on and row.published_at
            counted = Counter(a.outcome_kind or a.status for a in uow.repository(Applications).in_round(row.id))
            found.append((row.id, row.name, row.published_version, row.effective_on, row.published_at,
                          dict(sorted(counted.items()))))
    views = []
    for round_id, name, version, effective_on, published_at, outcomes in found:
        diff = reference_data.catalog_diff(services, version - 1, version)
        views.append(PublicationView(round_id, name, version, effective_on, published_at,
                                     [e.code for e in diff.added], [e.code for e in diff.removed],
                                     [c.code for c in diff.changed], _products_added(services, version), outcomes))
    return views


def _products_added(services: Services, version: int) -> list[str]:
    with services.uow(read_only=True) as uow:
        new, old = uow.catalogs.version(version), uow.catalogs.version(version - 1)
        if new is None:
            raise NotFound(f"no catalog version {version}", code="catalog_version_not_found")
        products = uow.repository(CatalogProducts)
        before = {p.code for p in products.of_version(old.id)} if old is not None else set()
        return sorted({p.code for p in products.of_version(new.id)} - before)
