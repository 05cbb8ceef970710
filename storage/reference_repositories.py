"""Repositories of the versioned reference data: the consumable catalog (CM-6) and the negotiated-drug list (ND-1).

Versions through the ORM; entries and drugs (thousands of rows per version) in SQLAlchemy Core: one executemany to
insert them, plain column selects to read them. Used through the unit of work (``uow.catalogs``, ``uow.drug_lists``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, insert, or_, select
from sqlalchemy.orm import Session

from domain.reference_data import SEARCHED_NAMES, CatalogRow, DrugRow, code_prefix_range, query_terms, search_terms

from .catalog_models import CatalogEntry, CatalogEntryTerm, CatalogVersion, DrugListVersion, NegotiatedDrug

_ENTRIES = cast(Table, CatalogEntry.__table__)
_TERMS = cast(Table, CatalogEntryTerm.__table__)
_DRUGS = cast(Table, NegotiatedDrug.__table__)
# Rows come back in the dataclasses' field order, so CatalogRow(*row) needs no mapping.
_ENTRY_COLUMNS = tuple(_ENTRIES.c[name] for name in CatalogRow.__dataclass_fields__)
_DRUG_COLUMNS = tuple(_DRUGS.c[name] for name in DrugRow.__dataclass_fields__ if name in _DRUGS.c)
_INSERT_ENTRIES = insert(_ENTRIES)
_INSERT_DRUGS = insert(_DRUGS)
_INSERT_TERMS = insert(_TERMS)


class Catalogs:
    """Catalog versions and their entries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def latest(self) -> CatalogVersion | None:
        """The version with the highest number."""
        return self.session.scalars(select(CatalogVersion).order_by(CatalogVersion.version.desc()).limit(1)).first()

    def version(self, number: int) -> CatalogVersion | None:
        """The version numbered ``number``."""
        return self.session.scalars(select(CatalogVersion).where(CatalogVersion.version == number)).first()

    def versions(self) -> Sequence[CatalogVersion]:
        """Every version, oldest first."""
        return self.session.scalars(select(CatalogVersion).order_by(CatalogVersion.version)).all()

    def next_version(self) -> int:
        """The number the next version gets."""
        return (self.session.scalar(select(func.max(CatalogVersion.version))) or 0) + 1

    def add(self, version: CatalogVersion) -> None:
        """Add a version row (flush it before inserting its entries)."""
        self.session.add(version)

    def insert_entries(self, version_id: str, rows: Sequence[CatalogRow]) -> None:
        """Insert a version's entries and their search terms, each in one executemany on the session's connection."""
        if not rows:
            return
        connection = self.session.connection()
        connection.execute(_INSERT_ENTRIES, [{"version_id": version_id, **vars(row)} for row in rows])  # vars: no copy
        t = _ENTRIES.c
        ids = {code: id_ for code, id_ in connection.execute(select(t.code, t.id).where(t.version_id == version_id))}
        connection.execute(_INSERT_TERMS, [{"version_id": version_id, "term": term, "entry_id": ids[row.code]}
                                           for row in rows for term in search_terms(row)])

    def entries(
        self, version_id: str, *, code_prefix: str | None = None, q: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> tuple[list[CatalogRow], int]:
        """One page of a version's entries by code, and how many match in all."""
        t = _ENTRIES.c
        query = select(*_ENTRY_COLUMNS).where(t.version_id == version_id)
        if code_prefix:
            low, high = code_prefix_range(code_prefix)
            query = query.where(t.code >= low, t.code < high)
        if q:
            query = self._having_words(query, version_id, q)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.execute(query.order_by(t.code).limit(limit).offset(offset)).all()
        return [CatalogRow(*row) for row in rows], total

    @staticmethod
    def _having_words(query: Any, version_id: str, q: str) -> Any:
        # The index gives the entries having every term of q; a longer q is then checked against the names, since
        # having all its pairs does not make a name contain it.
        terms = query_terms(q)
        having = (
            select(_TERMS.c.entry_id)
            .where(_TERMS.c.version_id == version_id, _TERMS.c.term.in_(sorted(terms)))
            .group_by(_TERMS.c.entry_id).having(func.count() == len(terms))
        )
        query = query.where(_ENTRIES.c.id.in_(having))
        if len(q) > 2:
            folded = q.lower()
            names = (func.lower(_ENTRIES.c[name]) for name in SEARCHED_NAMES)
            query = query.where(or_(*(name.contains(folded, autoescape=True) for name in names)))
        return query

    def entry(self, version_id: str, code: str) -> CatalogRow | None:
        """The entry ``code`` of a version."""
        t = _ENTRIES.c
        row = self.session.execute(select(*_ENTRY_COLUMNS).where(t.version_id == version_id, t.code == code)).first()
        return CatalogRow(*row) if row is not None else None

    def versions_with(self, code: str) -> list[int]:
        """The numbers of the versions that list entry ``code``, oldest first."""
        t = _ENTRIES.c
        query = (select(CatalogVersion.version).join_from(_ENTRIES, CatalogVersion, t.version_id == CatalogVersion.id)
                 .where(t.code == code).order_by(CatalogVersion.version))
        return list(self.session.scalars(query))

    def all_entries(self, version_id: str) -> list[CatalogRow]:
        """Every entry of a version, by code."""
        t = _ENTRIES.c
        rows = self.session.execute(select(*_ENTRY_COLUMNS).where(t.version_id == version_id).order_by(t.code))
        return [CatalogRow(*row) for row in rows]


class DrugLists:
    """Versions of the negotiated-drug list and their drugs."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def latest(self) -> DrugListVersion | None:
        """The version with the highest number."""
        query = select(DrugListVersion).order_by(DrugListVersion.version.desc()).limit(1)
        return self.session.scalars(query).first()

    def version(self, number: int) -> DrugListVersion | None:
        """The version numbered ``number``."""
        return self.session.scalars(select(DrugListVersion).where(DrugListVersion.version == number)).first()

    def versions(self) -> list[tuple[DrugListVersion, int]]:
        """Every version with its number of drugs, oldest first."""
        counts = (
            select(NegotiatedDrug.version_id, func.count().label("drugs"))
            .group_by(NegotiatedDrug.version_id).subquery()
        )
        query = (
            select(DrugListVersion, func.coalesce(counts.c.drugs, 0))
            .outerjoin(counts, counts.c.version_id == DrugListVersion.id)
            .order_by(DrugListVersion.version)
        )
        return [(row[0], row[1]) for row in self.session.execute(query)]

    def next_version(self) -> int:
        """The number the next version gets."""
        return (self.session.scalar(select(func.max(DrugListVersion.version))) or 0) + 1

    def add(self, version: DrugListVersion) -> None:
        """Add a version row (flush it before inserting its drugs)."""
        self.session.add(version)

    def insert_drugs(self, version_id: str, rows: Sequence[DrugRow]) -> None:
        """Insert a version's drugs in one executemany on the session's connection."""
        self.session.connection().execute(_INSERT_DRUGS, [_drug_values(version_id, r) for r in rows])

    def drugs(self, version_id: str) -> list[DrugRow]:
        """Every drug of a version, by number."""
        t = _DRUGS.c
        rows = self.session.execute(select(*_DRUG_COLUMNS).where(t.version_id == version_id).order_by(t.seq))
        return [_drug_row(row._asdict()) for row in rows]


def _drug_values(version_id: str, row: DrugRow) -> dict[str, Any]:
    values = {name: value for name, value in vars(row).items() if name in _DRUGS.c}
    values["specialty_exempt_indications"] = ";".join(row.specialty_exempt_indications) or None
    return {"version_id": version_id, **values}


def _drug_row(values: dict[str, Any]) -> DrugRow:
    exempt = values.get("specialty_exempt_indications")
    values["specialty_exempt_indications"] = tuple(p for p in (exempt or "").split(";") if p)
    return DrugRow(**values)
