"""The settlement's hot path in SQLAlchemy Core: the registration in force, the dispenser, the annual account locked
for update, the dispensing idempotent by external reference, and the versioned payment configuration (ND-9, ND-11,
ND-13, ND-15). Never reads a workflow's state. Used through ``uow.repository(Settlements)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Row,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.errors import Conflict
from domain.reference_data import DrugRow

from .audit import chained_entry
from .catalog_models import DrugListVersion, NegotiatedDrug
from .db import DriverStatement
from .identity_models import Organization, PharmacyDesignation
from .instance_store import INSERT_AUDIT
from .models import AuditEntry, ClockSetting, new_id
from .registration_models import ACCOUNT_CHAIN, AnnualAccount, Dispensing, PaymentConfig, Registration

REGISTRATIONS = cast(Table, Registration.__table__)
CLOCK = cast(Table, ClockSetting.__table__)
ACCOUNTS = cast(Table, AnnualAccount.__table__)
DISPENSINGS = cast(Table, Dispensing.__table__)
CONFIGS = cast(Table, PaymentConfig.__table__)
ORGS = cast(Table, Organization.__table__)
DESIGNATIONS = cast(Table, PharmacyDesignation.__table__)
DRUGS = cast(Table, NegotiatedDrug.__table__)
VERSIONS = cast(Table, DrugListVersion.__table__)

_R = REGISTRATIONS.c
_DRUG_COLUMNS = tuple(DRUGS.c[name] for name in DrugRow.__dataclass_fields__)


class Settlements:
    """Reads of dispensings, accounts, the drug and the payment configuration outside the hot path (the account,
    the reversal, the configuration), each a single statement, on the unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _run(self, statement: Any, params: Any = None) -> Any:
        return self.session.connection().execute(statement, params or {})

    # --- reads --------------------------------------------------------------------------------------------
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

    def current_limits(self) -> dict[str, Decimal]:
        """Each drug of the latest negotiated-drug list with its annual limit per patient (ND-1, ND-9)."""
        latest = select(VERSIONS.c.id).order_by(VERSIONS.c.version.desc()).limit(1).scalar_subquery()
        rows = self._run(select(DRUGS.c.name, DRUGS.c.annual_limit).where(DRUGS.c.version_id == latest)).all()
        return {str(name): Decimal(str(limit)) for name, limit in rows}

    def fund_per_drug(self, since: datetime, until: datetime) -> list[tuple[str, Decimal]]:
        """What the fund paid per drug in [since, until): the fund part of the dispensings settled in it, minus that
        of the dispensings reversed in it (ND-9, ND-11). Every organization's: the caller checks who may read it."""
        d = DISPENSINGS.c
        settled = and_(d.dispensed_at >= since, d.dispensed_at < until)
        reversed_ = and_(d.reversed_at >= since, d.reversed_at < until)
        net = func.sum(case((settled, d.fund), else_=0)) - func.sum(case((reversed_, d.fund), else_=0))
        query = (select(d.drug, net).where(or_(settled, reversed_)).group_by(d.drug).order_by(d.drug))
        return [(str(drug), Decimal(str(value or 0)).quantize(Decimal("0.01"))) for drug, value in self._run(query)]

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

    def dispensings_of_dispenser(self, dispenser_id: str, limit: int) -> Sequence[Row[Any]]:
        """A dispenser's latest dispensings, newest first."""
        query = select(DISPENSINGS).where(DISPENSINGS.c.dispenser_id == dispenser_id)
        return cast(Sequence[Row[Any]], self._run(query.order_by(DISPENSINGS.c.dispensed_at.desc(),
                                                                 DISPENSINGS.c.id).limit(limit)).all())

    def account(self, psn_no: str, drug: str, year_start: date) -> Row[Any] | None:
        """The annual account of a patient, a drug and a benefit year, if any settlement opened it."""
        c = ACCOUNTS.c
        return cast(Row[Any] | None, self._run(select(ACCOUNTS).where(
            c.psn_no == psn_no, c.drug == drug, c.year_start == year_start)).first())

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


# --- the hot path: one dispensing in four statements ------------------------------------------------------------
# Built once and sent on the driver's cursor (storage/db.py, DriverStatement): building and cache-keying a
# statement per call, and a statement per fact, cost more than the database's work (bench/README.md, settlement).
ORG_FIELDS = ("id", "code", "name", "kind", "region_code", "tier", "specialized", "cross_province", "designated",
              "dual_channel")
REGISTRATION_FIELDS = ("id", "psn_no", "drug", "insurance_type", "hospital_id", "hospital_code", "physician_code",
                       "start_date", "end_date", "benefit_year_start", "last_reassessed_on", "ended_on",
                       "end_reason", "created_at")
