"""The next catalog version from the current one and a round's changes (CM-1, CM-2, CM-6, DA-4, DA-5, DA-8, VBP-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.admission.categories import PaymentCategory
from domain.admission.decisions import EntryDecision, ProcurementFacts
from domain.admission.publication import (
    CatalogChanges,
    CatalogState,
    EntryNames,
    NewEntry,
    Product,
    TermsChange,
    expire_temporary,
    leaving,
    next_version,
)
from domain.errors import PolicyViolation
from domain.reference_data import CatalogRow, parse_catalog

A, B = PaymentCategory.A, PaymentCategory.B
TRACHEAL = "C01010100101001"
BILIARY = "C01020200101002"
MESH = "C12020300200002"
NEW = "C02010100100101"
V1_EFFECTIVE = date(2026, 1, 1)
V2_EFFECTIVE = date(2027, 1, 1)
NAMES = EntryNames("血管介入治疗类材料", "冠脉介入材料", "冠脉药物洗脱支架", "支架", "钴铬合金", "药物涂层")


def row(code: str, standard: str | None = "8085.00", category: str = "乙") -> CatalogRow:
    return CatalogRow(code, "非血管介入治疗类材料", "呼吸介入材料", "气管支气管支架", "支架", "镍钛合金", "全覆膜",
                      category, Decimal(standard) if standard else None, None)


def product(code: str, name: str = "支架") -> Product:
    return Product(code, name, "某医疗器械有限公司", "16x60mm")


CURRENT = CatalogState(
    rows=(row(TRACHEAL), row(BILIARY, "5000.00"), row(MESH, None)),
    products=(product(TRACHEAL + "039410000049"), product(MESH + "001230000001")),
    effective_on=V1_EFFECTIVE,
)


def round_changes() -> CatalogChanges:
    return CatalogChanges(
        new_entries=(NewEntry(EntryDecision(NEW, True, A, Decimal("798.00"), "限冠心病介入治疗"), NAMES),),
        terms=(TermsChange(BILIARY, B, Decimal("4500.00")),),
        retired=(MESH,),
        products=(product(TRACHEAL + "039410000050"), product(NEW + "001230000009")),
    )


def test_cm6_a_round_makes_a_new_version_whose_diff_lists_exactly_its_changes() -> None:
    publication = next_version(CURRENT, round_changes(), V2_EFFECTIVE)
    assert publication.effective_on == V2_EFFECTIVE
    assert [r.code for r in publication.catalog.rows] == [TRACHEAL, BILIARY, NEW]
    assert [r.code for r in publication.diff.added] == [NEW]
    assert [r.code for r in publication.diff.removed] == [MESH]
    assert [(c.code, c.fields) for c in publication.diff.changed] == [(BILIARY, ("payment_standard",))]
    assert [p.code for p in publication.products_added] == [TRACHEAL + "039410000050", NEW + "001230000009"]
    assert [p.code for p in publication.products_removed] == [MESH + "001230000001"]  # with its retired entry


def test_cm2_a_new_entry_row_carries_category_standard_and_restricted_scope() -> None:
    new = next_version(CURRENT, round_changes(), V2_EFFECTIVE).catalog.rows[2]
    assert (new.payment_category, new.payment_standard) == ("甲", Decimal("798.00"))
    assert new.description == "限冠心病介入治疗"
    assert (new.primary_class, new.common_name, new.characteristics) == ("血管介入治疗类材料", "支架", "药物涂层")


def test_cm6_the_current_version_is_left_unchanged() -> None:
    before = (CURRENT.rows, CURRENT.products)
    next_version(CURRENT, round_changes(), V2_EFFECTIVE)
    assert (CURRENT.rows, CURRENT.products) == before


def test_da4_a_product_added_under_an_existing_entry_changes_no_entry() -> None:
    publication = next_version(CURRENT, CatalogChanges(products=(product(TRACHEAL + "039410000050"),)),
                               V2_EFFECTIVE)
    assert publication.diff == type(publication.diff)((), (), ())
    assert [p.code for p in publication.products_added] == [TRACHEAL + "039410000050"]


def test_a_terms_change_keeps_or_replaces_the_restricted_scope_and_records_vbp_facts() -> None:
    vbp = ProcurementFacts(selected=True, selected_price=Decimal("590.00"))
    changes = CatalogChanges(terms=(TermsChange(TRACHEAL, B, Decimal("590.00"), "限二级以上医院", vbp),
                                    TermsChange(BILIARY, A, Decimal("5000.00"))))
    catalog = next_version(CURRENT, changes, V2_EFFECTIVE).catalog
    assert catalog.rows[0].description == "限二级以上医院" and catalog.procurement == {TRACHEAL: vbp}
    assert catalog.rows[1].payment_category == "甲" and catalog.rows[1].description is None


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        (CatalogChanges(new_entries=(NewEntry(EntryDecision(TRACHEAL, True, B), NAMES),)), "CM-1",
         "new_entries[0].entry_code"),
        (CatalogChanges(new_entries=(NewEntry(EntryDecision(NEW, True, A), NAMES),)), "CM-2",
         "new_entries[0].max_payment_standard"),
        (CatalogChanges(new_entries=(NewEntry(EntryDecision(NEW, False, reason="x"), NAMES),)), "DA-5",
         "new_entries[0].include"),
        (CatalogChanges(new_entries=(NewEntry(EntryDecision(NEW, True, B), EntryNames("", "", "", "")),)), "CM-1",
         "new_entries[0].names"),
        (CatalogChanges(new_entries=(NewEntry(EntryDecision("C0201", True, B), NAMES),)), "CM-1",
         "new_entries[0].entry_code"),
        (CatalogChanges(products=(product(NEW + "001230000009"),)), "CM-1", "products[0].code"),
        (CatalogChanges(products=(product(MESH + "001230000001"),)), "CM-1", "products[0].code"),
        (CatalogChanges(products=(product(MESH),)), "CM-5", "products[0].code"),
        (CatalogChanges(retired=(NEW,)), "DA-5", "retired[0]"),
        (CatalogChanges(retired=(MESH,), terms=(TermsChange(MESH, B, None),)), "DA-5", "terms[0].entry_code"),
        (CatalogChanges(retired=(MESH,), products=(product(MESH + "001230000002"),)), "CM-1", "products[0].code"),
        (CatalogChanges(terms=(TermsChange(TRACHEAL, B, Decimal("600.00"),
                                           procurement=ProcurementFacts(True, Decimal("590.00"))),)),
         "VBP-1", "terms[0].max_payment_standard"),
    ],
)
def test_changes_that_break_a_rule_are_refused_naming_rule_and_field(changes: CatalogChanges, rule: str,
                                                                     field: str) -> None:
    with pytest.raises(PolicyViolation) as err:
        next_version(CURRENT, changes, V2_EFFECTIVE)
    assert (err.value.rule, err.value.field) == (rule, field)
    assert err.value.code == "catalog_change_refused"


def test_cm6_the_next_version_takes_effect_after_the_current_one() -> None:
    with pytest.raises(PolicyViolation) as err:
        next_version(CURRENT, CatalogChanges(), V1_EFFECTIVE)
    assert (err.value.rule, err.value.field) == ("CM-6", "effective_on")


def temporary(leaves_on: date) -> CatalogChanges:
    decision = EntryDecision(NEW, True, B, Decimal("300.00"), "限突发公共卫生事件救治")
    return CatalogChanges(new_entries=(NewEntry(decision, NAMES, leaves_on),),
                          products=(product(NEW + "001230000009"),))


def test_da8_a_temporary_entry_leaves_the_catalog_on_its_end_date() -> None:
    v2 = next_version(CURRENT, temporary(date(2027, 6, 30)), V2_EFFECTIVE).catalog
    assert v2.leaves_on == {NEW: date(2027, 6, 30)}
    assert leaving(v2, date(2027, 6, 29)) == () and expire_temporary(v2, date(2027, 6, 29)) is None
    v3 = expire_temporary(v2, date(2027, 6, 30))
    assert v3 is not None and v3.effective_on == date(2027, 6, 30)
    assert [r.code for r in v3.diff.removed] == [NEW]
    assert [p.code for p in v3.products_removed] == [NEW + "001230000009"]
    assert v3.catalog.leaves_on == {}


def test_da8_a_later_version_never_keeps_a_temporary_entry_past_its_end_date() -> None:
    v2 = next_version(CURRENT, temporary(date(2027, 6, 30)), V2_EFFECTIVE).catalog
    v3 = next_version(v2, CatalogChanges(terms=(TermsChange(BILIARY, B, Decimal("4000.00")),)), date(2027, 7, 1))
    assert NEW not in {r.code for r in v3.catalog.rows}


def test_da8_a_temporary_entry_can_be_included_for_good_by_a_later_round() -> None:
    v2 = next_version(CURRENT, temporary(date(2027, 6, 30)), V2_EFFECTIVE).catalog
    permanent = CatalogChanges(new_entries=(NewEntry(EntryDecision(NEW, True, B, Decimal("280.00")), NAMES),))
    v3 = next_version(v2, permanent, date(2027, 3, 1))
    assert v3.catalog.leaves_on == {} and [c.code for c in v3.diff.changed] == [NEW]
    assert [p.code for p in v3.catalog.products if p.entry_code == NEW] == [NEW + "001230000009"]


def test_da8_a_temporary_entry_must_end_after_it_takes_effect() -> None:
    with pytest.raises(PolicyViolation) as err:
        next_version(CURRENT, temporary(V2_EFFECTIVE), V2_EFFECTIVE)
    assert (err.value.rule, err.value.field) == ("DA-8", "new_entries[0].leaves_on")


def test_cm6_a_round_over_the_real_guizhou_catalog_changes_exactly_what_it_names() -> None:
    text = (Path(__file__).parents[2] / "data" / "guizhou-consumables-catalog.csv").read_text(encoding="utf-8")
    rows = tuple(parse_catalog(text))
    current = CatalogState(rows, effective_on=V1_EFFECTIVE)
    changes = CatalogChanges(new_entries=(NewEntry(EntryDecision("C99010100100101", True, B), NAMES),),
                             terms=(TermsChange(rows[0].code, B, Decimal("8000.00")),), retired=(rows[1].code,))
    publication = next_version(current, changes, V2_EFFECTIVE)
    assert len(publication.catalog.rows) == len(rows)
    assert [r.code for r in publication.diff.added] == ["C99010100100101"]
    assert [r.code for r in publication.diff.removed] == [rows[1].code]
    assert [c.code for c in publication.diff.changed] == [rows[0].code]
