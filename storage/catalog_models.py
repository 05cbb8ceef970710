"""Versioned reference data: the consumable catalog (CM-6) and the negotiated-drug list (ND-1)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, ForeignKeyConstraint, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime, new_id


class CatalogVersion(Base):
    """One published version of the consumable catalog, with its effective date."""

    __tablename__ = "catalog_versions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_date: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(String(300))
    entries: Mapped[int] = mapped_column(Integer)


class CatalogEntry(Base):
    """A catalog entry keyed by the 15-character code (CM-1) within one version."""

    __tablename__ = "catalog_entries"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("catalog_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(15), index=True)
    primary_class: Mapped[str] = mapped_column(String(100))
    secondary_class: Mapped[str] = mapped_column(String(100))
    tertiary_class: Mapped[str] = mapped_column(String(100))
    common_name: Mapped[str] = mapped_column(String(100))
    material: Mapped[str] = mapped_column(String(100))
    characteristics: Mapped[str] = mapped_column(String(200))
    payment_category: Mapped[str] = mapped_column(String(4))  # 甲 | 乙 (CM-2)
    payment_standard: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    description: Mapped[str | None] = mapped_column(Text)


class CatalogEntryTerm(Base):
    """The search index of the catalog (SV-1): one row per entry and 1- or 2-character term of its names
    (``domain.reference_data.search_terms``), keyed by (version, term, code) so that one term's entries come out
    in code order: a page of a broad search reads its first rows and sorts nothing."""

    __tablename__ = "catalog_entry_terms"
    __table_args__ = (ForeignKeyConstraint(["version_id", "code"], ["catalog_entries.version_id",
                                                                    "catalog_entries.code"]),
                      {"sqlite_with_rowid": False})

    version_id: Mapped[str] = mapped_column(ForeignKey("catalog_versions.id"), primary_key=True)
    term: Mapped[str] = mapped_column(String(2), primary_key=True)
    code: Mapped[str] = mapped_column(String(15), primary_key=True)


class CatalogTermCount(Base):
    """How many entries of a version have each term (SV-1): the exact total of a one-term search, and the rarest
    term of a longer query, to read the index from."""

    __tablename__ = "catalog_term_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    version_id: Mapped[str] = mapped_column(ForeignKey("catalog_versions.id"), primary_key=True)
    term: Mapped[str] = mapped_column(String(2), primary_key=True)
    entries: Mapped[int] = mapped_column(Integer)


class DrugListVersion(Base):
    """One version of the negotiated-drug list maintained by the bureau (ND-1)."""

    __tablename__ = "drug_list_versions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NegotiatedDrug(Base):
    """A negotiated drug of one list version: form, restriction, annual limit, agreement period (ND-1, ND-9, ND-12)."""

    __tablename__ = "negotiated_drugs"
    __table_args__ = (UniqueConstraint("version_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("drug_list_versions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    dosage_form: Mapped[str] = mapped_column(String(100))
    restriction: Mapped[str] = mapped_column(Text)
    annual_limit: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # None when the source states no agreement period (seed 003 gives none: data/README.md).
    agreement_start: Mapped[date | None] = mapped_column(Date)
    agreement_end: Mapped[date | None] = mapped_column(Date)
    required_specialty: Mapped[str | None] = mapped_column(String(64))
    specialty_exempt_indications: Mapped[str | None] = mapped_column(Text)  # ";"-separated (ND-16)
