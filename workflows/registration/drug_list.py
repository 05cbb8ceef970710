"""The bureau maintains the negotiated-drug list through the API (ND-1): each change of a drug's agreement period,
limit or restriction is a new version of the list; and when a drug's agreement ends, its registrations end (ND-12).

The ending runs in batches, each its own transaction over at most ``batch_size`` registrations it locks (rows
another transaction holds are skipped, not waited for), so no lock is ever held on all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.actors import Actor
from domain.dates import china_date
from domain.errors import Conflict, InvalidInput, NotFound
from domain.permissions import require
from domain.reference_data import DrugRow, drug_row
from domain.registration.lifecycle import endings_for_drug_list
from storage.registration import Registrations

from .. import clock, reference_data
from ..context import Services
from ..reference_data import DrugListVersionView
from .ending import end_registration
from .facts import current_drugs, refresh, registration_facts

BATCH_SIZE = 200
MAX_BATCHES = 100_000


@dataclass(frozen=True)
class DrugInput:
    """A drug of the list as the bureau states it (ND-1, ND-9, ND-12, ND-16)."""

    name: str
    dosage_form: str
    restriction: str
    annual_limit: Any
    agreement_start: date | None
    agreement_end: date | None
    required_specialty: str | None
    specialty_exempt_indications: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndingReport:
    """What one run of the ND-12 ending did."""

    ended: int
    refreshed: int
    batches: int


def _checked_row(seq: int, given: DrugInput) -> DrugRow:
    """The drug checked by the same rules as a row of the list's file, the error naming the field only."""
    limit = given.annual_limit
    record = {
        "seq": str(seq), "name": given.name, "dosage_form": given.dosage_form, "restriction": given.restriction,
        "annual_limit": str(limit) if isinstance(limit, Decimal | int | str) and not isinstance(limit, bool)
        else "x", "agreement_start": given.agreement_start.isoformat() if given.agreement_start else "",
        "agreement_end": given.agreement_end.isoformat() if given.agreement_end else "",
        "required_specialty": given.required_specialty or "",
        "specialty_exempt_indications": ";".join(given.specialty_exempt_indications),
    }
    try:
        return drug_row(record, seq)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail.split(": ", 1)[-1], code=exc.code, field=exc.field, rule="ND-1") from None


def _publish(services: Services, actor: Actor, rows: list[DrugRow], what: str,
             effective: date | None) -> DrugListVersionView:
    with services.uow(read_only=True) as uow:
        today = china_date(clock.now(services, uow))
    source = f"API: {what} by {actor.username or actor.user_id}"[:200]
    return reference_data.publish_drug_list(services, actor, sorted(rows, key=lambda r: r.seq), effective or today,
                                            source)


def _current(services: Services) -> dict[int, DrugRow]:
    with services.uow(read_only=True) as uow:
        return {row.seq: row for row in current_drugs(uow).values()}


def save_drug(services: Services, actor: Actor, seq: int, given: DrugInput,
              effective: date | None = None) -> DrugListVersionView:
    """Add drug ``seq`` or replace it (agreement period, limit, restriction…) as a new version of the list (ND-1)."""
    require(actor, "registration.drug_list")
    row = _checked_row(seq, given)
    rows = _current(services)
    clash = next((r for r in rows.values() if r.name == row.name and r.seq != seq), None)
    if clash is not None:
        raise Conflict(f"drug {clash.seq} of the list is already named {row.name}", code="duplicate_drug",
                       field="name")
    what = f"drug {seq} {'changed' if seq in rows else 'added'}"
    rows[seq] = row
    return _publish(services, actor, list(rows.values()), what, effective)


def delist_drug(services: Services, actor: Actor, seq: int, effective: date | None = None) -> DrugListVersionView:
    """Take drug ``seq`` off the list as a new version; its registrations end at the next ending run (ND-12)."""
    require(actor, "registration.drug_list")
    rows = _current(services)
    if seq not in rows:
        raise NotFound(f"the current list has no drug {seq}", code="drug_not_found", field="seq")
    if len(rows) == 1:
        raise Conflict("the list keeps at least one drug", code="last_drug", field="seq")
    del rows[seq]
    return _publish(services, actor, list(rows.values()), f"drug {seq} delisted", effective)


def end_registrations_of_ended_drugs(services: Services, actor: Actor,
                                     batch_size: int = BATCH_SIZE) -> EndingReport:
    """ND-12: end every live registration whose drug's agreement ended or which left the list, in batches."""
    require(actor, "registration.agreement_end")
    if not 1 <= batch_size <= 10_000:
        raise InvalidInput("batch_size must be 1–10000", field="batch_size")
    ended = refreshed = batches = 0
    busy: set[str] = set()  # registrations whose instance an engine step held: left to the next run
    while batches < MAX_BATCHES:
        done = _one_batch(services, actor, batch_size, busy)
        if done is None:
            break
        ended, refreshed, batches = ended + done[0], refreshed + done[1], batches + 1
    return EndingReport(ended, refreshed, batches)


def _agreement_ended(drug: DrugRow, today: date) -> bool:
    return drug.agreement_end is not None and drug.agreement_end < today


def _one_batch(services: Services, actor: Actor, batch_size: int, busy: set[str]) -> tuple[int, int] | None:
    """One transaction: end up to ``batch_size`` registrations; None when nothing is left to do. Adds to ``busy``
    the registrations it left because an engine step held their instance."""
    with services.uow() as uow:
        now = clock.now(services, uow)
        today = china_date(now)
        drugs = current_drugs(uow)
        repo = uow.repository(Registrations)
        targets = [d for d in repo.live_drugs() if d not in drugs or _agreement_ended(drugs[d], today)]
        rows = repo.live_for_drugs(targets, batch_size, busy) if targets else []
        if not rows:
            return None
        # The rows came first here (skipping those others hold); their instances are taken only if free, so this
        # batch never waits for an engine step that waits for one of these rows (queries.visible_row). A row whose
        # instance is busy is left to the next batch.
        free = uow.store.lock([r.instance_id for r in rows if r.instance_id is not None], skip_locked=True)
        busy.update(r.id for r in rows if r.instance_id is not None and r.instance_id not in free)
        rows = [r for r in rows if r.id not in busy]
        endings = {e.registration_id: e for e in endings_for_drug_list([registration_facts(r) for r in rows],
                                                                         drugs, today)}
        for row in rows:
            ending = endings.get(row.id)
            if ending is None:  # no longer live by its dates (expired): the stored status catches up
                refresh(uow, row, today)
                continue
            note = f"{row.drug}: {'agreement ended' if ending.reason == 'agreement_ended' else 'left the list'}"
            end_registration(services, uow, actor, row, ending.reason, note, now, on=ending.ended_on)
        uow.commit()
        return len(endings), len(rows) - len(endings)
