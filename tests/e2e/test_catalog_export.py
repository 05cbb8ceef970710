"""Export of a published catalog version (CM-6) over HTTP, public: CSV in the source's columns that reproduces the
loaded file byte for byte, and XLSX with the same columns and rows."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook

from domain.actors import SYSTEM
from domain.reference_data import CATALOG_COLUMNS, parse_catalog
from workflows import reference_data
from workflows.context import Services

from .admission_http import ok

CATALOG = Path(__file__).resolve().parents[2] / "data" / "guizhou-consumables-catalog.csv"


def test_cm6_a_version_exports_as_the_source_csv_and_as_xlsx(app: Flask, services: Services) -> None:
    reference_data.load_catalog(services, SYSTEM, CATALOG, date(2026, 1, 1), CATALOG.name)
    anonymous = app.test_client()
    exported = anonymous.get("/catalog/versions/1/export")
    assert exported.status_code == 200
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.headers["Content-Disposition"] == "attachment; filename=catalog-v1.csv"
    assert exported.data == CATALOG.read_bytes()  # the source's columns, forms and order: loading it again is a no-op
    sheet = anonymous.get("/catalog/versions/1/export", query_string={"format": "xlsx"})
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.data), read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == CATALOG_COLUMNS
    expected = parse_catalog(CATALOG.read_text(encoding="utf-8"))
    assert len(rows) - 1 == len(expected) == 3211
    standard, category = CATALOG_COLUMNS.index("payment_standard"), CATALOG_COLUMNS.index("payment_category")
    assert [(r[1], r[category], Decimal(str(r[standard]))) for r in rows[1:]] == [
        (e.code, f"{e.payment_category}类", e.payment_standard) for e in expected]


def test_cm6_a_bad_export_request_is_refused(app: Flask, services: Services) -> None:
    anonymous = app.test_client()
    assert ok(anonymous.get("/catalog/versions/1/export"), 404)["code"] == "catalog_version_not_found"
    assert ok(anonymous.get("/catalog/versions/1/export", query_string={"format": "pdf"}), 422)["field"] == "format"
    assert ok(anonymous.get("/catalog/versions/1/export", query_string={"sheet": "1"}), 422)["field"] == "sheet"
    assert anonymous.get(f"/catalog/versions/{2**63}/export").status_code == 404
