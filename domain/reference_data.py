"""Versioned reference data: parse and check the consumable catalog (CM-1, CM-2, CM-6) and the drug list (ND-1, ND-16).

Pure functions over CSV text; every error names the line (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from domain.codes import consumable_entry_code
from domain.errors import InvalidInput

CATALOG_COLUMNS = (
    "id", "name", "primary_classification", "secondary_classification", "tertiary_classification",
    "common_name", "material", "characteristics", "payment_category", "payment_standard", "description",
)
DRUG_COLUMNS = (
    "seq", "name", "dosage_form", "restriction", "annual_limit", "agreement_start", "agreement_end",
    "required_specialty", "specialty_exempt_indications",
)
# 甲类/乙类 in the published catalogs; the short form is what the service stores (CM-2).
PAYMENT_CATEGORIES = {"甲类": "甲", "乙类": "乙", "甲": "甲", "乙": "乙"}
# A restriction that names a specialist prescription requires that specialty (ND-16).
SPECIALIST_PHRASES = {"需风湿病专科医师处方": "rheumatology"}
MAX_AMOUNT = Decimal("9999999999.99")  # the widest amount a Numeric(12, 2) column holds
_CODE_PREFIX = re.compile(r"C\d{0,14}")
_SPECIALTY = re.compile(r"[a-z][a-z_]{1,63}")

Row = TypeVar("Row")


@dataclass(frozen=True)
class CatalogRow:
    """One catalog entry (医保医用耗材目录条目), keyed by its 15-character code (CM-1)."""

    code: str
    primary_class: str
    secondary_class: str
    tertiary_class: str
    common_name: str
    material: str
    characteristics: str
    payment_category: str  # 甲 | 乙 (CM-2)
    payment_standard: Decimal | None  # a 乙 entry may have no maximum payment standard (CM-2)
    description: str | None


@dataclass(frozen=True)
class DrugRow:
    """One negotiated drug (谈判药品) of the list: form, restriction, annual limit, agreement period (ND-1)."""

    seq: int
    name: str
    dosage_form: str
    restriction: str  # 限定支付范围, verbatim; may be empty
    annual_limit: Decimal  # 年度最高限额, yuan (ND-9)
    agreement_start: date | None  # None: the source does not state the agreement period (ND-12)
    agreement_end: date | None
    required_specialty: str | None  # ND-16
    specialty_exempt_indications: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryChange:
    """An entry present in both versions whose content differs."""

    code: str
    before: CatalogRow
    after: CatalogRow
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CatalogDiff:
    """What changed between two catalog versions, by code (CM-6)."""

    added: tuple[CatalogRow, ...]
    removed: tuple[CatalogRow, ...]
    changed: tuple[EntryChange, ...]


def _error(line: int, column: str, message: str, code: str = "invalid_reference_data") -> InvalidInput:
    return InvalidInput(f"line {line}, {column}: {message}", code=code, field=column, extra={"line": line})


def _records(text: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, record) for each data row after checking the header."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or tuple(header) != columns:
            raise _error(1, "header", f"expected the columns {','.join(columns)}")
        line = reader.line_num + 1
        for values in reader:
            if values and len(values) != len(columns):
                raise _error(line, "row", f"expected {len(columns)} fields, got {len(values)}")
            if values:
                yield line, dict(zip(columns, values, strict=True))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _error(reader.line_num, "row", f"malformed CSV: {exc}") from None


def _parse(text: str, columns: tuple[str, ...], parse_row: Callable[[Mapping[str, str], int], Row],
           keys: Mapping[str, Callable[[Row], object]]) -> list[Row]:
    """Parse every record with ``parse_row``; each of ``keys`` (column: key of a row) must be unique."""
    rows: list[Row] = []
    seen: dict[tuple[str, object], int] = {}
    for line, record in _records(text, columns):
        row = parse_row(record, line)
        for column, key in keys.items():
            if (column, key(row)) in seen:
                raise _error(line, column, f"'{key(row)}' repeats line {seen[column, key(row)]}",
                             code="duplicate_row")
            seen[column, key(row)] = line
        rows.append(row)
    if not rows:
        raise _error(2, "row", "the file has no data rows")
    return rows


def _text(record: Mapping[str, str], column: str, line: int, max_length: int, required: bool = True) -> str:
    value = record[column]
    if required and not value.strip():
        raise _error(line, column, "must not be empty")
    if len(value) > max_length:
        raise _error(line, column, f"must be at most {max_length} characters, got {len(value)}")
    return value


def _amount(value: str, column: str, line: int, positive: bool) -> Decimal:
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise _error(line, column, f"must be an amount in yuan, got '{value}'") from None
    exponent = amount.as_tuple().exponent  # a letter for NaN and infinity
    if not isinstance(exponent, int) or exponent < -2:
        raise _error(line, column, f"must be an amount with at most two decimals, got '{value}'")
    if amount < 0 or (positive and amount == 0) or amount > MAX_AMOUNT:
        raise _error(line, column, f"must be {'more than' if positive else 'at least'} 0 and at most "
                                   f"{MAX_AMOUNT}, got '{value}'")
    return amount.quantize(Decimal("0.01"))


def _date(value: str, column: str, line: int) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _error(line, column, f"must be an ISO date (YYYY-MM-DD), got '{value}'") from None


def catalog_row(record: Mapping[str, str], line: int) -> CatalogRow:
    """Check one catalog record; the code by format (CM-1), the category mapped to 甲/乙 (CM-2)."""
    try:
        code = consumable_entry_code(record["name"].strip(), field="name")
    except InvalidInput as exc:
        raise _error(line, "name", exc.detail, code=exc.code) from None
    category = PAYMENT_CATEGORIES.get(record["payment_category"].strip())
    if category is None:
        raise _error(line, "payment_category", f"must be 甲类 or 乙类, got '{record['payment_category']}'")
    standard = record["payment_standard"]
    return CatalogRow(
        code=code,
        primary_class=_text(record, "primary_classification", line, 100),
        secondary_class=_text(record, "secondary_classification", line, 100),
        tertiary_class=_text(record, "tertiary_classification", line, 100),
        common_name=_text(record, "common_name", line, 100),
        material=_text(record, "material", line, 100, required=False),
        characteristics=_text(record, "characteristics", line, 200, required=False),
        payment_category=category,
        payment_standard=_amount(standard, "payment_standard", line, False) if standard.strip() else None,
        description=_text(record, "description", line, 2000, required=False) or None,
    )


def drug_row(record: Mapping[str, str], line: int) -> DrugRow:
    """Check one drug record: positive limit (ND-9), agreement period (ND-12), specialty rule (ND-16)."""
    seq = record["seq"].strip()
    if not seq.isdigit() or int(seq) < 1:
        raise _error(line, "seq", f"must be a positive whole number, got '{record['seq']}'")
    restriction = _text(record, "restriction", line, 2000, required=False)
    start = _date(record["agreement_start"], "agreement_start", line)
    end = _date(record["agreement_end"], "agreement_end", line)
    if (start is None) != (end is None):
        raise _error(line, "agreement_end" if end is None else "agreement_start",
                     "give both agreement dates or neither")
    if start is not None and end is not None and end <= start:
        raise _error(line, "agreement_end", f"must be after agreement_start {start.isoformat()}")
    specialty, exempt = _specialty(record, line, restriction)
    return DrugRow(
        seq=int(seq),
        name=_text(record, "name", line, 100).strip(),
        dosage_form=_text(record, "dosage_form", line, 100).strip(),
        restriction=restriction,
        annual_limit=_amount(record["annual_limit"], "annual_limit", line, True),
        agreement_start=start,
        agreement_end=end,
        required_specialty=specialty,
        specialty_exempt_indications=exempt,
    )


def _specialty(record: Mapping[str, str], line: int, restriction: str) -> tuple[str | None, tuple[str, ...]]:
    specialty = record["required_specialty"].strip() or None
    if specialty is not None and not _SPECIALTY.fullmatch(specialty):
        raise _error(line, "required_specialty", f"must be a lower-case identifier, got '{specialty}'")
    for phrase, needed in SPECIALIST_PHRASES.items():
        if phrase in restriction and specialty != needed:
            raise _error(line, "required_specialty", f"the restriction says {phrase}: must be '{needed}'")
    exempt = tuple(w.strip() for w in record["specialty_exempt_indications"].split(";") if w.strip())
    if exempt and specialty is None:
        raise _error(line, "specialty_exempt_indications", "only a drug with a required_specialty has exemptions")
    for word in exempt:
        if word not in restriction:
            raise _error(line, "specialty_exempt_indications", f"'{word}' does not occur in the restriction")
    return specialty, exempt


def parse_catalog(text: str) -> list[CatalogRow]:
    """Parse a catalog CSV (the columns of CATALOG_COLUMNS) into rows with unique codes."""
    return _parse(text, CATALOG_COLUMNS, catalog_row, {"name": lambda r: r.code})


def parse_drugs(text: str) -> list[DrugRow]:
    """Parse a negotiated-drug CSV (the columns of DRUG_COLUMNS) into rows with unique numbers and names."""
    return _parse(text, DRUG_COLUMNS, drug_row, {"seq": lambda r: r.seq, "name": lambda r: r.name})


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def rows_digest(rows: Sequence[CatalogRow] | Sequence[DrugRow]) -> str:
    """SHA-256 of the rows in a canonical form: the same content gives the same digest, whatever the file layout."""
    names = [f.name for f in fields(rows[0])] if rows else []
    canonical = [[_plain(getattr(row, n)) for n in names] for row in rows]
    body = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def specialty_required(drug: DrugRow, indication: str) -> str | None:
    """The specialty a physician needs to register ``drug`` for ``indication``, or None (ND-16, our reading)."""
    if drug.required_specialty is None:
        return None
    if not indication.strip():
        raise InvalidInput("name the indication the drug is registered for", field="indication", rule="ND-16")
    if any(word in indication for word in drug.specialty_exempt_indications):
        return None
    return drug.required_specialty


def entry_change(before: CatalogRow, after: CatalogRow) -> EntryChange:
    """The change of one entry from ``before`` to ``after``, with the fields that differ in the row's order."""
    names = [f.name for f in fields(CatalogRow)]
    return EntryChange(before.code, before, after, tuple(n for n in names if getattr(before, n) != getattr(after, n)))


