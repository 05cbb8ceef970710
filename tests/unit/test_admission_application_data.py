"""An application as plain form data: read, written back, and pre-checked (CA-2, CA-5, CM-5, CX-1, CX-3, DA-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.admission.application_data import (
    application_from_data,
    application_to_data,
    check_draft_data,
    precheck_data,
)
from domain.errors import InvalidInput
from tests.unit.test_admission_application import APPLIED_ON, complete

DATA: dict[str, object] = {
    "code": "C01010100101001039410000049",
    "product_name": "气管支气管覆膜支架",
    "manufacturer": "南京微创医学科技股份有限公司",
    "specification": "MTN-QZ-16-60",
    "certificate_number": "国械注准20173461234",
    "certificate_kind": "registration",
    "certificate_issued_on": "2022-03-01",
    "certificate_expires_on": "2027-02-28",
    "certificate_revoked": False,
    "use_category": "interventional",
    "separately_chargeable": True,
    "service_items": [{"code": "310701001", "name": "气管支气管支架置入术"}],
    "price": "8000.00",
    "online_procurement": "purchased_online",
    "economic_evaluation": "与现有术式相比缩短住院日2天。",
    "annual_fund_impact": "120000.00",
    "documents": ["application_form", "application_letter", "certificate", "economic_evaluation", "fund_impact",
                  "instructions", "online_procurement_materials", "price_materials"],
}


def test_form_data_reads_into_the_same_facts_and_writes_back_unchanged() -> None:
    facts, findings = application_from_data(DATA)
    assert findings == [] and facts == complete()
    assert application_to_data(facts) == DATA
    assert precheck_data(DATA, APPLIED_ON) == []


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("certificate_issued_on", "2022-02-30", "CA-2"),
        ("certificate_expires_on", 20270228, "CA-2"),
        ("certificate_revoked", "no", "CX-3"),
        ("use_category", "massage_chair", "CX-1"),
        ("separately_chargeable", 1, "CA-3"),
        ("service_items", [{"code": "310701001"}], "CA-5"),
        ("service_items", "310701001", "CA-5"),
        ("price", 8000.5, "DA-2"),  # money is never a float
        ("price", "八千", "DA-2"),
        ("documents", ["application_letter", "photo"], "DA-2"),
        ("code", 101, "CM-5"),
    ],
)
def test_an_unreadable_value_is_a_finding_of_its_field_and_is_not_also_called_missing(name: str, value: object,
                                                                                      rule: str) -> None:
    findings = precheck_data({**DATA, name: value}, APPLIED_ON)
    assert [(f.rule, f.field) for f in findings] == [(rule, name)]
    assert check_draft_data({name: value})[0].field == name


def test_a_draft_in_form_data_reports_only_format_problems() -> None:
    draft = {"code": "C0101", "use_category": "spectacles", "certificate_expires_on": "2001-01-01", "price": None}
    assert [(f.rule, f.field) for f in check_draft_data(draft)] == [("CM-5", "code")]


def test_empty_text_reads_as_not_filled_in() -> None:
    facts, findings = application_from_data({"product_name": "  ", "price": "12.5"})
    assert findings == [] and facts.product_name is None and facts.price == Decimal("12.5")


def test_an_unknown_field_is_a_shape_error() -> None:
    with pytest.raises(InvalidInput) as err:
        application_from_data({**DATA, "hospital": "H52010200001"})
    assert err.value.field == "hospital"


def test_dates_may_be_given_as_date_objects() -> None:
    facts, _ = application_from_data({"certificate_issued_on": date(2022, 3, 1)})
    assert facts.certificate_issued_on == date(2022, 3, 1)
