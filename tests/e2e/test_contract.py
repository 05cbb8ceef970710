"""The OpenAPI document says what the responses are: money as decimal strings, every error as problem+json, query
parameters that are never null; and /metrics names one charset."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import CONTENT_TYPE_LATEST

from api.fields import MONEY_PATTERN
from domain.actors import SYSTEM
from workflows import reference_data
from workflows.context import Services

DATA = Path(__file__).resolve().parents[2] / "data"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(app: Flask) -> dict[str, Any]:
    document: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    return document


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in spec["paths"].items()
            for method, operation in item.items() if method in METHODS]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


@pytest.mark.parametrize(("schema", "field"), [("CatalogEntryOut", "payment_standard"), ("DrugOut", "annual_limit")])
def test_money_is_documented_as_a_decimal_string(spec: dict[str, Any], schema: str, field: str) -> None:
    documented = spec["components"]["schemas"][schema]["properties"][field]
    assert documented["type"] == "string" and documented["pattern"] == MONEY_PATTERN
    assert re.fullmatch(MONEY_PATTERN, "8085.00") and not re.fullmatch(MONEY_PATTERN, "8085.0")


def test_money_is_sent_as_the_documented_string(client: FlaskClient, services: Services) -> None:
    reference_data.load_drug_list(services, SYSTEM, DATA / "negotiated-drugs.csv", date(2026, 1, 1), "drugs.csv")
    limits = [d["annual_limit"] for d in client.get("/negotiated-drugs").get_json()["drugs"]]
    assert limits and all(isinstance(v, str) and re.fullmatch(MONEY_PATTERN, v) for v in limits)


def test_every_error_response_of_every_operation_is_problem_json(spec: dict[str, Any]) -> None:
    for path, method, operation in operations(spec):
        responses = operation["responses"]
        assert "default" in responses and "422" in responses, (method, path)
        for code, response in responses.items():
            if code == "default" or int(code) >= 400:
                content = resolve(spec, response)["content"]
                assert list(content) == ["application/problem+json"], (method, path, code)
                assert resolve(spec, content["application/problem+json"]["schema"]) == \
                    spec["components"]["schemas"]["Problem"]


def test_secured_operations_document_401_and_path_operations_404(spec: dict[str, Any]) -> None:
    for path, method, operation in operations(spec):
        if operation.get("security") is None:
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


def test_query_parameters_are_never_documented_as_null(spec: dict[str, Any]) -> None:
    for path, method, operation in operations(spec):
        for parameter in operation.get("parameters", ()):
            if parameter["in"] == "query":
                schema = parameter["schema"]
                assert "nullable" not in schema and None not in schema.get("enum", ()), (method, path)


def test_metrics_name_one_charset(client: FlaskClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    assert response.headers["Content-Type"].count("charset") == 1
