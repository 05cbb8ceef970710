"""The payment calculator and the regions' ratios over HTTP (PAY-1…PAY-4, VBP-3): the bureau publishes ratios as
versions with ``expected_version``; anyone quotes a charge, itemised to the fen; every bad input is a 4xx that
changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.actors import SYSTEM
from workflows import reference_data
from workflows.context import Services

from ..admission_support import CATALOG_CSV, EXISTING_ENTRY, code
from .admission_http import ok

RATIOS = {"520000": {"name": "贵州省", "fund_ratio": "0.80", "b_prepay_ratio": "0.10"},
          "520100": {"name": "贵阳市", "fund_ratio": "0.85", "b_prepay_ratio": "0.1"}}
A_ENTRY = "C02010105200009"
# The small catalog plus one 甲 entry (PAY-1) and one 乙 entry without a maximum standard (CM-2).
CSV = CATALOG_CSV + (f"d,{A_ENTRY},血管介入治疗类材料,电生理类材料,房间隔穿刺鞘组,鞘组,不区分,可调弯,甲类,300.00,\n"
                     "e,C02010105200010,血管介入治疗类材料,电生理类材料,房间隔穿刺鞘组,鞘组,不区分,其他,乙类,,\n")


@pytest.fixture
def catalog(services: Services, tmp_path: Path) -> int:
    path = tmp_path / "catalog.csv"
    path.write_text(CSV, encoding="utf-8")
    return reference_data.load_catalog(services, SYSTEM, path, date(2026, 1, 1), "catalog.csv").version


def publish(client: FlaskClient, expected: int = 0, ratios: dict[str, Any] | None = None) -> Any:
    return client.put("/catalog/payment-ratios", json={"expected_version": expected, "ratios": ratios or RATIOS,
                                                       "note": "2027 年度"})


def quote(client: FlaskClient, **query: Any) -> Any:
    return client.get("/catalog/payment", query_string={"code": EXISTING_ENTRY, "unit_price": "9000.00",
                                                        "quantity": 1, "region": "520102", **query})


def test_pay4_ratios_are_versions_the_bureau_publishes_with_the_version_it_read(
        as_user: Callable[[str], FlaskClient], app: Flask) -> None:
    bureau, anonymous = as_user("officer"), app.test_client()
    assert ok(anonymous.get("/catalog/payment-ratios"), 404)["code"] == "payment_ratios_not_found"
    assert ok(as_user("h1_officer").put("/catalog/payment-ratios", json={
        "expected_version": 0, "ratios": RATIOS}), 403)["rule"] == "PAY-4"
    assert anonymous.put("/catalog/payment-ratios", json={"expected_version": 0, "ratios": RATIOS}).status_code == 401
    first = ok(publish(bureau), 201)
    assert (first["version"], first["note"], [r["region"] for r in first["regions"]]) == (1, "2027 年度",
                                                                                       ["520000", "520100"])
    assert first["regions"][1]["b_prepay_ratio"] == "0.1000"
    stale = ok(publish(bureau, 0, {"520000": {"fund_ratio": "0.5", "b_prepay_ratio": "0.2"}}), 409)
    assert (stale["code"], stale["field"]) == ("payment_ratios_changed", "expected_version")
    second = ok(publish(bureau, 1, {"520000": {"fund_ratio": "0.75", "b_prepay_ratio": "0.15"}}), 201)
    assert second["version"] == 2
    # the latest is in force, the earlier one stays readable; a county takes its city's line, else its province's
    assert ok(anonymous.get("/catalog/payment-ratios"))["version"] == 2
    assert ok(anonymous.get("/catalog/payment-ratios", query_string={"version": 1}))["regions"] == first["regions"]
    county = ok(anonymous.get("/catalog/payment-ratios/520102", query_string={"version": 1}))
    assert (county["applied_region"], county["fund_ratio"], county["version"]) == ("520100", "0.8500", 1)
    assert ok(anonymous.get("/catalog/payment-ratios/520102"))["applied_region"] == "520000"
    missing = ok(anonymous.get("/catalog/payment-ratios/110101"), 404)
    assert (missing["code"], missing["rule"]) == ("region_ratios_not_found", "PAY-4")
    trail = ok(as_user("auditor").get("/audit/entries", query_string={"aggregate_type": "payment_ratios"}))
    assert [e["action"] for e in trail["items"]].count("payment_ratios.version_published") == 2


def test_pay4_a_lone_surrogate_in_a_name_is_refused(as_user: Callable[[str], FlaskClient]) -> None:
    bureau = as_user("officer")
    text = ('{"expected_version": 0, "ratios": {"520000": {"name": "\\ud800", "fund_ratio": "0.8", '
            '"b_prepay_ratio": "0"}}}')
    refused = ok(bureau.put("/catalog/payment-ratios", data=text, content_type="application/json"), 422)
    assert refused["field"].startswith("ratios"), refused
    assert bureau.get("/catalog/payment-ratios").status_code == 404


@pytest.mark.parametrize(("ratios", "field"), [
    ({"520000": {"fund_ratio": "1.5", "b_prepay_ratio": "0.1"}}, "ratios"),
    ({"520000": {"fund_ratio": "NaN", "b_prepay_ratio": "0.1"}}, "ratios"),
    ({"520000": {"fund_ratio": "Infinity", "b_prepay_ratio": "0.1"}}, "ratios"),
    ({"520000": {"fund_ratio": "0.12345", "b_prepay_ratio": "0.1"}}, "ratios"),
    ({"520000": {"fund_ratio": 0.8, "b_prepay_ratio": "0.1"}}, "ratios"),
    ({"520000": {"fund_ratio": "0.8"}}, "ratios"),
    ({"520000": {"fund_ratio": "0.8", "b_prepay_ratio": "0.1", "deductible": "1"}}, "ratios"),
    ({"000000": {"fund_ratio": "0.8", "b_prepay_ratio": "0.1"}}, "ratios"),
    ({"52000": {"fund_ratio": "0.8", "b_prepay_ratio": "0.1"}}, "ratios"),
    ({"520000": {"name": "贵\x00州", "fund_ratio": "0.8", "b_prepay_ratio": "0.1"}}, "ratios"),
    ({"520000": {"name": "省" * 101, "fund_ratio": "0.8", "b_prepay_ratio": "0.1"}}, "ratios"),
    ({}, "ratios"),
])
def test_pay4_a_bad_ratios_table_is_refused_and_changes_nothing(
        as_user: Callable[[str], FlaskClient], ratios: dict[str, Any], field: str) -> None:
    bureau = as_user("officer")
    ok(publish(bureau), 201)
    refused = ok(bureau.put("/catalog/payment-ratios", json={"expected_version": 1, "ratios": ratios}), 422)
    assert refused["field"].startswith(field), refused
    assert ok(bureau.get("/catalog/payment-ratios"))["version"] == 1


@pytest.mark.parametrize("body", [
    {"expected_version": 2**63, "ratios": RATIOS},
    {"expected_version": -1, "ratios": RATIOS},
    {"expected_version": "1", "ratios": RATIOS},
    {"ratios": RATIOS},
    {"expected_version": 1, "ratios": RATIOS, "extra": True},
    {"expected_version": 1, "ratios": RATIOS, "note": "x" * 301},
])
def test_pay4_a_bad_publication_body_is_refused(as_user: Callable[[str], FlaskClient], body: dict[str, Any]) -> None:
    bureau = as_user("officer")
    ok(publish(bureau), 201)
    assert bureau.put("/catalog/payment-ratios", json=body).status_code == 422
    assert ok(bureau.get("/catalog/payment-ratios"))["version"] == 1


def test_pay2_pay3_vbp3_a_b_entry_above_its_standard_is_itemised_to_the_fen(
        as_user: Callable[[str], FlaskClient], app: Flask, catalog: int) -> None:
    ok(publish(as_user("officer")), 201)
    quoted = ok(quote(app.test_client()))
    # 9000 at a standard of 8085: 915 above (patient); prepay 10% of 8085 = 808.50; fund 85% of 7276.50 = 6185.025
    # → 6185.03 (half up); the patient's share within the standard is the remainder, 1091.47
    assert {k: quoted[k] for k in ("total", "within_standard", "above_standard", "prepay", "fund",
                                   "patient_within_standard", "patient")} == {
        "total": "9000.00", "within_standard": "8085.00", "above_standard": "915.00", "prepay": "808.50",
        "fund": "6185.03", "patient_within_standard": "1091.47", "patient": "2814.97"}
    assert Decimal(quoted["fund"]) + Decimal(quoted["patient"]) == Decimal(quoted["total"])
    assert quoted["rules"] == ["PAY-2", "PAY-4", "PAY-3", "VBP-3"]
    assert (quoted["ratios"]["applied_region"], quoted["ratios"]["version"], quoted["catalog_version"]) == (
        "520100", 1, catalog)
    # within the standard: nothing above it, PAY-3 not applied; a product code quotes its entry
    within = ok(quote(app.test_client(), code=code(EXISTING_ENTRY), unit_price="100.00", quantity=3,
                      region="520000"))
    assert (within["total"], within["above_standard"], within["prepay"], within["fund"], within["patient"]) == (
        "300.00", "0.00", "30.00", "216.00", "84.00")
    assert (within["code"], within["product_code"], within["rules"]) == (EXISTING_ENTRY, code(EXISTING_ENTRY),
                                                                         ["PAY-2", "PAY-4"])


def test_pay1_cm2_an_a_entry_has_no_prepay_and_a_b_entry_without_standard_is_all_within(
        as_user: Callable[[str], FlaskClient], app: Flask, catalog: int) -> None:
    ok(publish(as_user("officer")), 201)
    a_entry = ok(quote(app.test_client(), code=A_ENTRY, unit_price="350.00", quantity=2, region="520000"))
    assert (a_entry["payment_category"], a_entry["prepay"], a_entry["within_standard"], a_entry["above_standard"],
            a_entry["fund"], a_entry["patient"]) == ("甲", "0.00", "600.00", "100.00", "480.00", "220.00")
    assert a_entry["rules"][0] == "PAY-1"
    open_b = ok(quote(app.test_client(), code="C02010105200010", unit_price="1000.00", quantity=1,
                      region="520000"))
    assert (open_b["payment_standard"], open_b["within_standard"], open_b["prepay"], open_b["fund"],
            open_b["standard_rule"]) == (None, "1000.00", "100.00", "720.00", "CM-2")


def test_pay4_a_quote_without_ratios_for_the_region_is_refused_by_rule(
        as_user: Callable[[str], FlaskClient], app: Flask, catalog: int) -> None:
    anonymous = app.test_client()
    none_yet = ok(quote(anonymous), 422)
    assert (none_yet["code"], none_yet["rule"], none_yet["field"]) == ("payment_ratios_not_found", "PAY-4", "region")
    ok(publish(as_user("officer")), 201)
    elsewhere = ok(quote(anonymous, region="110101"), 422)
    assert (elsewhere["code"], elsewhere["rule"]) == ("region_ratios_not_found", "PAY-4")
    assert ok(quote(anonymous, ratios_version=7), 404)["field"] == "ratios_version"
    assert ok(quote(anonymous, version=9), 404)["code"] == "catalog_version_not_found"
    assert ok(quote(anonymous, code="C09100100000000"), 404)["code"] == "catalog_entry_not_found"


@pytest.mark.parametrize(("query", "field"), [
    ({"unit_price": "NaN"}, "unit_price"), ({"unit_price": "Infinity"}, "unit_price"),
    ({"unit_price": "0.00"}, "unit_price"), ({"unit_price": "-1.00"}, "unit_price"),
    ({"unit_price": "1.001"}, "unit_price"), ({"unit_price": "1" * 20}, "unit_price"),
    ({"quantity": 0}, "quantity"), ({"quantity": 2**63}, "quantity"), ({"quantity": "1.5"}, "quantity"),
    ({"region": "000000"}, "region"), ({"region": "5201\x00"}, "region"), ({"region": ""}, "region"),
    ({"code": "C0101"}, "code"), ({"code": "C" * 27}, "code"), ({"version": 0}, "version"),
    ({"verbose": "1"}, "verbose"),
])
def test_pay_bad_calculator_input_names_its_field(
        as_user: Callable[[str], FlaskClient], app: Flask, catalog: int, query: dict[str, Any], field: str) -> None:
    ok(publish(as_user("officer")), 201)
    refused = ok(quote(app.test_client(), **query), 422)
    assert refused["field"] == field, refused


def test_sv1_an_entry_shows_its_products_vbp_facts_and_versions(app: Flask, catalog: int) -> None:
    entry = ok(app.test_client().get(f"/catalog/entries/{EXISTING_ENTRY}"))
    assert (entry["products"], entry["procurement"], entry["versions"], entry["standard_rule"]) == (
        [], None, [catalog], "CM-2")
    assert ok(app.test_client().get(f"/catalog/entries/{code(EXISTING_ENTRY)}"))["code"] == EXISTING_ENTRY
