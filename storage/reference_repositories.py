"""Repositories of the versioned reference data: the consumable catalog (CM-6) and the negotiated-drug list (ND-1).

Versions through the ORM; entries and drugs (thousands of rows per version) in SQLAlchemy Core: one executemany to
insert them, plain column selects to read them; the catalog's search terms (about 28 rows per entry) through the
driver (COPY on PostgreSQL). Used through the unit of work (``uow.catalogs``, ``uow.drug_lists``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from domain.reference_data import (
    SEARCH_TOTAL_BOUND,
    SEARCHED_NAMES,
    CatalogRow,
    DrugRow,
    code_prefix_range,
    query_terms,
    search_terms,
)

from .catalog_models import (
    CatalogEntry,
    CatalogEntryTerm,
    CatalogTermCount,
    CatalogVersion,
    DrugListVersion,
    NegotiatedDrug,
)

_ENTRIES = cast(Table, CatalogEntry.__table__)
_TERMS = cast(Table, CatalogEntryTerm.__table__)
_COUNTS = cast(Table, CatalogTermCount.__table__)
_DRUGS = cast(Table, NegotiatedDrug.__table__)
# Rows come back in the dataclasses' field order, so CatalogRow(*row) needs no mapping.
_ENTRY_COLUMNS = tuple(_ENTRIES.c[name] for name in CatalogRow.__dataclass_fields__)
_DRUG_COLUMNS = tuple(_DRUGS.c[name] for name in DrugRow.__dataclass_fields__ if name in _DRUGS.c)
_INSERT_ENTRIES = insert(_ENTRIES)
_INSERT_DRUGS = insert(_DRUGS)
_INSERT_COUNTS = insert(_COUNTS)


@dataclass(frozen=True)
class EntryPage:
    """A page of catalog entries and how many match: exactly when ``exact``, else at least ``total``."""

    rows: list[CatalogRow]
    total: int
    exact: bool


def _insert_terms(connection: Connection, rows: Sequence[tuple[str, str, str]]) -> None:
    # About 28 rows per entry (2.8 M for 100,000 entries), so they go to the driver without SQLAlchemy's
    # per-row work: COPY on PostgreSQL, the driver's executemany on SQLite; in the unit of work's transaction.
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy("COPY catalog_entry_terms (version_id, term, code) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany("INSERT INTO catalog_entry_terms (version_id, term, code) VALUES (?, ?, ?)", rows)
    finally:
        cursor.close()


def analyze(connection: Connection, tables: Sequence[Table]) -> None:
    """Refresh the planner's statistics of ``tables`` after a bulk insert, in the current transaction (SQLite
    from a sample of each index, as ``PRAGMA optimize`` does)."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
    for table in tables:
        connection.exec_driver_sql(f"ANALYZE {table.name}")
    if sqlite:  # the pooled connection keeps its pragmas
        connection.exec_driver_sql("PRAGMA analysis_limit=0")


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
        """Insert a version's entries, their search terms and the terms' counts, then refresh the planner's
        statistics of those tables: a search right after a load is planned from them (bench/README.md)."""
        if not rows:
            return
        connection = self.session.connection()
        connection.execute(_INSERT_ENTRIES, [{"version_id": version_id, **vars(row)} for row in rows])  # vars: no copy
        counts: Counter[str] = Counter()
        terms: list[tuple[str, str, str]] = []
        for row in rows:
            found = search_terms(row)
            counts.update(found)
            terms.extend((version_id, term, row.code) for term in found)
        _insert_terms(connection, terms)
        connection.execute(_INSERT_COUNTS, [{"version_id": version_id, "term": term, "entries": n}
                                            for term, n in counts.items()])
        analyze(connection, (_ENTRIES, _TERMS, _COUNTS))

    def entries(
        self, version: CatalogVersion, *, code_prefix: str | None = None, q: str | None = None,
        limit: int = 50, offset: int = 0,
    ) -> EntryPage:
        """One page of a version's entries by code, and how many match: exactly up to a bound (SV-1)."""
        if q:
            found = self._having_words(version.id, code_prefix, q)
            if found is None:  # a term no entry has
                return EntryPage([], 0, True)
            codes, known = found
        else:
            e = _ENTRIES.c
            codes = select(e.code).where(e.version_id == version.id)
            if code_prefix:
                low, high = code_prefix_range(code_prefix)
                codes = codes.where(e.code >= low, e.code < high)
            known = None if code_prefix else version.entries
        # The page's codes first, in the index's order; then only their rows.
        keys = codes.order_by(codes.selected_columns[0]).limit(limit).offset(offset).subquery()
        page = (select(*_ENTRY_COLUMNS)
                .join_from(keys, _ENTRIES, and_(_ENTRIES.c.version_id == version.id, _ENTRIES.c.code == keys.c.code))
                .order_by(keys.c.code))
        rows = [CatalogRow(*row) for row in self.session.execute(page)]
        if known is not None:
            return EntryPage(rows, known, True)
        if len(rows) < limit and (rows or not offset):  # this page holds the last match
            return EntryPage(rows, offset + len(rows), True)
        cap = max(SEARCH_TOTAL_BOUND, offset + limit)
        counted = self.session.scalar(select(func.count()).select_from(codes.limit(cap + 1).subquery())) or 0
        return EntryPage(rows, counted, counted <= cap)

    def _having_words(self, version_id: str, code_prefix: str | None, q: str) -> tuple[Any, int | None] | None:
        """The codes of the entries whose names contain ``q``, and their number when the index knows it; None when
        one of ``q``'s terms is in no entry.

        The index is read for the rarest of ``q``'s terms, in code order. A one- or two-character ``q`` is that term;
        a longer one is then checked against each candidate's names, which also stands for its other terms (a name
        containing ``q`` has them all). The check is a subquery per candidate, not a join: joined, PostgreSQL's
        planner took the terms as independent and ``LIKE '%…%'`` as rare, expected almost no match, and read and
        sorted every candidate instead of the first ones in code order (bench/README.md).
        """
        terms = sorted(query_terms(q))
        counts = dict(self.session.execute(select(_COUNTS.c.term, _COUNTS.c.entries).where(
            _COUNTS.c.version_id == version_id, _COUNTS.c.term.in_(terms))).all())
        if len(counts) < len(terms):
            return None
        rarest = min(terms, key=lambda term: (counts[term], term))
        t = _TERMS.alias("t")
        codes = select(t.c.code).where(t.c.version_id == version_id, t.c.term == rarest)
        if code_prefix:
            low, high = code_prefix_range(code_prefix)
            codes = codes.where(t.c.code >= low, t.c.code < high)
        folded, e = q.lower(), _ENTRIES.c
        if len(folded) <= 2:
            return codes, None if code_prefix else counts[rarest]
        named = (select(or_(*(func.lower(e[name]).contains(folded, autoescape=True) for name in SEARCHED_NAMES)))
                 .where(e.version_id == version_id, e.code == t.c.code).scalar_subquery())
        return codes.where(named), None

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

    def differences(self, old_id: str, new_id: str) -> tuple[list[CatalogRow], list[CatalogRow],
                                                             list[tuple[CatalogRow, CatalogRow]]]:
        """The entries only in ``new_id``, only in ``old_id``, and in both with other content, each by code (CM-6).

        Compared in the database (anti-joins, a join on the code): only the entries that differ are read.
        """
        def only(in_id: str, not_in_id: str) -> list[CatalogRow]:
            a, b = _ENTRIES.alias("a"), _ENTRIES.alias("b")
            query = (select(*(a.c[c.name] for c in _ENTRY_COLUMNS))
                     .where(a.c.version_id == in_id, ~exists().where(b.c.version_id == not_in_id, b.c.code == a.c.code))
                     .order_by(a.c.code))
            return [CatalogRow(*row) for row in self.session.execute(query)]

        old, new = _ENTRIES.alias("old"), _ENTRIES.alias("new")
        width = len(_ENTRY_COLUMNS)
        changed = (select(*(old.c[c.name] for c in _ENTRY_COLUMNS), *(new.c[c.name] for c in _ENTRY_COLUMNS))
                   .join_from(old, new, and_(new.c.version_id == new_id, new.c.code == old.c.code))
                   .where(old.c.version_id == old_id,
                          or_(*(old.c[c.name].is_distinct_from(new.c[c.name]) for c in _ENTRY_COLUMNS[1:])))
                   .order_by(old.c.code))
        pairs = [(CatalogRow(*row[:width]), CatalogRow(*row[width:])) for row in self.session.execute(changed)]
        return only(new_id, old_id), only(old_id, new_id), pairs

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
