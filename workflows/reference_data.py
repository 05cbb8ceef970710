"""Use cases of the versioned reference data: load and read the consumable catalog (CM-6) and the drug list (ND-1)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from domain.actors import Actor
from domain.codes import consumable_entry_code, consumable_entry_key
from domain.errors import InvalidInput, NotFound
from domain.permissions import require
from domain.reference_data import (
    CATALOG_COLUMNS,
    CatalogRow,
    DrugRow,
    catalog_code_prefix,
    catalog_csv,
    catalog_record,
    entry_change,
    parse_catalog,
    parse_drugs,
    rows_digest,
)
from storage.catalog_models import CatalogVersion, DrugListVersion
from storage.reference_repositories import Catalogs
from storage.uow import UnitOfWork

from . import clock
from .context import Services

# One audit chain per list, through all its versions: (aggregate_type, aggregate_id).
CATALOG_AGGREGATE = ("catalog", "consumables")
DRUG_LIST_AGGREGATE = ("drug_list", "negotiated-drugs")
MAX_PAGE = 500
_STAMP = " sha256:"
_MAX_SOURCE = 300 - len(_STAMP) - 64  # the version's source column holds the text and the digest


@dataclass(frozen=True)
class CatalogVersionView:
    """A published catalog version."""

    version: int
    effective_date: date
    published_at: datetime
    source: str
    entries: int


@dataclass(frozen=True)
class CatalogEntryView:
    """A catalog entry of one version."""

    version: int
    code: str
    primary_class: str
    secondary_class: str
    tertiary_class: str
    common_name: str
    material: str
    characteristics: str
    payment_category: str
    payment_standard: Decimal | None
    description: str | None


@dataclass(frozen=True)
class CatalogEntryPage:
    """A page of a version's entries; ``total`` is exact unless ``total_is_lower_bound`` (SV-1)."""

    items: list[CatalogEntryView]
    total: int
    limit: int
    offset: int
    total_is_lower_bound: bool


@dataclass(frozen=True)
class EntryChangeView:
    """An entry whose content differs between two versions, and which fields differ."""

    code: str
    fields: list[str]
    before: CatalogEntryView
    after: CatalogEntryView


@dataclass(frozen=True)
class CatalogDiffView:
    """What changed from one catalog version to another (CM-6)."""

    from_version: int
    to_version: int
    added: list[CatalogEntryView]
    removed: list[CatalogEntryView]
    changed: list[EntryChangeView]


@dataclass(frozen=True)
class DrugListVersionView:
    """A version of the negotiated-drug list."""

    version: int
    effective_date: date
    created_at: datetime
    source: str
    drugs: int


@dataclass(frozen=True)
class DrugListView:
    """The drugs of one version of the list."""

    version: int
    effective_date: date
    source: str
    drugs: list[DrugRow]


def _catalog_view(row: CatalogVersion) -> CatalogVersionView:
    return CatalogVersionView(row.version, row.effective_date, row.published_at, row.source, row.entries)


def _entry_view(version: int, row: CatalogRow) -> CatalogEntryView:
    return CatalogEntryView(version=version, **vars(row))


def _read_csv(path: Path, source: str) -> str:
    if not source.strip() or len(source) > _MAX_SOURCE:
        raise InvalidInput(f"source must be 1–{_MAX_SOURCE} characters", field="source")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"no file {path}", code="file_not_found", field="path") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path} is not UTF-8 (byte {exc.start})", field="path") from None


def _stamped(source: str, digest: str) -> str:
    return f"{source}{_STAMP}{digest}"


def _digest_of(source: str | None) -> str | None:
    return source.rpartition(_STAMP)[2] if source and _STAMP in source else None


def _check_loader(actor: Actor, what: str) -> None:
    require(actor, "reference_data.load", detail=f"only the bureau loads the {what}")  # ND-1, DA-6


