"""The consumable payment split: PAY-1 (甲), PAY-2 (乙 prepay), PAY-3/VBP-3 (above the standard), PAY-4 (ratios)."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import pytest

from domain.admission.categories import PaymentCategory
from domain.admission.money import FEN
from domain.admission.payment import RegionRatios, split_for_entry, split_payment
from domain.errors import InvalidInput, PolicyViolation
from domain.reference_data import CatalogRow

A, B = PaymentCategory.A, PaymentCategory.B
D = Decimal
RATIOS = RegionRatios(fund_ratio=D("0.85"), b_prepay_ratio=D("0.10"))


def test_pay2_pay3_a_b_entry_above_its_standard_is_itemised() -> None:
    split = split_payment(B, D("8085.00"), D("9000.00"), 1, RATIOS)
    assert split.to_dict() == {
        "total": "9000.00", "within_standard": "8085.00", "above_standard": "915.00", "prepay": "808.50",
        "fund": "6185.03",  # 7276.50 × 0.85 = 6185.025, half up
        "patient_within_standard": "1091.47", "patient": "2814.97",
    }
    assert split.fund + split.patient == split.total


def test_pay1_a_a_entry_has_no_prepay_and_the_fund_pays_its_ratio_within_the_standard() -> None:
    split = split_payment(A, D("798.00"), D("798.00"), 2, RegionRatios(D("0.9"), D("0.2")))
    assert (split.total, split.within_standard, split.above_standard) == (D("1596.00"), D("1596.00"), D("0.00"))
    assert (split.prepay, split.fund, split.patient_within_standard) == (D("0.00"), D("1436.40"), D("159.60"))


def test_pay2_a_b_entry_without_a_standard_has_the_whole_price_within_scope_with_prepay() -> None:
    split = split_payment(B, None, D("333.33"), 3, RegionRatios(D("0.8"), D("0.15")))
    assert (split.total, split.within_standard, split.above_standard) == (D("999.99"), D("999.99"), D("0.00"))
    assert (split.prepay, split.fund, split.patient_within_standard) == (D("150.00"), D("679.99"), D("170.00"))


def test_vbp3_a_non_selected_product_priced_above_the_selected_price_standard_leaves_the_difference_to_the_patient(
) -> None:
    split = split_payment(A, D("798.00"), D("2500.00"), 1, RATIOS)
    assert split.above_standard == D("1702.00") and split.within_standard == D("798.00")


def test_a_price_below_the_standard_is_all_within_it() -> None:
    assert split_payment(B, D("8085.00"), D("7000.00"), 1, RATIOS).above_standard == D("0.00")


def test_pay4_the_ratios_are_configuration_of_the_region() -> None:
    rich = split_payment(B, D("1000.00"), D("1000.00"), 1, RegionRatios(D("0.95"), D("0.05")))
    poor = split_payment(B, D("1000.00"), D("1000.00"), 1, RegionRatios(D("0.70"), D("0.20")))
    assert (rich.prepay, rich.fund) == (D("50.00"), D("902.50"))
    assert (poor.prepay, poor.fund) == (D("200.00"), D("560.00"))


def test_split_for_entry_reads_the_catalog_entrys_category_and_standard() -> None:
    entry = CatalogRow("C01010100101001", "一", "二", "三", "支架", "", "", "乙", D("8085.00"), None)
    assert split_for_entry(entry, D("9000.00"), 1, RATIOS) == split_payment(B, D("8085.00"), D("9000.00"), 1, RATIOS)


PRICES = [D(p) for p in ("0.01", "0.99", "1.00", "333.33", "798.00", "8085.00", "9999.99", "123456.78")]
STANDARDS = [None, *(D(s) for s in ("0.01", "500.00", "798.00", "8085.00"))]
QUANTITIES = [1, 2, 3, 7, D("0.5"), D("1.333")]
FUND_RATIOS = [D(r) for r in ("0", "0.005", "0.333", "0.5", "0.85", "0.9", "1")]
PREPAY_RATIOS = [D(r) for r in ("0", "0.1", "0.15", "0.333", "1")]


@pytest.mark.parametrize("category", [A, B])
def test_pay1_to_pay4_fund_plus_patient_equals_the_total_to_the_fen_over_a_grid(category: PaymentCategory) -> None:
    """Every combination of the grid: amounts in fen, none negative, fund + patient == total exactly."""
    checked = 0
    for price, standard, quantity, fund_ratio, prepay_ratio in product(PRICES, STANDARDS, QUANTITIES, FUND_RATIOS,
                                                                       PREPAY_RATIOS):
        if category is A and standard is None:
            continue
        split = split_payment(category, standard, price, quantity, RegionRatios(fund_ratio, prepay_ratio))
        amounts = (split.total, split.within_standard, split.above_standard, split.prepay, split.fund,
                   split.patient_within_standard)
        assert all(a >= 0 and a == a.quantize(FEN) for a in amounts), split
        assert split.fund + split.patient == split.total, split
        assert split.within_standard + split.above_standard == split.total
        assert split.prepay == 0 or category is B  # PAY-1: no prepay for 甲
        if standard is None or price <= standard:
            assert split.above_standard == 0
        assert abs(split.patient_within_standard - (split.within_standard - split.prepay) * (1 - fund_ratio)) \
            <= D("0.01")  # the rounding the patient's share absorbs is under a fen
        checked += 1
    assert checked >= 6720  # 8 prices × 4 or 5 standards × 6 quantities × 7 fund ratios × 5 prepay ratios


def test_cm2_a_a_entry_without_a_standard_cannot_be_split() -> None:
    with pytest.raises(PolicyViolation) as err:
        split_payment(A, None, D("100.00"), 1, RATIOS)
    assert (err.value.rule, err.value.field) == ("CM-2", "max_payment_standard")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit_price": D("0")}, "unit_price"),
        ({"unit_price": D("-1.00")}, "unit_price"),
        ({"unit_price": D("1.005")}, "unit_price"),
        ({"unit_price": 100.0}, "unit_price"),  # never a float
        ({"quantity": 0}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": D("NaN")}, "quantity"),
        ({"ratios": RegionRatios(D("1.01"), D("0.1"))}, "fund_ratio"),
        ({"ratios": RegionRatios(D("0.8"), D("-0.1"))}, "b_prepay_ratio"),
        ({"ratios": RegionRatios(0.8, D("0.1"))}, "fund_ratio"),  # type: ignore[arg-type]
        ({"category": "丙"}, "category"),
        ({"max_payment_standard": D("0")}, "max_payment_standard"),
    ],
)
def test_invalid_inputs_are_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"category": B, "max_payment_standard": D("100.00"), "unit_price": D("120.00"),
                               "quantity": 1, "ratios": RATIOS, **kwargs}
    with pytest.raises(InvalidInput) as err:
        split_payment(**args)  # type: ignore[arg-type]
    assert err.value.field == field
