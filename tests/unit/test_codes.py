"""NHSA code formats (notes/codes.md): each error names the part that is wrong."""

from __future__ import annotations

import pytest

from domain import codes
from domain.errors import InvalidInput

REAL_CONSUMABLE = "C09100100000000211790000049"


def test_ca4_cm5_a_real_27_character_consumable_code_is_accepted() -> None:
    assert codes.consumable_code(REAL_CONSUMABLE) == REAL_CONSUMABLE


def test_cm1_entry_key_is_the_first_15_characters() -> None:
    assert codes.consumable_entry_key(REAL_CONSUMABLE) == "C09100100000000"
    assert codes.consumable_entry_code("C01010100101001") == "C01010100101001"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("C0910010000000021179000004", "27 characters, got 26"),  # CM-5: incomplete code
        ("X09100100000000211790000049", "start with 'C'"),
        ("C0910A100000000211790000049", "classification (characters 2–7)"),
        ("C091001000000002117900000AB", "specification/model (characters 21–27)"),
        ("C09100100000000A1179000004X", "enterprise (characters 16–20)"),
    ],
)
def test_ca4_malformed_consumable_codes_name_the_wrong_part(value: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        codes.consumable_code(value, field="product_code")
    assert fragment in err.value.detail
    assert err.value.field == "product_code"
    assert err.value.code == "invalid_code"


@pytest.mark.parametrize(
    ("check", "good", "bad", "fragment"),
    [
        (codes.institution_code, "H45012400011", "H4501240001", "12 characters"),
        (codes.institution_code, "H45012400011", "P45012400011", "start with 'H'"),
        (codes.pharmacy_code, "P33052200672", "P3305220067A", "sequence"),
        (codes.physician_code, "D510105000123", "D51010500012", "13 characters"),
        (codes.drug_code, "XJ01CAA040A001010102699", "XJ01CAA040A00101010269", "23 characters"),
        (codes.drug_code, "Z0000000000000000001", "Q0000000000000000001", "start with 'X' or 'Z'"),
    ],
)
def test_institution_staff_and_drug_codes_are_checked_by_format(check, good, bad, fragment) -> None:  # type: ignore[no-untyped-def]
    assert check(good) == good
    with pytest.raises(InvalidInput) as err:
        check(bad)
    assert fragment in err.value.detail


def test_a_code_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(InvalidInput):
        codes.consumable_code(12345)