_FIRST = DISPENSINGS.alias("first_dispensing")
_DISPENSER = ORGS.alias("dispenser")
_REG_HOSPITAL = ORGS.alias("registered_hospital")
_LATEST_LIST = select(VERSIONS.c.id).order_by(VERSIONS.c.version.desc()).limit(1).correlate(None).scalar_subquery()
_CONFIG_VERSION = select(func.max(CONFIGS.c.version)).correlate(None).scalar_subquery()
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
#: Everything a settlement reads, in one statement: the simulated clock, the dispensing organization, the first
#: dispensing of the external reference (a retry), the drug in the latest list, the payment configuration's latest
#: version, and the patient's registrations for the drug (latest start first), each with its hospital's tier, the
#: configuration's rule for its insurance type at that tier, and whether the dispenser is a pharmacy that hospital
#: designated (ND-11, ND-13, ND-15). One row with empty registration columns when there is none.
_CONTEXT = (
    select(
        CLOCK.c.simulated_at.label("clock_simulated_at"), CLOCK.c.set_at.label("clock_set_at"),
        CLOCK.c.frozen.label("clock_frozen"),
        *(_DISPENSER.c[n].label(f"org_{n}") for n in ORG_FIELDS),
        *(_FIRST.c[c.name].label(f"first_{c.name}") for c in DISPENSINGS.columns),
        *(DRUGS.c[n].label(f"drug_{n}") for n in DrugRow.__dataclass_fields__),
        _CONFIG_VERSION.label("config_version"),
        *(_R[n].label(f"reg_{n}") for n in REGISTRATION_FIELDS),
        _REG_HOSPITAL.c.tier.label("reg_hospital_tier"),
        CONFIGS.c.deductible.label("rule_deductible"), CONFIGS.c.fund_ratio.label("rule_fund_ratio"),
        exists().where(DESIGNATIONS.c.pharmacy_id == bindparam("org_id"),
                       DESIGNATIONS.c.hospital_id == _R.hospital_id).label("reg_designated_dispenser"),
    )
    .select_from(
        _ONE_ROW
        .outerjoin(CLOCK, CLOCK.c.id == literal_column("1"))
        .outerjoin(_DISPENSER, _DISPENSER.c.id == bindparam("org_id"))
        .outerjoin(_FIRST, and_(_FIRST.c.dispenser_id == bindparam("org_id"),
                                _FIRST.c.external_ref == bindparam("external_ref")))
        .outerjoin(DRUGS, and_(DRUGS.c.version_id == _LATEST_LIST, DRUGS.c.name == bindparam("drug")))
        .outerjoin(REGISTRATIONS, and_(_R.psn_no == bindparam("psn_no"), _R.drug == bindparam("drug")))
        .outerjoin(_REG_HOSPITAL, _REG_HOSPITAL.c.id == _R.hospital_id)
        .outerjoin(CONFIGS, and_(CONFIGS.c.version == _CONFIG_VERSION, CONFIGS.c.insurance_type == _R.insurance_type,
                                 CONFIGS.c.tier == _REG_HOSPITAL.c.tier))
    )
    .order_by(_R.start_date.desc(), _R.created_at.desc())
    .limit(50)  # a patient has a few registrations per drug (one a year, a change, a pending renewal)
)
SETTLEMENT_CONTEXT = DriverStatement(_CONTEXT)
CONTEXT_NAMES = tuple(c.name for c in _CONTEXT.selected_columns)

_ACCOUNT_COLUMNS = tuple(ACCOUNTS.columns)
ACCOUNT_NAMES = tuple(c.name for c in _ACCOUNT_COLUMNS)
_ACCOUNT_KEY = (ACCOUNTS.c.psn_no == bindparam("p_psn_no"), ACCOUNTS.c.drug == bindparam("p_drug"),
                ACCOUNTS.c.year_start == bindparam("p_year_start"))
_LOCK_ACCOUNT = DriverStatement(select(*_ACCOUNT_COLUMNS).where(*_ACCOUNT_KEY).with_for_update())
_LOCK_ACCOUNT_BY_ID = DriverStatement(select(*_ACCOUNT_COLUMNS).where(ACCOUNTS.c.id == bindparam("p_id"))
                                      .with_for_update())


def _create(make: Any) -> DriverStatement:
    # The first settlement of a benefit year opens its account; a concurrent one that did first leaves nothing
    # returned here (PostgreSQL waits for it to commit), and the caller locks the row it made.
    return DriverStatement(make(ACCOUNTS).values({c.name: bindparam(c.name) for c in _ACCOUNT_COLUMNS})
                           .on_conflict_do_nothing(index_elements=["psn_no", "drug", "year_start"])
                           .returning(*_ACCOUNT_COLUMNS))


_CREATE_ACCOUNT = {"postgresql": _create(pg_insert), "sqlite": _create(sqlite_insert)}
_SAVE = (update(ACCOUNTS).where(ACCOUNTS.c.id == bindparam("p_id")).values(
    annual_limit=bindparam("v_limit"), fund_paid=bindparam("v_fund_paid"),
    deductible_met=bindparam("v_deductible_met"), updated_at=bindparam("v_at"), audit_seq=bindparam("v_seq"),
    audit_head=bindparam("v_head")))
