"""The OpenAPI document, the local interactive docs, and the request log."""

from __future__ import annotations

import importlib
import json
import logging
import re
from typing import Any

import flask_smorest
import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import SLICES
from api.blueprint import Blueprint

ENDPOINTS = {
    ("get", "/healthz"), ("get", "/readyz"), ("post", "/sessions"), ("delete", "/sessions"), ("get", "/sessions/me"),
    ("get", "/organizations"), ("post", "/organizations"), ("get", "/users"), ("post", "/users"),
    ("get", "/process-definitions"), ("post", "/process-definitions"), ("get", "/process-definitions/{definition_id}"),
    ("get", "/process-instances"), ("post", "/process-instances"), ("get", "/process-instances/{instance_id}"),
    ("post", "/process-instances/{instance_id}/cancellation"), ("get", "/process-instances/{instance_id}/history"),
    ("get", "/tasks"), ("get", "/tasks/counts"), ("get", "/tasks/{task_id}"), ("post", "/tasks/{task_id}/claim"),
    ("post", "/tasks/{task_id}/unclaim"), ("post", "/tasks/{task_id}/assign"), ("post", "/tasks/{task_id}/complete"),
    ("post", "/messages"), ("get", "/incidents"), ("post", "/incidents/{incident_id}/retry"), ("get", "/clock"),
    ("put", "/clock"), ("get", "/metrics"), ("get", "/catalog/versions"), ("get", "/catalog/entries"),
    ("get", "/catalog/versions/{version}/export"), ("get", "/catalog/diff"), ("get", "/negotiated-drugs"),
    ("get", "/calendar/years"), ("get", "/calendar/years/{year}"), ("put", "/calendar/years/{year}"),
    ("delete", "/calendar/years/{year}"), ("get", "/calendar/days"), ("get", "/calendar/working-days"),
    ("get", "/negotiated-drugs/versions"), ("get", "/audit/entries"),
}
# The consumable admission slice (api/admission.py, api/admission_rounds.py, api/admission_changes.py).
ADMISSION_ENDPOINTS = {
    ("get", "/admission/applications"), ("post", "/admission/applications"),
    ("get", "/admission/applications/{application_id}"), ("put", "/admission/applications/{application_id}"),
    ("post", "/admission/applications/{application_id}/submission"),
    ("post", "/admission/applications/{application_id}/withdrawal"),
    ("post", "/admission/applications/{application_id}/fast-path"),
    ("post", "/admission/applications/{application_id}/material-review"),
    ("get", "/admission/applications/{application_id}/documents"),
    ("post", "/admission/applications/{application_id}/documents"),
    ("get", "/admission/applications/{application_id}/documents/{document_id}"),
    ("delete", "/admission/applications/{application_id}/documents/{document_id}"),
    ("get", "/admission/rounds"), ("post", "/admission/rounds"), ("get", "/admission/rounds/{round_id}"),
    ("post", "/admission/rounds/{round_id}/closure"), ("get", "/admission/rounds/{round_id}/candidates"),
    ("get", "/admission/rounds/{round_id}/candidates/{entry_code}"), ("put", "/admission/rounds/{round_id}/experts"),
    ("post", "/admission/rounds/{round_id}/candidates/{entry_code}/review"),
    ("post", "/admission/rounds/{round_id}/consolidation"),
    ("post", "/admission/rounds/{round_id}/filing/acknowledgement"),
    ("post", "/admission/rounds/{round_id}/filing/rejection"), ("get", "/admission/filings"),
    ("get", "/admission/rounds/{round_id}/objections"), ("post", "/admission/rounds/{round_id}/objections"),
    ("post", "/admission/rounds/{round_id}/objection-resolutions"),
    ("post", "/admission/rounds/{round_id}/publication"), ("get", "/admission/publications"),
    ("get", "/admission/queue"), ("get", "/admission/catalog-changes"), ("post", "/admission/catalog-changes"),
    ("get", "/admission/catalog-changes/{change_id}"), ("post", "/admission/catalog-changes/{change_id}/approval"),
}


def test_openapi_lists_every_endpoint_with_its_schemas(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    assert spec["openapi"].startswith("3.")
    # A mission process's endpoints (api.SLICES) are listed by its own tests.
    slices = {b.name for name in SLICES for b in importlib.import_module(name).BLUEPRINTS}
    found = {(method, path) for path, ops in spec["paths"].items() for method, op in ops.items()
             if method != "parameters" and not set(op.get("tags", ())) & slices}
    assert found == ENDPOINTS
    every = {(method, path) for path, ops in spec["paths"].items() for method in ops if method != "parameters"}
    assert every - found >= ADMISSION_ENDPOINTS
    start = spec["paths"]["/process-instances"]["post"]
    assert "requestBody" in start and "201" in start["responses"]
    schemas = spec["components"]["schemas"]
    assert {"StartIn", "InstanceOut", "DeployIn", "MessageIn"} <= set(schemas)


def test_docs_load_nothing_from_the_internet(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(r.startswith("/") for r in refs), refs
    assert "/openapi.json" in html
    assert "://" not in html  # no outside address at all
    assert '"validatorUrl": null' in html  # else Swagger UI posts the document to validator.swagger.io
    for ref in refs:
        response = client.get(ref)
        response.close()
        assert response.status_code == 200, ref


def test_one_json_log_line_per_request_without_query_or_body(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("yibao.request")
    logger.addHandler(caplog.handler)
    try:
        response = client.get("/process-instances/some-id?name=张三", headers={"X-Request-Id": "req-12345678"})
    finally:
        logger.removeHandler(caplog.handler)
    assert response.headers["X-Request-Id"] == "req-12345678"
    (record,) = {id(r): r for r in caplog.records if r.name == "yibao.request"}.values()
    assert record.request_id == "req-12345678"  # type: ignore[attr-defined]
    assert record.endpoint == "/process-instances/<instance_id>"  # type: ignore[attr-defined]
    assert record.status == 422  # type: ignore[attr-defined]  # `name` is not a parameter of this operation
    from api.requestlog import JsonFormatter

    line = JsonFormatter().format(record)
    assert json.loads(line)["request_id"] == "req-12345678"
    assert "张三" not in line and "some-id" not in line


def test_every_blueprint_parses_through_the_strict_parser(app: Flask) -> None:
    """A blueprint made from flask-smorest's own class would read bodies with webargs' lenient parser (NaN, deep
    nesting, unknown query parameters): every API blueprint, a slice's too, is api.blueprint.Blueprint."""
    api_blueprints = [b for name, b in app.blueprints.items() if name not in ("api-docs", "docs_assets")]
    assert api_blueprints
    lenient = [b.name for b in api_blueprints
               if isinstance(b, flask_smorest.Blueprint) and not isinstance(b, Blueprint)]
    assert lenient == []


def test_a_body_schema_is_built_once_not_per_request(app: Flask, as_user: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a schema class, webargs builds an instance (copying every field) on each request; the blueprint hands
    it the instance made when the view was declared, so a request builds none."""
    from api.registration_schemas import DispensingIn

    built: list[object] = []
    original = DispensingIn.__init__

    def counting(self: DispensingIn, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(DispensingIn, "__init__", counting)
    response = as_user("h1_officer").post("/dispensings", json={"psn_no": "P1"})
    assert response.status_code == 422  # refused by the schema: it did run
    assert built == []
