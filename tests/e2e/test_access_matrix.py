"""Role × endpoint × organization: every combination answers 200/201, 401, 403 or 404 as it should, and no
response carries another organization's data (SV-3: a hospital sees only its own applications)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ..conftest import diagram_forms, diagram_text

ROLES = ("anonymous", "admin", "officer", "auditor", "nhsa", "h1_officer", "h2_officer", "h1_doctor",
         "p1_pharmacist", "expert")
OVERSIGHT = {"admin", "officer", "auditor"}


@pytest.fixture
def setup(app: Flask, client: FlaskClient, as_user: Callable[[str], FlaskClient]) -> dict[str, Any]:
    """Instance A of hospital 1 and instance B of hospital 2, each waiting on its hospital's submit task."""
    assert client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()}
                       ).status_code == 201
    a = as_user("h1_officer").post("/process-instances", json={"definition_key": "foundation_demo",
                                                               "business_key": "H1-SECRET-APP"}).get_json()
    b = as_user("h2_officer").post("/process-instances", json={"definition_key": "foundation_demo",
                                                               "business_key": "H2-SECRET-APP"}).get_json()
    clients = {name: (app.test_client() if name == "anonymous" else as_user(name)) for name in ROLES}
    return {"a": a, "b": b, "task_a": a["tasks"][0]["id"], "clients": clients}


def expect(setup: dict[str, Any], method: str, path: str, expected: dict[str, int], body: Any = None) -> None:
    """Call ``path`` as every role; compare the statuses with ``expected`` (roles not named: 403)."""
    wrong = {}
    for role, client in setup["clients"].items():
        want = 401 if role == "anonymous" else expected.get(role, 403)
        response = client.open(path, method=method, json=body)
        if response.status_code != want:
            wrong[role] = (response.status_code, want, (response.get_json() or {}).get("code"))
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (role, path)
    assert not wrong, f"{method} {path}: role -> (got, wanted, code): {wrong}"


def test_an_instance_is_seen_by_its_hospital_and_the_bureau_only(setup: dict[str, Any]) -> None:
    a = setup["a"]["id"]
    sees = {"admin": 200, "officer": 200, "auditor": 200, "h1_officer": 200, "h1_doctor": 200}
    hidden = {r: 404 for r in ROLES if r not in sees}
    expect(setup, "GET", f"/process-instances/{a}", sees | hidden)
    expect(setup, "GET", f"/process-instances/{a}/history", sees | hidden)
    expect(setup, "POST", f"/process-instances/{a}/cancellation", {"admin": 200} | hidden | {
        "officer": 403, "auditor": 403, "h1_officer": 403, "h1_doctor": 403}, body={"reason": "matrix"})


def test_a_task_is_seen_by_its_queue_and_the_bureau_and_worked_by_its_queue_only(setup: dict[str, Any]) -> None:
    task = setup["task_a"]
    sees = {"admin": 200, "officer": 200, "auditor": 200, "h1_officer": 200}
    hidden = {r: 404 for r in ROLES if r not in sees}
    expect(setup, "GET", f"/tasks/{task}", sees | hidden)
    expect(setup, "POST", f"/tasks/{task}/assign", {"admin": 422, "officer": 422} | hidden,
           body={"user_id": "nobody"})
    expect(setup, "POST", f"/tasks/{task}/unclaim", {"admin": 409, "officer": 409, "h1_officer": 403} | hidden)
    expect(setup, "POST", f"/tasks/{task}/complete", {"h1_officer": 422} | hidden, body={"data": {"code": "x"}})
    expect(setup, "POST", f"/tasks/{task}/claim", {"h1_officer": 200} | hidden | {"h1_officer": 200})


def test_lists_are_scoped_and_leak_nothing(setup: dict[str, Any]) -> None:
    everyone = {r: 200 for r in ROLES}
    for path in ("/process-instances", "/tasks", "/users", "/organizations", "/process-definitions",
                 "/sessions/me", "/clock"):
        expect(setup, "GET", path, everyone)
    h2 = setup["clients"]["h2_officer"]
    for path in ("/process-instances", "/tasks", "/users", "/tasks?status=open&status=claimed"):
        text = json.dumps(h2.get(path).get_json(), ensure_ascii=False)
        assert setup["a"]["id"] not in text and "H1-SECRET-APP" not in text and setup["task_a"] not in text, path
        assert "h1_officer" not in text, path
    assert setup["b"]["id"] in json.dumps(h2.get("/process-instances").get_json())
    officer_view = setup["clients"]["officer"].get("/process-instances").get_json()
    assert officer_view["total"] == 2


def test_administration_endpoints_are_for_their_roles(setup: dict[str, Any]) -> None:
    expect(setup, "GET", "/tasks/counts", {"admin": 200, "officer": 200})
    expect(setup, "GET", "/incidents", {"admin": 200})
    expect(setup, "GET", "/audit/entries", {"admin": 200, "auditor": 200})
    expect(setup, "POST", "/incidents/none/retry", {"admin": 404})
    expect(setup, "PUT", "/clock", {"admin": 200}, body={"now": "2026-11-24T09:00:00+08:00"})
    expect(setup, "POST", "/messages", {"admin": 404, "officer": 404, "nhsa": 404},
           body={"name": "nhsa_ack", "correlation_key": "none"})
    expect(setup, "POST", "/process-definitions", {"admin": 200}, body={"bpmn": diagram_text(),
                                                                        "forms": diagram_forms()})
    expect(setup, "POST", "/organizations", {"admin": 422}, body={"kind": "hospital", "code": "bad",
                                                                   "name": "x", "region_code": "520102"})
    expect(setup, "POST", "/users", {"admin": 422}, body={"username": "x", "password": "short", "role": "admin",
                                                          "org_code": "BUREAU-520000", "display_name": "x"})
    # The diagram's startRoles; the administrator is one, but the first task is the starter's hospital's, and the
    # bureau cannot work it (ACC-15).
    starters = {"admin": 409, "h1_officer": 201, "h2_officer": 201}
    expect(setup, "POST", "/process-instances", starters, body={"definition_key": "foundation_demo"})