def diff_catalogs(old: Sequence[CatalogRow], new: Sequence[CatalogRow]) -> CatalogDiff:
    """List the entries added, removed and changed from ``old`` to ``new``, by code (CM-6)."""
    before = {row.code: row for row in old}
    after = {row.code: row for row in new}
    changed = tuple(entry_change(before[code], after[code])
                    for code in sorted(before.keys() & after.keys()) if before[code] != after[code])
    return CatalogDiff(
        added=tuple(after[c] for c in sorted(after.keys() - before.keys())),
        removed=tuple(before[c] for c in sorted(before.keys() - after.keys())),
        changed=changed,
    )


def catalog_code_prefix(value: str) -> str:
    """Check a code prefix to search the catalog by: 'C' and up to 14 digits (CM-1)."""
    if not _CODE_PREFIX.fullmatch(value):
        raise InvalidInput(f"code_prefix must be 'C' followed by up to 14 digits, got '{value}'",
                           code="invalid_code", field="code_prefix")
    return value


# The names a catalog search by words looks in (SV-1): the common name and the three classification names.
SEARCHED_NAMES = ("common_name", "primary_class", "secondary_class", "tertiary_class")
# A search's total is exact up to this many matches (or up to the end of the page asked for, when that is further);
# past it the count stops and the total is a lower bound. A one- or two-character query's total is always exact: the
# index keeps each term's number of entries.
SEARCH_TOTAL_BOUND = 1000