def load_catalog(
    services: Services, actor: Actor, path: Path, effective_date: date, source: str
) -> CatalogVersionView:
    """Load a catalog file as the next version; a file with the latest version's entries is a no-op (CM-6)."""
    _check_loader(actor, "catalog")
    rows = parse_catalog(_read_csv(path, source))
    digest = rows_digest(rows)
    with services.uow() as uow:
        catalogs = uow.catalogs
        latest = catalogs.latest()
        if latest is not None and _digest_of(latest.source) == digest:
            return _catalog_view(latest)
        now = clock.now(services, uow)
        version = CatalogVersion(version=catalogs.next_version(), effective_date=effective_date, published_at=now,
                                 source=_stamped(source, digest), entries=len(rows))
        catalogs.add(version)
        uow.flush()
        catalogs.insert_entries(version.id, rows)
        _audit(uow, actor, now, CATALOG_AGGREGATE, "catalog.version_loaded", version.id, {
            "version": version.version, "effective_date": effective_date.isoformat(), "entries": len(rows),
            "source": source, "sha256": digest,
        })
        uow.commit()
        return _catalog_view(version)


def load_drug_list(
    services: Services, actor: Actor, path: Path, effective_date: date, source: str
) -> DrugListVersionView:
    """Load a negotiated-drug file as the next list version; the latest version's content again is a no-op (ND-1)."""
    _check_loader(actor, "negotiated-drug list")
    return publish_drug_list(services, actor, parse_drugs(_read_csv(path, source)), effective_date, source)


def publish_drug_list(
    services: Services, actor: Actor, rows: list[DrugRow], effective_date: date, source: str
) -> DrugListVersionView:
    """Publish checked drug rows as the next list version, audited; the latest version's content is a no-op (ND-1).

    The one place a version of the list is made: from a file (:func:`load_drug_list`) or from the bureau's change
    of one drug through the API (``workflows/registration/drug_list.py``).
    """
    _check_loader(actor, "negotiated-drug list")
    if not source.strip() or len(source) > _MAX_SOURCE:
        raise InvalidInput(f"source must be 1–{_MAX_SOURCE} characters", field="source")
    digest = rows_digest(rows)
    with services.uow() as uow:
        lists = uow.drug_lists
        latest = lists.latest()
        if latest is not None and _digest_of(latest.source) == digest:
            return DrugListVersionView(latest.version, latest.effective_date, latest.created_at, latest.source,
                                       len(lists.drugs(latest.id)))
        now = clock.now(services, uow)
        version = DrugListVersion(version=lists.next_version(), effective_date=effective_date,
                                  source=_stamped(source, digest), created_at=now)
        lists.add(version)
        uow.flush()
        lists.insert_drugs(version.id, rows)
        _audit(uow, actor, now, DRUG_LIST_AGGREGATE, "drug_list.version_loaded", version.id, {
            "version": version.version, "effective_date": effective_date.isoformat(), "drugs": len(rows),
            "source": source, "sha256": digest,
        })
        uow.commit()
        return DrugListVersionView(version.version, effective_date, now, version.source, len(rows))


def _audit(uow: UnitOfWork, actor: Actor, at: datetime, aggregate: tuple[str, str], action: str,
           object_id: str, after: dict[str, object]) -> None:
    aggregate_type, aggregate_id = aggregate
    object_type = f"{aggregate_type}_version"
    uow.audit.append(aggregate_type=aggregate_type, aggregate_id=aggregate_id, at=at, actor=actor.user_id,
                     actor_org=actor.org_id, action=action, object_type=object_type, object_id=object_id,
                     after=after)


def list_catalog_versions(services: Services) -> list[CatalogVersionView]:
    """Every published catalog version, oldest first."""
    with services.uow(read_only=True) as uow:
        return [_catalog_view(row) for row in uow.catalogs.versions()]


def catalog_version_row(catalogs: Catalogs, version: int | None) -> CatalogVersion:
    """A catalog version by number (the latest when None); NotFound when there is none."""
    row = catalogs.latest() if version is None else catalogs.version(version)
    if row is None:
        what = "no catalog version has been published" if version is None else f"no catalog version {version}"
        raise NotFound(what, code="catalog_version_not_found")
    return row


