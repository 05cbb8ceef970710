"""Tables of the negotiated-drug registration (谈判药品门诊 "三定", ND-1…ND-16): the registration read model and its
revisions, the annual accounts, the dispensings, and the bureau's payment configuration.

The registration rows are written in the same transaction as the engine step that changes them (the use case writes
the clinical record, the projector the lifecycle); settlement reads them and never the engine's state.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .audit_repository import keeps_chain_head
from .models import Base, UtcDateTime

# ND-3 (our reading: one hospital per patient and drug at a time). A registration in force is active or suspended;
# a pending renewal starts on the day its predecessor ends, so it is left out and never collides with it.
CURRENT = text("status IN ('active', 'suspended')")
MONEY = Numeric(12, 2)


class Registration(Base):
    """One registration (登记) of a patient for one drug at one hospital by one senior physician (ND-2…ND-8)."""

    __tablename__ = "registrations"
    __table_args__ = (
        # Two hospitals registering one patient for one drug at once: the database lets exactly one win (ND-3).
        Index("uq_registrations_current", "psn_no", "drug", unique=True, postgresql_where=CURRENT,
              sqlite_where=CURRENT),
        Index("ix_registrations_patient", "psn_no", "drug"),
        Index("ix_registrations_hospital", "hospital_id", "status"),
        Index("ix_registrations_drug", "drug", "status"),
        Index("ix_registrations_due", "next_reassessment_due"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # also the instance's business key
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    psn_no: Mapped[str] = mapped_column(String(64))  # 人员编号, opaque; never a national ID number
    insurance_type: Mapped[str] = mapped_column(String(16))  # employee | resident (ND-2)
    insurance_region: Mapped[str] = mapped_column(String(6))  # 参保地 (ND-10)
    off_site: Mapped[bool] = mapped_column(Boolean)
    drug: Mapped[str] = mapped_column(String(100))  # the drug's name in the list (ND-1, ND-5)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    hospital_code: Mapped[str] = mapped_column(String(32))
    physician_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    physician_code: Mapped[str] = mapped_column(String(13))
    diagnosis_code: Mapped[str] = mapped_column(String(16))  # ICD-10 (ND-6)
    diagnosis_name: Mapped[str] = mapped_column(String(200))
    diagnostic_basis: Mapped[str] = mapped_column(Text)
    indication: Mapped[str] = mapped_column(Text)  # the restricted indication confirmed (ND-5)
    dose: Mapped[str] = mapped_column(String(100))
    frequency: Mapped[str] = mapped_column(String(100))
    quantity_per_fill: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)  # exclusive (ND-7)
    benefit_year_start: Mapped[date] = mapped_column(Date)  # ND-9; kept across a change of hospital
    last_reassessed_on: Mapped[date | None] = mapped_column(Date)
    next_reassessment_due: Mapped[date | None] = mapped_column(Date)  # ND-8
    status: Mapped[str] = mapped_column(String(16))  # pending | active | suspended | expired | ended
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(32))  # cancelled | hospital_changed | agreement_ended | …
    end_note: Mapped[str | None] = mapped_column(String(500))
    replaces_id: Mapped[str | None] = mapped_column(String(36))  # the registration renewed or moved from
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once


class RegistrationRevision(Base):
    """One change of a registration, with the values before and after it and the reason (ND-8, ND-14)."""

    __tablename__ = "registration_revisions"
    __table_args__ = (UniqueConstraint("registration_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))  # registered | reassessed | updated | physician_changed | …
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(String(500))
    previous: Mapped[str | None] = mapped_column(Text)  # JSON of the changed fields before
    current: Mapped[str] = mapped_column(Text)  # JSON of the changed fields after


class AnnualAccount(Base):
    """What the fund paid for one patient and one drug in one benefit year (ND-9); locked by each settlement."""

    __tablename__ = "annual_accounts"
    __table_args__ = (UniqueConstraint("psn_no", "drug", "year_start"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    psn_no: Mapped[str] = mapped_column(String(64))
    drug: Mapped[str] = mapped_column(String(100))
    year_start: Mapped[date] = mapped_column(Date)
    year_end: Mapped[date] = mapped_column(Date)  # exclusive
    annual_limit: Mapped[Decimal] = mapped_column(MONEY)
    fund_paid: Mapped[Decimal] = mapped_column(MONEY)
    deductible_met: Mapped[Decimal] = mapped_column(MONEY)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The head of the account's audit chain (its entries' last seq and hash), written with every settlement and
    # reversal under the account's row lock: appending needs no chain lock and no read of the last entry.
    audit_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_head: Mapped[str] = mapped_column(String(64), default="0" * 64, server_default="0" * 64)


ACCOUNT_CHAIN = "annual_account"  # the audit chain of an annual account; its row keeps the head
keeps_chain_head(ACCOUNT_CHAIN, cast(Table, AnnualAccount.__table__))


class Dispensing(Base):
    """One settled dispensing with its itemised split (ND-9, ND-11, ND-13, ND-15); idempotent by external reference."""

    __tablename__ = "dispensings"
    # The second: a hospital's or pharmacy's latest dispensings (the console's 结算 page) without a scan.
    __table_args__ = (UniqueConstraint("dispenser_id", "external_ref"),
                      Index("ix_dispensings_dispenser_recent", "dispenser_id", "dispensed_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dispenser_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    dispenser_code: Mapped[str] = mapped_column(String(32))
    dispenser_kind: Mapped[str] = mapped_column(String(16))  # hospital | pharmacy
    external_ref: Mapped[str] = mapped_column(String(64))
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("annual_accounts.id"), index=True)
    psn_no: Mapped[str] = mapped_column(String(64))
    drug: Mapped[str] = mapped_column(String(100))
    physician_code: Mapped[str] = mapped_column(String(13))
    quantity: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    fund: Mapped[Decimal] = mapped_column(MONEY)
    deductible_part: Mapped[Decimal] = mapped_column(MONEY)
    ratio_part: Mapped[Decimal] = mapped_column(MONEY)
    over_limit_part: Mapped[Decimal] = mapped_column(MONEY)
    config_version: Mapped[int] = mapped_column(Integer)
    dispensed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    dispensed_by: Mapped[str] = mapped_column(String(36))
    reversed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reversed_by: Mapped[str | None] = mapped_column(String(36))
    reversal_reason: Mapped[str | None] = mapped_column(String(500))


class PaymentConfig(Base):
    """One rule of one version of the payment configuration: deductible and fund ratio by type and tier (ND-15)."""

    __tablename__ = "payment_configs"
    __table_args__ = (UniqueConstraint("version", "insurance_type", "tier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, index=True)
    insurance_type: Mapped[str] = mapped_column(String(16))
    tier: Mapped[int] = mapped_column(Integer)
    deductible: Mapped[Decimal] = mapped_column(MONEY)
    fund_ratio: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(36))
    note: Mapped[str | None] = mapped_column(String(300))


class Patient(Base):
    """An insured patient (参保人) as the hospitals last recorded them, by insured person number (ND-2, ND-10).

    A national ID number is kept only as its keyed digest (``domain.registration.patients``), never in clear."""

    __tablename__ = "patients"

    psn_no: Mapped[str] = mapped_column(String(64), primary_key=True)  # 人员编号, opaque
    insurance_type: Mapped[str] = mapped_column(String(16))  # employee | resident (ND-2)
    insurance_region: Mapped[str] = mapped_column(String(6))  # 参保地 (ND-10)
    entitled: Mapped[bool] = mapped_column(Boolean)  # 正常享受待遇 (ND-2)
    national_id_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(36))
    updated_by_org: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once