_SAVE_ACCOUNT = DriverStatement(_SAVE)
_INSERT_DISPENSING = DriverStatement(insert(DISPENSINGS).inline(), [c.name for c in DISPENSINGS.columns])
_AUDIT_TABLE = cast(Table, AuditEntry.__table__)
_AUDIT_NAMES = tuple(c.name for c in _AUDIT_TABLE.columns if c.name != "id")
_NEW_ENTRY = insert(_AUDIT_TABLE).values({n: bindparam(f"a_{n}") for n in _AUDIT_NAMES}).cte("new_entry")
_NEW_DISPENSING = insert(DISPENSINGS).values({c.name: bindparam(f"d_{c.name}") for c in DISPENSINGS.columns}
                                             ).cte("new_dispensing")
# PostgreSQL: the dispensing, its audit entry and the account's totals and head in one statement (data-modifying
# CTEs): one round trip where SQLite, which has none, sends three.
_WRITE_SETTLEMENT_PG = DriverStatement(_SAVE.add_cte(_NEW_DISPENSING).add_cte(_NEW_ENTRY))
_WRITE_REVERSAL_PG = DriverStatement(_SAVE.add_cte(_NEW_ENTRY))


class SettlementPath:
    """The statements of one settlement or reversal on the unit of work's connection (``uow.core(SettlementPath)``):
    the context read, the account locked, then the dispensing, the account's totals and its audit entry, chained
    on the head the account row keeps, written together."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self._pg = connection.dialect.name == "postgresql"
        self.wrote = False  # whether this unit of work has written anything through the path yet

    def context(self, org_id: str, external_ref: str, psn_no: str, drug: str) -> list[dict[str, Any]]:
        """The rows of SETTLEMENT_CONTEXT, as dicts by column name (at least one)."""
        rows = SETTLEMENT_CONTEXT.all(self._conn, {"org_id": org_id, "external_ref": external_ref,
                                                   "psn_no": psn_no, "drug": drug})
        return [dict(zip(CONTEXT_NAMES, row, strict=True)) for row in rows]

    def lock_account(self, psn_no: str, drug: str, year_start: date, year_end: date, limit: Decimal,
                     now: datetime) -> dict[str, Any]:
        """The annual account, created if missing, locked until the transaction ends (ND-9)."""
        key = {"p_psn_no": psn_no, "p_drug": drug, "p_year_start": year_start}
        row = _LOCK_ACCOUNT.first(self._conn, key)
        if row is None:
            self.wrote = True
            row = _CREATE_ACCOUNT[self._conn.dialect.name].first(self._conn, {
                "id": new_id(), "psn_no": psn_no, "drug": drug, "year_start": year_start, "year_end": year_end,
                "annual_limit": limit, "fund_paid": Decimal("0.00"), "deductible_met": Decimal("0.00"),
                "updated_at": now, "audit_seq": 0, "audit_head": "0" * 64})
            row = row or _LOCK_ACCOUNT.first(self._conn, key)
        assert row is not None
        return dict(zip(ACCOUNT_NAMES, row, strict=True))

    def lock_account_by_id(self, account_id: str) -> dict[str, Any] | None:
        """An existing annual account, locked for update."""
        row = _LOCK_ACCOUNT_BY_ID.first(self._conn, {"p_id": account_id})
        return dict(zip(ACCOUNT_NAMES, row, strict=True)) if row is not None else None

    def save(self, account: dict[str, Any], limit: Decimal, fund_paid: Decimal, deductible_met: Decimal,
             now: datetime, *, actor: str, actor_org: str | None, action: str, dispensing_id: str,
             after: dict[str, Any], reason: str | None = None, dispensing: dict[str, Any] | None = None) -> None:
        """Write the account's totals with the audit entry of the change, chained on the account's head, and the
        new ``dispensing`` if any. A concurrent dispensing of the same external reference that committed first makes
        it a Conflict ``duplicate`` (the transaction is then lost: the caller reads the first one afresh)."""
        self.wrote = True
        entry = chained_entry(account["audit_seq"], account["audit_head"], aggregate_type=ACCOUNT_CHAIN,
                              aggregate_id=account["id"], at=now, actor=actor, actor_org=actor_org, action=action,
                              object_type="dispensing", object_id=dispensing_id, after=after, reason=reason)
        totals = {"p_id": account["id"], "v_limit": limit, "v_fund_paid": fund_paid,
                  "v_deductible_met": deductible_met, "v_at": now, "v_seq": entry["seq"], "v_head": entry["hash"]}
        try:
            if self._pg:
                params = totals | {f"a_{k}": v for k, v in entry.items()}
                if dispensing is None:
                    _WRITE_REVERSAL_PG.execute(self._conn, params)
                else:
                    _WRITE_SETTLEMENT_PG.execute(self._conn, params | {f"d_{k}": v for k, v in dispensing.items()})
                return
            if dispensing is not None:
                _INSERT_DISPENSING.execute(self._conn, dispensing)
            INSERT_AUDIT.execute(self._conn, entry)
            _SAVE_ACCOUNT.execute(self._conn, totals)
        except IntegrityError:
            raise Conflict("the external reference was settled by a concurrent request", code="duplicate",
                           field="external_ref") from None