def get_catalog_entries(
    services: Services, version: int | None = None, code_prefix: str | None = None, q: str | None = None,
    limit: int = 50, offset: int = 0,
) -> CatalogEntryPage:
    """One page of a version's entries (the latest when None), by code prefix or words of the names (SV-1).

    The total is exact up to ``SEARCH_TOTAL_BOUND`` matches or the end of the page, whichever is further, and for
    any one- or two-character query; past that it is a lower bound, and says so."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(f"limit must be 1–{MAX_PAGE} and offset at least 0", field="limit")
    prefix = catalog_code_prefix(code_prefix) if code_prefix else None
    with services.uow(read_only=True) as uow:
        catalogs = uow.catalogs
        row = catalog_version_row(catalogs, version)
        page = catalogs.entries(row, code_prefix=prefix, q=(q or "").strip() or None, limit=limit, offset=offset)
        return CatalogEntryPage([_entry_view(row.version, e) for e in page.rows], page.total, limit, offset,
                                not page.exact)


def get_catalog_entry(services: Services, code: str, version: int | None = None) -> CatalogEntryView:
    """The entry of a 15-character code, or of a full 27-character product code's prefix (CM-1)."""
    key = consumable_entry_key(code) if len(code) == 27 else consumable_entry_code(code, field="code")
    with services.uow(read_only=True) as uow:
        catalogs = uow.catalogs
        row = catalog_version_row(catalogs, version)
        entry = catalogs.entry(row.id, key)
        if entry is None:
            raise NotFound(f"catalog version {row.version} has no entry {key}", code="catalog_entry_not_found")
        return _entry_view(row.version, entry)


def catalog_diff(services: Services, from_version: int, to_version: int) -> CatalogDiffView:
    """The entries added, removed and changed from one catalog version to another (CM-6)."""
    with services.uow(read_only=True) as uow:
        catalogs = uow.catalogs
        old, new = catalog_version_row(catalogs, from_version), catalog_version_row(catalogs, to_version)
        added, removed, pairs = catalogs.differences(old.id, new.id)
        changes = [entry_change(before, after) for before, after in pairs]
        return CatalogDiffView(
            from_version=old.version,
            to_version=new.version,
            added=[_entry_view(new.version, e) for e in added],
            removed=[_entry_view(old.version, e) for e in removed],
            changed=[EntryChangeView(c.code, list(c.fields), _entry_view(old.version, c.before),
                                     _entry_view(new.version, c.after)) for c in changes],
        )


def list_drug_versions(services: Services) -> list[DrugListVersionView]:
    """Every version of the negotiated-drug list, oldest first."""
    with services.uow(read_only=True) as uow:
        return [DrugListVersionView(row.version, row.effective_date, row.created_at, row.source, drugs)
                for row, drugs in uow.drug_lists.versions()]


def list_drugs(services: Services, version: int | None = None) -> DrugListView:
    """The drugs of a version of the negotiated-drug list (the latest when None), by number (ND-1)."""
    with services.uow(read_only=True) as uow:
        lists = uow.drug_lists
        row = lists.latest() if version is None else lists.version(version)
        if row is None:
            what = "no negotiated-drug list has been loaded" if version is None else f"no drug list version {version}"
            raise NotFound(what, code="drug_list_version_not_found")
        return DrugListView(row.version, row.effective_date, row.source, lists.drugs(row.id))


# --- export of a version (CM-6) ---------------------------------------------------------------------------------
EXPORT_FORMATS = {"csv": "text/csv",  # Flask adds "; charset=utf-8"
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class CatalogExport:
    """A published version as a file in the source catalog's columns."""

    filename: str
    media_type: str
    content: bytes


def _xlsx(rows: list[CatalogRow], version: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"目录第{version}版")
    sheet.append(list(CATALOG_COLUMNS))
    for row in rows:
        record: list[object] = list(catalog_record(row))
        record[CATALOG_COLUMNS.index("payment_standard")] = row.payment_standard  # a number, as Excel sums it
        sheet.append(record)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_catalog(services: Services, version: int | None, fmt: str) -> CatalogExport:
    """A version (the latest when None) as CSV (UTF-8, LF, the source's columns and forms: loading it again gives
    the same rows) or XLSX (one sheet, the same columns, the standard as a number)."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(EXPORT_FORMATS)}", field="format")
    with services.uow(read_only=True) as uow:
        row = catalog_version_row(uow.catalogs, version)
        entries = uow.catalogs.all_entries(row.id)
    content = catalog_csv(entries).encode("utf-8") if fmt == "csv" else _xlsx(entries, row.version)
    return CatalogExport(f"catalog-v{row.version}.{fmt}", EXPORT_FORMATS[fmt], content)
