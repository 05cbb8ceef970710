"""The OpenAPI document describes every admission field with an example (or a reference to a schema that has
them), and money as decimal strings."""

from __future__ import annotations

import inspect
from typing import Any

from flask.testing import FlaskClient
from marshmallow import Schema

from api import admission_catalog, admission_changes, admission_round_schemas, admission_schemas

MODULES = (admission_schemas, admission_round_schemas, admission_changes, admission_catalog)


def described(prop: dict[str, Any]) -> bool:
    refs = [prop, *prop.get("anyOf", []), *prop.get("allOf", []), prop.get("items", {})]
    return "example" in prop or prop.get("format") == "binary" or any("$ref" in r for r in refs)


def test_every_admission_field_has_an_example(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    components = spec["components"]["schemas"]
    names = {n for m in MODULES for n, o in vars(m).items()
             if inspect.isclass(o) and issubclass(o, Schema) and o.__module__ == m.__name__ and n in components}
    assert {"FactsIn", "ApplicationOut", "RoundOut", "CandidateOut", "ChangeIn", "PublicationOut"} <= names
    missing = [f"{n}.{p}" for n in sorted(names) for p, prop in components[n]["properties"].items()
               if not described(prop)]
    assert missing == []
    assert components["FactsIn"]["properties"]["price"]["type"] == "string"
    assert components["FactsIn"]["properties"]["price"]["pattern"] == admission_schemas.MONEY
    parameters = [p for path, ops in spec["paths"].items() if path.startswith(("/admission", "/catalog/payment"))
                  for op in ops.values() if isinstance(op, dict) for p in op.get("parameters", [])
                  if p.get("in") == "query"]
    assert parameters and all("example" in p["schema"] or "example" in p for p in parameters)
