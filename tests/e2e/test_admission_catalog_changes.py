"""Catalog changes by bureau action over HTTP: a VBP inclusion at its selected price becomes version 2 of the
public catalog (DA-7, VBP-1); one at another price is refused naming VBP-1; only the bureau proposes them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from workflows.context import Services

from ..admission_support import EXISTING_ENTRY, code, load_small_catalog
from .admission_http import deploy, ok

CHANGE = {"kind": "vbp", "reason": "国家组织集中带量采购中选结果", "entry_code": EXISTING_ENTRY,
          "terms": {"category": "乙", "max_payment_standard": "5000.00"},
          "procurement": {"selected": True, "selected_price": "5000.00"},
          "products": [{"code": code(EXISTING_ENTRY, "01234"), "name": "气管支架"}], "effective_on": "2026-10-01"}


def test_da7_vbp1_a_procurement_result_is_published_at_its_selected_price(
        as_user: Callable[[str], FlaskClient], services: Services, tmp_path: Path) -> None:
    bureau = as_user("officer")
    deploy(as_user("admin"))
    load_small_catalog(services, tmp_path)  # loading a catalog file is a command-line step
    refused = ok(bureau.post("/admission/catalog-changes", json={
        **CHANGE, "terms": {"category": "乙", "max_payment_standard": "5200.00"}}), 422)
    assert (refused["rule"], refused["code"]) == ("VBP-1", "catalog_change_refused")
    assert as_user("h1_officer").post("/admission/catalog-changes", json=CHANGE).status_code == 403
    proposed = ok(bureau.post("/admission/catalog-changes", json=CHANGE), 201)
    assert proposed["status"] == "awaiting_approval"
    task = ok(bureau.get("/tasks", query_string={"business_key": proposed["id"], "status": "open"}))["items"][0]
    assert task["bpmn_id"] == "approve"
    published = ok(bureau.post(f"/admission/catalog-changes/{proposed['id']}/approval", json={"approved": True}))
    assert (published["status"], published["published_version"]) == ("published", 2)
    entry = ok(as_user("h1_officer").get(f"/catalog/entries/{EXISTING_ENTRY}"))
    assert entry["payment_standard"] == "5000.00"
    # the entry shows its product, its VBP facts and where its standard comes from (SV-1, VBP-1)
    assert ([p["code"] for p in entry["products"]], entry["procurement"]["selected_price"], entry["versions"],
            entry["standard_rule"]) == ([code(EXISTING_ENTRY, "01234")], "5000.00", [1, 2], "VBP-1")
    assert ok(as_user("h1_officer").get(f"/catalog/entries/{EXISTING_ENTRY}", query_string={"version": 1}))[
        "products"] == []
    # the calculator applies the selected price as the standard: above it the patient pays (PAY-3, VBP-3)
    ok(bureau.put("/catalog/payment-ratios", json={"expected_version": 0, "ratios": {
        "520000": {"fund_ratio": "0.90", "b_prepay_ratio": "0.05"}}}), 201)
    quote = ok(as_user("h1_officer").get("/catalog/payment", query_string={
        "code": code(EXISTING_ENTRY, "01234"), "unit_price": "5600.00", "quantity": 1, "region": "520102"}))
    assert (quote["within_standard"], quote["above_standard"], quote["prepay"], quote["fund"], quote["patient"],
            quote["rules"]) == ("5000.00", "600.00", "250.00", "4275.00", "1325.00",
                                ["PAY-2", "PAY-4", "VBP-1", "PAY-3", "VBP-3"])