def _grams(text: str) -> set[str]:
    folded = text.lower()
    return set(folded) | {folded[i:i + 2] for i in range(len(folded) - 1)}


def search_terms(row: CatalogRow) -> set[str]:
    """The index terms of an entry: every character and every pair of adjacent characters of its searched names,
    lower-cased. Chinese has no spaces to split words at, so the index holds 1- and 2-character grams."""
    terms: set[str] = set()
    for name in SEARCHED_NAMES:
        terms |= _grams(getattr(row, name))
    return terms


def query_terms(q: str) -> set[str]:
    """The terms an entry must all have to contain ``q`` in one of its names: ``q`` itself when it is one or two
    characters (then having the term is containing it), else its adjacent pairs (then the names are checked too)."""
    folded = q.lower()
    if len(folded) <= 2:
        return {folded}
    return {folded[i:i + 2] for i in range(len(folded) - 1)}


def code_prefix_range(prefix: str) -> tuple[str, str]:
    """The codes that start with a checked prefix ('C' and digits) as a half-open range [low, high), which any
    ordered index answers (a LIKE with an escape clause is a scan on SQLite)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


# --- export in the source's columns (CM-6) ----------------------------------------------------------------------
EXPORT_ID_PREFIX = "gz_nhsa_consumables_"  # the source file's row id: this prefix and the code


def catalog_record(row: CatalogRow) -> list[str]:
    """A row as the source catalog writes it (CATALOG_COLUMNS): 甲类/乙类, the standard with two decimals."""
    standard = "" if row.payment_standard is None else str(row.payment_standard.quantize(Decimal("0.01")))
    return [EXPORT_ID_PREFIX + row.code, row.code, row.primary_class, row.secondary_class, row.tertiary_class,
            row.common_name, row.material, row.characteristics, f"{row.payment_category}类", standard,
            row.description or ""]


def catalog_csv(rows: Sequence[CatalogRow]) -> str:
    """The rows as CSV text in the source's columns, LF line ends: ``parse_catalog`` reads it back to the same rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CATALOG_COLUMNS)
    writer.writerows(catalog_record(r) for r in rows)
    return buffer.getvalue()
