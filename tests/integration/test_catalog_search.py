"""The catalog's search totals and its diff at the database, on both backends (SV-1, CM-6, issue 7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.actors import Actor
from domain.reference_data import SEARCHED_NAMES, CatalogRow, catalog_csv, diff_catalogs, parse_catalog
from storage import reference_repositories
from workflows import reference_data as rd
from workflows.context import Services

CATALOG = Path(__file__).resolve().parents[2] / "data" / "guizhou-consumables-catalog.csv"
BUREAU = Actor("officer-1", "bureau-1", frozenset({"bureau_officer"}))
ROWS = parse_catalog(CATALOG.read_text(encoding="utf-8"))


def load(services: Services, tmp_path: Path, rows: list[CatalogRow], day: date) -> None:
    path = tmp_path / f"catalog-{day.isoformat()}.csv"
    path.write_text(catalog_csv(rows), encoding="utf-8")
    rd.load_catalog(services, BUREAU, path, day, path.name)


def matching(q: str) -> list[str]:
    return [r.code for r in ROWS if any(q.lower() in getattr(r, n).lower() for n in SEARCHED_NAMES)]


def test_sv1_a_broad_search_counts_up_to_the_bound_then_says_its_total_is_a_lower_bound(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(services, tmp_path, ROWS, date(2026, 1, 1))
    monkeypatch.setattr(reference_repositories, "SEARCH_TOTAL_BOUND", 10)
    expected = matching("非血管介入")
    assert len(expected) > 30
    first = rd.get_catalog_entries(services, q="非血管介入", limit=5)
    assert (first.total, first.total_is_lower_bound) == (11, True)  # at least 11 match
    assert [e.code for e in first.items] == expected[:5]
    deep = rd.get_catalog_entries(services, q="非血管介入", limit=5, offset=20)
    assert (deep.total, deep.total_is_lower_bound) == (26, True)  # the bound reaches past the page asked for
    assert [e.code for e in deep.items] == expected[20:25]
    last = rd.get_catalog_entries(services, q="非血管介入", limit=5, offset=len(expected) - 3)
    assert (last.total, last.total_is_lower_bound, len(last.items)) == (len(expected), False, 3)
    prefix = rd.get_catalog_entries(services, code_prefix="C03", limit=5)
    assert (prefix.total, prefix.total_is_lower_bound) == (11, True)
    for q in ("管", "支架"):  # one or two characters: the index keeps each term's count, always exact
        page = rd.get_catalog_entries(services, q=q, limit=5)
        assert (page.total, page.total_is_lower_bound) == (len(matching(q)), False)
    everything = rd.get_catalog_entries(services, limit=5)
    assert (everything.total, everything.total_is_lower_bound) == (len(ROWS), False)
    few = rd.get_catalog_entries(services, q="导管鞘", limit=500)
    assert (few.total, few.total_is_lower_bound) == (len(matching("导管鞘")), False)
    none = rd.get_catalog_entries(services, q="无此名称之物", offset=40)
    assert (none.items, none.total, none.total_is_lower_bound) == ([], 0, False)


def test_cm6_the_diff_compared_in_the_database_is_the_domain_diff(services: Services, tmp_path: Path) -> None:
    old = ROWS[:80]
    no_standard = next(i for i, r in enumerate(old) if r.payment_category == "乙" and r.payment_standard is not None)
    no_description = next(i for i, r in enumerate(old) if r.description is None and i != no_standard)
    new = list(old[1:])  # the first entry is removed
    new[no_standard - 1] = replace(old[no_standard], payment_standard=None)
    new[no_description - 1] = replace(old[no_description], description="限三级医院使用")
    new[40] = replace(new[40], common_name=new[40].common_name + "（新）", payment_standard=Decimal("1.50"))
    new.append(replace(old[5], code="C99000000000001"))
    load(services, tmp_path, old, date(2026, 1, 1))
    load(services, tmp_path, new, date(2027, 1, 1))
    for a, b, before, after in ((1, 2, old, new), (2, 1, new, old)):
        found, expected = rd.catalog_diff(services, a, b), diff_catalogs(before, after)
        assert [e.code for e in found.added] == [r.code for r in expected.added]
        assert [e.code for e in found.removed] == [r.code for r in expected.removed]
        assert [(c.code, tuple(c.fields)) for c in found.changed] == [(c.code, c.fields) for c in expected.changed]
        assert [(c.before.payment_standard, c.after.description) for c in found.changed] == [
            (c.before.payment_standard, c.after.description) for c in expected.changed]
    assert len(rd.catalog_diff(services, 1, 2).changed) == 3
