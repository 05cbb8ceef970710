"""The OpenAPI description of the registration's endpoints gives every field an example (issue 8)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

ENDPOINTS = {
    ("get", "/registrations"), ("post", "/registrations"), ("post", "/registrations/hospital-changes"),
    ("get", "/registrations/{registration_id}"), ("get", "/registrations/{registration_id}/revisions"),
    ("post", "/registrations/{registration_id}/updates"), ("post", "/registrations/{registration_id}/physician-change"),
    ("post", "/registrations/{registration_id}/cancellation"), ("post", "/registrations/{registration_id}/renewal"),
    ("get", "/registrations/{registration_id}/annual-account"), ("post", "/dispensings"),
    ("get", "/dispensings/{dispensing_id}"), ("post", "/dispensings/{dispensing_id}/reversal"),
    ("get", "/payment-config"), ("put", "/payment-config"), ("put", "/negotiated-drugs/{seq}"),
    ("delete", "/negotiated-drugs/{seq}"), ("post", "/negotiated-drugs/agreement-endings"),
    ("get", "/patients/{psn_no}"), ("put", "/patients/{psn_no}"), ("post", "/patient-searches"),
}
SLICE_TAGS = {"registrations", "registration_settlement", "registration_drugs", "registration_patients"}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _without_example(prop: dict[str, Any]) -> bool:
    if "$ref" in prop or "allOf" in prop or "example" in prop:
        return False
    items = prop.get("items")
    return not (prop.get("type") == "array" and isinstance(items, dict) and "$ref" in items)


def test_nd1_to_nd16_every_field_of_the_registration_api_has_an_example(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    found = {(method, path) for path, ops in spec["paths"].items() for method, op in ops.items()
             if method != "parameters" and set(op.get("tags", ())) & SLICE_TAGS}
    assert found == ENDPOINTS
    paths = {path: spec["paths"][path] for _method, path in found}
    schemas = spec["components"]["schemas"]
    todo, seen = set().union(*(_refs(ops) for ops in paths.values())), set()
    missing = []
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo |= _refs(schemas[name])
        missing += [f"{name}.{p}" for p, prop in schemas[name].get("properties", {}).items() if _without_example(prop)]
    for ops in paths.values():
        for op in (o for m, o in ops.items() if m != "parameters"):
            missing += [f"{op['operationId']}?{p['name']}" for p in op.get("parameters", [])
                        if p.get("in") == "query" and "example" not in p and "example" not in p.get("schema", {})]
    assert seen and not missing, missing
