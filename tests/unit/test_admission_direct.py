"""Catalog changes by bureau action as the domain sees them: VBP inclusions (DA-7, VBP-1) and emergency temporary
inclusions (DA-8), read from plain data and turned into catalog changes (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.admission.categories import PriceZone
from domain.admission.direct import (
    catalog_changes,
    direct_change_from_data,
    direct_findings,
    procurement_from_data,
    procurement_to_data,
)
from domain.admission.publication import CatalogState, next_version
from domain.errors import InvalidInput, PolicyViolation
from domain.reference_data import CatalogRow

ENTRY, NEW = "C01010100101001", "C09100100000000"
CURRENT = CatalogState((CatalogRow(ENTRY, "一", "二", "三", "支架", "", "", "乙", Decimal("8085.00"), None),),
                       effective_on=date(2026, 1, 1))
NAMES = {"primary_class": "一", "secondary_class": "二", "tertiary_class": "三", "common_name": "导管"}


def data(**overrides: Any) -> dict[str, Any]:
    return {"kind": "vbp", "reason": "集采中选", "entry_code": ENTRY,
            "terms": {"category": "乙", "max_payment_standard": "5000.00"},
            "procurement": {"selected": True, "selected_price": "5000.00"},
            "products": [{"code": ENTRY + "012340000049", "name": "支架"}], "effective_on": "2026-10-01", **overrides}


def test_vbp_facts_read_back_as_plain_data() -> None:
    facts = procurement_from_data({"selected": False, "highest_selected_price": "5600", "coronary_stent": True,
                                   "listing_price": "6800.00", "price_zone": "middle"})
    assert facts is not None and facts.price_zone is PriceZone.MIDDLE
    assert procurement_from_data(procurement_to_data(facts)) == facts
    with pytest.raises(InvalidInput):
        procurement_from_data({"selected": True, "price_zone": "cheap"})


def test_da7_vbp1_a_selected_inclusion_changes_the_existing_entrys_terms_at_its_selected_price() -> None:
    change = direct_change_from_data(data())
    assert direct_findings(change, CURRENT) == []
    published = next_version(CURRENT, catalog_changes(change, CURRENT), change.effective_on)
    assert published.catalog.rows[0].payment_standard == Decimal("5000.00")
    assert published.catalog.procurement[ENTRY].selected_price == Decimal("5000.00")
    with pytest.raises(PolicyViolation) as refused:
        other = direct_change_from_data(data(terms={"category": "乙", "max_payment_standard": "5200.00"}))
        next_version(CURRENT, catalog_changes(other, CURRENT), other.effective_on)
    assert refused.value.rule == "VBP-1"


@pytest.mark.parametrize(("overrides", "rule", "field"), [
    ({"procurement": None}, "DA-7", "procurement"), ({"reason": " "}, "DA-7", "reason"),
    ({"kind": "emergency"}, "DA-8", "leaves_on"), ({"kind": "emergency", "leaves_on": "2027-01-01"}, "DA-8",
                                                   "entry_code"),
    ({"terms": {"max_payment_standard": "5000.00"}}, "CM-2", "terms.category"),
    ({"entry_code": NEW, "products": []}, "CM-1", "terms.names"),
    ({"products": [{"code": NEW + "012340000049", "name": "x"}]}, "CM-1", "products[0].code"),
])
def test_a_direct_change_names_the_rule_it_breaks(overrides: dict[str, Any], rule: str, field: str) -> None:
    findings = direct_findings(direct_change_from_data(data(**overrides)), CURRENT)
    assert (rule, field) in {(f.rule, f.field) for f in findings}


def test_da8_an_emergency_inclusion_adds_a_new_entry_that_leaves_on_its_end_date() -> None:
    change = direct_change_from_data(data(kind="emergency", entry_code=NEW, procurement=None, leaves_on="2026-12-01",
                                          terms={"category": "乙", "names": NAMES},
                                          products=[{"code": NEW + "012340000049", "name": "导管"}]))
    assert direct_findings(change, CURRENT) == []
    published = next_version(CURRENT, catalog_changes(change, CURRENT), change.effective_on)
    assert published.catalog.leaves_on == {NEW: date(2026, 12, 1)}
    later = next_version(published.catalog, catalog_changes(direct_change_from_data(data()), published.catalog),
                         date(2026, 12, 1))
    assert NEW not in {row.code for row in later.catalog.rows}


@pytest.mark.parametrize("bad", [{"kind": "other"}, {"terms": "x"}, {"effective_on": "soon"},
                                 {"products": "x"}, {"products": [{"code": 1}]}])
def test_a_direct_change_of_the_wrong_shape_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        direct_change_from_data(data(**bad))
