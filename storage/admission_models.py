"""Tables of the consumable admission process (医保医用耗材目录准入): its read models, kept by its projectors.

``applications`` (one row per application instance: facts, status, outcome), documents as content-addressed blobs
(``document_blobs``, the same file stored once) linked to applications (``application_documents``), ``rounds``,
their ``candidates`` (DA-3), ``expert_assignments`` and ``expert_reviews`` keyed by expert (DA-5, SV-3),
``filings`` with the NHSA (DA-6), ``objections`` during the public notice (SV-1), and the products of each catalog
version (``catalog_products``, CM-1: 27-character codes under their 15-character entry), and the regions' payment
ratios by version (``payment_ratio_versions``, ``region_payment_ratios``, PAY-4).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_id


class Application(Base):
    """One hospital's application for one consumable (the read model of one application instance)."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_hospital_status", "hospital_id", "status"),
        Index("ix_applications_round_status", "round_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the instance's business key
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str | None] = mapped_column(String(27))  # CM-5
    entry_code: Mapped[str | None] = mapped_column(String(15), index=True)  # CM-1
    product_name: Mapped[str | None] = mapped_column(String(200))
    manufacturer: Mapped[str | None] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text)  # the application's facts as JSON text (domain application_to_data)
    existing_entry: Mapped[bool] = mapped_column(Boolean, default=False)  # the entry is in the catalog (DA-4)
    fast_path: Mapped[bool] = mapped_column(Boolean, default=False)  # the bureau confirmed same function (DA-4)
    review_note: Mapped[str | None] = mapped_column(Text)  # the bureau's reason to return or reject
    supplement_last_day: Mapped[date | None] = mapped_column(Date)  # DA-10
    round_id: Mapped[str | None] = mapped_column(ForeignKey("rounds.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    accepted_on: Mapped[date | None] = mapped_column(Date)
    outcome_kind: Mapped[str | None] = mapped_column(String(40))  # DA-9
    outcome: Mapped[str | None] = mapped_column(Text)  # the outcome as JSON text (reason, rules, findings)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DocumentBlob(Base):
    """A document's content, stored once per SHA-256 whoever uploads it and however often."""

    __tablename__ = "document_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))  # detected from the content
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApplicationDocument(Base):
    """A document of an application (DA-2): its kind and file name, pointing at the stored content."""

    __tablename__ = "application_documents"
    __table_args__ = (UniqueConstraint("application_id", "kind", "sha256"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # DocumentKind
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("document_blobs.sha256"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Round(Base):
    """An adjustment round (目录调整轮次, DA-1): its window, where its instance stands, its notice and publication."""

    __tablename__ = "rounds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the instance's business key
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    notice_working_days: Mapped[int] = mapped_column(Integer)
    notice_last_day: Mapped[date | None] = mapped_column(Date)  # SV-1
    notice_warnings: Mapped[str | None] = mapped_column(Text)  # JSON list: days no official schedule covers
    retirements: Mapped[str | None] = mapped_column(Text)  # JSON list of {entry_code, reason} (DA-5)
    published_version: Mapped[int | None] = mapped_column(Integer)  # CM-6
    effective_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Candidate(Base):
    """A candidate of a round (拟纳入范围, DA-3): one 15-character entry, and the bureau's decision on it."""

    __tablename__ = "candidates"

    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    entry_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    in_catalog: Mapped[bool] = mapped_column(Boolean)
    applications: Mapped[int] = mapped_column(Integer)
    include: Mapped[bool | None] = mapped_column(Boolean)  # None until consolidated
    category: Mapped[str | None] = mapped_column(String(4))  # 甲 | 乙 (CM-2)
    max_payment_standard: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    restricted_scope: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # DA-9, when not included
    names: Mapped[str | None] = mapped_column(Text)  # JSON: a new entry's classification names (CM-1)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ExpertAssignment(Base):
    """An expert assigned to a candidate (DA-5, SV-3), with the queue task of their review."""

    __tablename__ = "expert_assignments"
    __table_args__ = (Index("ix_expert_assignments_expert", "expert_id", "round_id"),)

    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    entry_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    expert_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ExpertReview(Base):
    """One expert's review of one candidate, keyed by the expert (never by completion order, DA-5)."""

    __tablename__ = "expert_reviews"

    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    entry_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    expert_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    include: Mapped[bool] = mapped_column(Boolean)
    category: Mapped[str | None] = mapped_column(String(4))
    max_payment_standard: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    restricted_scope: Mapped[str] = mapped_column(Text)
    reasoning: Mapped[str] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Filing(Base):
    """The round's results filed with the NHSA (报国家医保局备案, DA-6) and the NHSA's answer."""

    __tablename__ = "filings"
    __table_args__ = (UniqueConstraint("round_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | acknowledged | rejected
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    filing_number: Mapped[str | None] = mapped_column(String(100))
    reasons: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Objection(Base):
    """An objection lodged during a round's public notice (公示期异议, SV-1) and the bureau's resolution."""

    __tablename__ = "objections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id"), index=True)
    entry_code: Mapped[str | None] = mapped_column(String(15))
    text: Mapped[str] = mapped_column(Text)
    lodged_by: Mapped[str] = mapped_column(String(200))
    lodged_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20))  # open | resolved
    task_id: Mapped[str | None] = mapped_column(String(36))
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CatalogProduct(Base):
    """A product (27-character code) listed under an entry of one catalog version (CM-1, CM-5)."""

    __tablename__ = "catalog_products"
    __table_args__ = (UniqueConstraint("version_id", "code"), Index("ix_catalog_products_entry", "version_id",
                                                                      "entry_code"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("catalog_versions.id"))
    code: Mapped[str] = mapped_column(String(27))
    entry_code: Mapped[str] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(200))
    manufacturer: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(String(500))


class CatalogEntryFacts(Base):
    """What a catalog version knows of an entry beyond its row: its VBP facts (DA-7, CM-3) and, for a temporary
    inclusion, the day it leaves the catalog (DA-8)."""

    __tablename__ = "catalog_entry_facts"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("catalog_versions.id"))
    code: Mapped[str] = mapped_column(String(15))
    leaves_on: Mapped[date | None] = mapped_column(Date)
    procurement: Mapped[str | None] = mapped_column(Text)  # JSON of domain ProcurementFacts


class PaymentRatioVersion(Base):
    """One version of the regions' payment ratios the bureau publishes (PAY-4); its number is the key, so two
    concurrent publications of the same number cannot both land."""

    __tablename__ = "payment_ratio_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(36))
    note: Mapped[str | None] = mapped_column(String(300))


class RegionPaymentRatio(Base):
    """One region's ratios in one version (PAY-4): fund ratio and 乙 prepay ratio."""

    __tablename__ = "region_payment_ratios"

    version: Mapped[int] = mapped_column(ForeignKey("payment_ratio_versions.version"), primary_key=True)
    region: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    fund_ratio: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    b_prepay_ratio: Mapped[Decimal] = mapped_column(Numeric(5, 4))


class CatalogChange(Base):
    """A catalog change by bureau action outside a round: a VBP inclusion (DA-7) or an emergency temporary
    inclusion (DA-8), the read model of one catalog-change instance."""

    __tablename__ = "catalog_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the instance's business key
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # vbp | emergency
    entry_code: Mapped[str] = mapped_column(String(15))
    status: Mapped[str] = mapped_column(String(20), index=True)
    change: Mapped[str] = mapped_column(Text)  # the change as plain data (JSON)
    effective_on: Mapped[date] = mapped_column(Date)
    leaves_on: Mapped[date | None] = mapped_column(Date)
    published_version: Mapped[int | None] = mapped_column(Integer)
    expired_version: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
