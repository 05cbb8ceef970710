"""Repositories of the catalog side of admission and of its counts, through the ORM on the unit of work's session.

``CatalogProducts`` (a version's products and entry facts, CM-1, DA-7, DA-8), ``PaymentRatios`` (the regions' ratios
by version, PAY-4), ``CatalogChanges`` (changes by bureau action, DA-7, DA-8) and ``AdmissionCounts`` (the bureau's
view per stage).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from .admission_models import (
    Application,
    CatalogChange,
    CatalogEntryFacts,
    CatalogProduct,
    PaymentRatioVersion,
    RegionPaymentRatio,
    Round,
)
from .task_models import HumanTask


class CatalogProducts:
    """The products (27-character codes) of each catalog version, under their entries (CM-1)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_version(self, version_id: str) -> list[CatalogProduct]:
        """Every product of a version, by code."""
        query = select(CatalogProduct).where(CatalogProduct.version_id == version_id).order_by(CatalogProduct.code)
        return list(self.session.scalars(query))

    def of_entry(self, version_id: str, entry_code: str) -> list[CatalogProduct]:
        """The products listed under one entry of a version, by code."""
        query = select(CatalogProduct).where(CatalogProduct.version_id == version_id,
                                             CatalogProduct.entry_code == entry_code)
        return list(self.session.scalars(query.order_by(CatalogProduct.code)))

    def facts(self, version_id: str, code: str) -> CatalogEntryFacts | None:
        """The VBP facts and leaving date of one entry of a version, if it has any."""
        query = select(CatalogEntryFacts).where(CatalogEntryFacts.version_id == version_id,
                                                CatalogEntryFacts.code == code)
        return self.session.scalars(query).first()

    def insert(self, version_id: str, rows: Sequence[dict[str, str]]) -> None:
        """Insert a version's products in one executemany."""
        if rows:
            self.session.execute(insert(CatalogProduct), [{"version_id": version_id, **r} for r in rows])

    def facts_of_version(self, version_id: str) -> list[CatalogEntryFacts]:
        """The VBP facts and leaving dates of a version's entries (DA-7, DA-8), by code."""
        query = select(CatalogEntryFacts).where(CatalogEntryFacts.version_id == version_id)
        return list(self.session.scalars(query.order_by(CatalogEntryFacts.code)))

    def insert_facts(self, version_id: str, rows: Sequence[dict[str, object]]) -> None:
        """Insert a version's entry facts in one executemany."""
        if rows:
            self.session.execute(insert(CatalogEntryFacts), [{"version_id": version_id, **r} for r in rows])


class PaymentRatios:
    """The regions' payment ratios, one version at a time (PAY-4)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def latest_version(self) -> int | None:
        """The number of the version in force, None before the first."""
        return self.session.scalar(select(func.max(PaymentRatioVersion.version)))

    def version(self, number: int | None = None) -> tuple[PaymentRatioVersion, list[RegionPaymentRatio]] | None:
        """A version with its regions by code (the latest when ``number`` is None)."""
        number = self.latest_version() if number is None else number
        head = self.session.get(PaymentRatioVersion, number) if number is not None else None
        if head is None:
            return None
        query = select(RegionPaymentRatio).where(RegionPaymentRatio.version == number)
        return head, list(self.session.scalars(query.order_by(RegionPaymentRatio.region)))

    def add(self, head: PaymentRatioVersion, regions: Sequence[RegionPaymentRatio]) -> None:
        """Add a new version and its regions (sent at the next flush: a concurrent publication of the same number
        fails there, on the version's primary key)."""
        self.session.add(head)
        self.session.add_all(regions)


class CatalogChanges:
    """Catalog changes by bureau action (DA-7, DA-8)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: CatalogChange) -> None:
        """Add a new change."""
        self.session.add(row)

    def get(self, change_id: str) -> CatalogChange | None:
        """One change."""
        return self.session.get(CatalogChange, change_id)

    def by_instance(self, instance_id: str) -> CatalogChange | None:
        """The change of a process instance."""
        return self.session.scalars(select(CatalogChange).where(CatalogChange.instance_id == instance_id)).first()

    def all(self) -> list[CatalogChange]:
        """Every change, newest first."""
        return list(self.session.scalars(select(CatalogChange).order_by(CatalogChange.created_at.desc(),
                                                                           CatalogChange.id)))


class AdmissionCounts:
    """How much of the admission work stands where: open tasks by step, applications by status, rounds by stage."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def open_tasks(self, process_keys: Sequence[str]) -> list[tuple[str, str, str, int]]:
        """Open and claimed queue tasks per (process, step, step name)."""
        query = (select(HumanTask.process_key, HumanTask.bpmn_id, HumanTask.name, func.count())
                 .where(HumanTask.status.in_(("open", "claimed")), HumanTask.process_key.in_(list(process_keys)))
                 .group_by(HumanTask.process_key, HumanTask.bpmn_id, HumanTask.name)
                 .order_by(HumanTask.process_key, HumanTask.bpmn_id))
        return [(r[0], r[1], r[2], int(r[3])) for r in self.session.execute(query)]

    def applications(self) -> dict[str, int]:
        """Applications per status."""
        query = select(Application.status, func.count()).group_by(Application.status)
        return {r[0]: int(r[1]) for r in self.session.execute(query)}

    def rounds(self) -> dict[str, int]:
        """Rounds per stage."""
        query = select(Round.stage, func.count()).group_by(Round.stage)
        return {r[0]: int(r[1]) for r in self.session.execute(query)}
