"""The settlement's hot path in SQLAlchemy Core: the registration in force, the dispenser, the annual account locked
for update, the dispensing idempotent by external reference, and the versioned payment configuration (ND-9, ND-11,
ND-13, ND-15). Never reads a workflow's state. Used through ``uow.repository(Settlements)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, Table, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from domain.reference_data import DrugRow

from .catalog_models import DrugListVersion, NegotiatedDrug
from .identity_models import Organization, PharmacyDesignation
from .models import new_id
from .registration_models import AnnualAccount, Dispensing, PaymentConfig, Registration

REGISTRATIONS = cast(Table, Registration.__table__)
ACCOUNTS = cast(Table, AnnualAccount.__table__)
DISPENSINGS = cast(Table, Dispensing.__table__)
CONFIGS = cast(Table, PaymentConfig.__table__)
ORGS = cast(Table, Organization.__table__)
DESIGNATIONS = cast(Table, PharmacyDesignation.__table__)
DRUGS = cast(Table, NegotiatedDrug.__table__)
VERSIONS = cast(Table, DrugListVersion.__table__)

_R, _O = REGISTRATIONS.c, ORGS.c
_DRUG_COLUMNS = tuple(DRUGS.c[name] for name in DrugRow.__dataclass_fields__)
_HOSPITAL = ORGS.alias("hospital")
# The registration covering a day, with its hospital's tier and designation (one indexed lookup by patient and drug).
_IN_FORCE = (
    select(REGISTRATIONS, _HOSPITAL.c.tier.label("hospital_tier"), _HOSPITAL.c.designated.label("hospital_designated"))
    .join(_HOSPITAL, _HOSPITAL.c.id == _R.hospital_id)
)


class Settlements:
    """Reads and writes of one settlement, each a single statement."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _run(self, statement: Any, params: Any = None) -> Any:
        return self.session.connection().execute(statement, params or {})

    # --- reads --------------------------------------------------------------------------------------------
    def registration_on(self, psn_no: str, drug: str, day: date) -> Row[Any] | None:
        """The patient's registration for ``drug`` whose validity contains ``day`` (the latest start if several)."""
        query = _IN_FORCE.where(_R.psn_no == psn_no, _R.drug == drug, _R.start_date <= day, _R.end_date > day)
        return cast(Row[Any] | None, self._run(query.order_by(_R.start_date.desc(), _R.created_at.desc())
                                                .limit(1)).first())

    def latest_registration(self, psn_no: str, drug: str) -> Row[Any] | None:
        """The patient's most recent registration for ``drug`` (to name why a dispensing is refused)."""
        query = _IN_FORCE.where(_R.psn_no == psn_no, _R.drug == drug)
        return cast(Row[Any] | None, self._run(query.order_by(_R.start_date.desc()).limit(1)).first())

    def organization(self, org_id: str) -> Row[Any] | None:
        """A dispensing organization's facts."""
        return cast(Row[Any] | None, self._run(select(ORGS).where(_O.id == org_id)).first())

    def designating_hospitals(self, pharmacy_id: str) -> frozenset[str]:
        """The codes of the hospitals that designated a pharmacy (ND-13)."""
        query = (select(_O.code).join(DESIGNATIONS, DESIGNATIONS.c.hospital_id == _O.id)
                 .where(DESIGNATIONS.c.pharmacy_id == pharmacy_id))
        return frozenset(self._run(query).scalars())

    def current_drug(self, name: str) -> DrugRow | None:
        """The drug of that name in the latest version of the negotiated-drug list (ND-1)."""
        latest = select(VERSIONS.c.id).order_by(VERSIONS.c.version.desc()).limit(1).scalar_subquery()
        row = self._run(select(*_DRUG_COLUMNS).where(DRUGS.c.version_id == latest, DRUGS.c.name == name)).first()
        if row is None:
            return None
        values = row._asdict()
        values["specialty_exempt_indications"] = tuple(
            p for p in (values["specialty_exempt_indications"] or "").split(";") if p)
        return DrugRow(**values)

    def dispensing_by_ref(self, dispenser_id: str, external_ref: str) -> Row[Any] | None:
        """The dispensing a dispenser already recorded under an external reference (idempotency)."""
        query = select(DISPENSINGS).where(DISPENSINGS.c.dispenser_id == dispenser_id,
                                          DISPENSINGS.c.external_ref == external_ref)
        return cast(Row[Any] | None, self._run(query).first())

    def dispensing(self, dispensing_id: str, *, lock: bool = False) -> Row[Any] | None:
        """One dispensing by id."""
        query = select(DISPENSINGS).where(DISPENSINGS.c.id == dispensing_id)
        return cast(Row[Any] | None, self._run(query.with_for_update() if lock else query).first())

    def dispensings_of_account(self, account_id: str) -> Sequence[Row[Any]]:
        """Every dispensing charged to an account, oldest first."""
        query = select(DISPENSINGS).where(DISPENSINGS.c.account_id == account_id)
        return cast(Sequence[Row[Any]], self._run(query.order_by(DISPENSINGS.c.dispensed_at,
                                                                 DISPENSINGS.c.id)).all())

    def account(self, psn_no: str, drug: str, year_start: date) -> Row[Any] | None:
        """The annual account of a patient, a drug and a benefit year, if any settlement opened it."""
        c = ACCOUNTS.c
        return cast(Row[Any] | None, self._run(select(ACCOUNTS).where(
            c.psn_no == psn_no, c.drug == drug, c.year_start == year_start)).first())

    # --- the annual account, locked ------------------------------------------------------------------------
    def lock_account(self, psn_no: str, drug: str, year_start: date, year_end: date, limit: Decimal,
                     now: datetime) -> Row[Any]:
        """The annual account, created if missing, locked ``FOR UPDATE`` until the transaction ends (ND-9)."""
        values = {"id": new_id(), "psn_no": psn_no, "drug": drug, "year_start": year_start, "year_end": year_end,
                  "annual_limit": limit, "fund_paid": Decimal("0.00"), "deductible_met": Decimal("0.00"),
                  "updated_at": now}
        dialect = self.session.get_bind().dialect.name
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        self._run(make(ACCOUNTS).values(**values).on_conflict_do_nothing(
            index_elements=["psn_no", "drug", "year_start"]))
        c = ACCOUNTS.c
        query = select(ACCOUNTS).where(c.psn_no == psn_no, c.drug == drug, c.year_start == year_start)
        return cast(Row[Any], self._run(query.with_for_update()).one())

    def lock_account_by_id(self, account_id: str) -> Row[Any]:
        """An existing annual account, locked for update."""
        return cast(Row[Any], self._run(select(ACCOUNTS).where(ACCOUNTS.c.id == account_id).with_for_update()).one())

    def save_account(self, account_id: str, limit: Decimal, fund_paid: Decimal, deductible_met: Decimal,
                     now: datetime) -> None:
        """Write the account's totals after a settlement or a reversal."""
        self._run(update(ACCOUNTS).where(ACCOUNTS.c.id == account_id).values(
            annual_limit=limit, fund_paid=fund_paid, deductible_met=deductible_met, updated_at=now))

    # --- dispensings --------------------------------------------------------------------------------------
    def add_dispensing(self, values: dict[str, Any]) -> None:
        """Insert a settled dispensing; a second one with the same external reference violates the constraint."""
        self._run(insert(DISPENSINGS).values(**values))

    def mark_reversed(self, dispensing_id: str, at: datetime, by: str, reason: str) -> None:
        """Record a dispensing's reversal."""
        self._run(update(DISPENSINGS).where(DISPENSINGS.c.id == dispensing_id).values(
            reversed_at=at, reversed_by=by, reversal_reason=reason))

    # --- payment configuration (ND-15) ----------------------------------------------------------------------
    def config_version(self, version: int | None = None) -> tuple[int, Sequence[Row[Any]]] | None:
        """The rules of a configuration version (the latest when None), or None when there is none."""
        number = version if version is not None else self._run(select(func.max(CONFIGS.c.version))).scalar()
        if number is None:
            return None
        rows = self._run(select(CONFIGS).where(CONFIGS.c.version == number)
                         .order_by(CONFIGS.c.insurance_type, CONFIGS.c.tier)).all()
        return (int(number), rows) if rows else None

    def config_versions(self) -> Sequence[Row[Any]]:
        """Every configuration version with when and by whom it was made, oldest first."""
        c = CONFIGS.c
        query = (select(c.version, func.min(c.created_at).label("created_at"), func.min(c.created_by)
                        .label("created_by"), func.min(c.note).label("note"), func.count().label("rules"))
                 .group_by(c.version).order_by(c.version))
        return cast(Sequence[Row[Any]], self._run(query).all())

    def add_config_version(self, rules: Sequence[dict[str, Any]]) -> None:
        """Insert the rules of a new configuration version (the version number is in each row)."""
        self._run(insert(CONFIGS), list(rules))
