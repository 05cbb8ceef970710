"""The registrations read model and its revisions (ND-3…ND-8, ND-12, ND-14), through the ORM.

Used through the unit of work (``uow.repository(Registrations)``). Scoping is the SQL form of
``domain.registration.access.sees_registration``: oversight roles see all, a hospital's officers and physicians
their hospital's. The settlement's hot path reads these rows in SQLAlchemy Core (``registration_settlement.py``).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, false, func, select, true
from sqlalchemy.orm import Session, aliased

from domain.actors import Actor
from domain.permissions import sees_all_organizations
from domain.registration.access import may_see_some_registration

from .registration_models import Registration, RegistrationRevision

LIVE = ("pending", "active", "suspended")
_R = Registration
_OWN = aliased(Registration)
# Built once: every engine step of a registration reads it (building it cost more than running it).
_WITH_PATIENT_ROWS = (
    select(_R).join(_OWN, (_OWN.psn_no == _R.psn_no) & (_OWN.drug == _R.drug))
    .where(_OWN.id == bindparam("p_id")).order_by(_R.start_date, _R.created_at)
)


@dataclass(frozen=True)
class RegistrationFilter:
    """Filters of the registration list; None means "any"."""

    status: str | None = None
    drug: str | None = None
    physician_code: str | None = None
    psn_no: str | None = None
    due_before: date | None = None


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The registrations ``actor`` may see, as SQL (the same facts as ``access.sees_registration``)."""
    if sees_all_organizations(actor):
        return true()
    if not may_see_some_registration(actor):
        return false()
    return _R.hospital_id == actor.org_id


class Registrations:
    """Registration rows and their revision history."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Registration) -> None:
        """Add a new registration (flush to meet the ND-3 constraint inside the use case)."""
        self.session.add(row)

    def get(self, registration_id: str, *, lock: bool = False) -> Registration | None:
        """One registration by id, locked for update when asked."""
        query = select(_R).where(_R.id == registration_id)
        return self.session.scalars(_locked(query) if lock else query).first()

    def current(self, registration_id: str) -> Registration | None:
        """One registration by id, from this session when it holds it already (no query): the projector reads the
        row the use case of the same step wrote or locked."""
        return self.session.get(_R, registration_id)

    def by_instance(self, instance_id: str) -> Registration | None:
        """The registration an instance runs."""
        return self.session.scalars(select(_R).where(_R.instance_id == instance_id)).first()

    def of_patient(self, psn_no: str, drug: str, *, lock: bool = False) -> Sequence[Registration]:
        """Every registration of one patient for one drug, oldest first (ND-3, ND-7)."""
        query = select(_R).where(_R.psn_no == psn_no, _R.drug == drug).order_by(_R.start_date, _R.created_at)
        return self.session.scalars(_locked(query) if lock else query).all()

    def with_patient_rows(self, registration_id: str) -> tuple[Registration | None, Sequence[Registration]]:
        """One registration by id, and every registration of its patient for its drug (itself included, oldest
        first), in one query: what an engine step's projection reads (ND-3, ND-7)."""
        rows = self.session.scalars(_WITH_PATIENT_ROWS, {"p_id": registration_id}).all()
        return next((r for r in rows if r.id == registration_id), None), rows

    def list(self, actor: Actor, f: RegistrationFilter, limit: int, offset: int) -> tuple[Sequence[Registration], int]:
        """The registrations ``actor`` may see, filtered, newest first, with the total."""
        query = select(_R).where(visible_to(actor))
        if f.status is not None:
            query = query.where(_R.status == f.status)
        if f.drug is not None:
            query = query.where(_R.drug == f.drug)
        if f.physician_code is not None:
            query = query.where(_R.physician_code == f.physician_code)
        if f.psn_no is not None:
            query = query.where(_R.psn_no == f.psn_no)
        if f.due_before is not None:
            query = query.where(_R.next_reassessment_due < f.due_before)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(_R.created_at.desc(), _R.id).limit(limit).offset(offset)).all()
        return rows, total

    def count_by_drug_and_status(self, actor: Actor) -> builtins.list[tuple[str, str, int]]:
        """The registrations ``actor`` may see, counted per drug and status (the dashboard)."""
        query = (select(_R.drug, _R.status, func.count()).where(visible_to(actor))
                 .group_by(_R.drug, _R.status).order_by(_R.drug, _R.status))
        return [(str(drug), str(status), int(n)) for drug, status, n in self.session.execute(query).all()]

    def live_drugs(self) -> builtins.list[str]:
        """The drugs some live registration is for (ND-12)."""
        return sorted(self.session.scalars(select(_R.drug).where(_R.status.in_(LIVE)).distinct()))

    def live_for_drugs(self, drugs: Sequence[str], limit: int, leave: Collection[str] = ()) -> Sequence[Registration]:
        """Up to ``limit`` live registrations for ``drugs`` but not ``leave``, locked; rows another batch holds are
        skipped (PostgreSQL), so a batch never waits on, nor locks, all of them at once (ND-12)."""
        query = select(_R).where(_R.status.in_(LIVE), _R.drug.in_(drugs))
        if leave:
            query = query.where(_R.id.not_in(list(leave)))
        query = query.order_by(_R.id).limit(limit).with_for_update(skip_locked=True)
        return self.session.scalars(query).all()

    # --- revisions ----------------------------------------------------------------------------------------
    def add_revision(self, registration_id: str, kind: str, at: datetime, actor_id: str, current: dict[str, Any],
                     previous: dict[str, Any] | None = None, reason: str | None = None, *,
                     first: bool = False) -> RegistrationRevision:
        """Record one change of a registration, keeping the values it replaced (ND-8, ND-14); ``first`` for the
        revision of a registration made in this transaction (number 1, no lookup)."""
        last = 0 if first else self.session.scalar(select(func.max(RegistrationRevision.seq))
                                                   .where(RegistrationRevision.registration_id == registration_id))
        revision = RegistrationRevision(
            registration_id=registration_id, seq=(last or 0) + 1, kind=kind, at=at, actor_id=actor_id,
            reason=reason, previous=_json(previous) if previous is not None else None, current=_json(current),
        )
        self.session.add(revision)
        return revision

    def revisions(self, registration_id: str) -> Sequence[RegistrationRevision]:
        """A registration's revisions, oldest first."""
        query = select(RegistrationRevision).where(RegistrationRevision.registration_id == registration_id)
        return self.session.scalars(query.order_by(RegistrationRevision.seq)).all()


def _locked(query: Select[Registration]) -> Select[Registration]:
    """``query`` locking its rows for update, and reading them afresh: a row this session read before the lock
    (a use case reads a registration to find its instance, locks the instance, then locks the row) may have been
    changed meanwhile, and the identity map would otherwise keep the old values."""
    return query.with_for_update().execution_options(populate_existing=True)


def _json(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
