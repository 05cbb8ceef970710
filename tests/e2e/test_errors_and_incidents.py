"""Bad input gets problem+json with a stable code and the field, and changes nothing; failures become incidents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from workflows.context import Services

from ..bpmn import diagrams
from ..conftest import diagram_forms, diagram_text
from ..factories import World, login


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["code"] == code and body["status"] == status and body["detail"] and body["request_id"]
    return body


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/process-instances", {"definition_key": 7}, "definition_key"),
        ("/process-instances", {}, "definition_key"),
        ("/process-instances", {"definition_key": "x", "surprise": 1}, "surprise"),
        ("/process-instances", {"definition_key": "x", "data": [1, 2]}, "data"),
        ("/process-definitions", {"bpmn": ""}, "bpmn"),
        ("/messages", {"name": "nhsa_ack"}, "correlation_key"),
        ("/clock", {"now": "2026-11-24T09:00:00"}, "now"),
    ],
)
def test_a_malformed_body_names_the_field(client: FlaskClient, path: str, body: dict[str, Any], field: str) -> None:
    method = client.put if path == "/clock" else client.post
    assert problem(method(path, json=body), 422, "invalid_input")["field"] == field


def test_an_unsafe_diagram_is_refused_with_its_element_and_nothing_is_stored(client: FlaskClient) -> None:
    body = problem(client.post("/process-definitions", json={"bpmn": diagrams.script_task("import os", "calc")}),
                   422, "unsafe_script")
    assert body["element_id"] == "calc"
    assert client.get("/process-definitions").get_json() == []


def test_unknown_objects_and_routes_answer_404(client: FlaskClient) -> None:
    problem(client.get("/process-instances/does-not-exist"), 404, "instance_not_found")
    problem(client.get("/process-definitions/does-not-exist"), 404, "definition_not_found")
    problem(client.post("/process-instances", json={"definition_key": "nothing"}), 404, "definition_not_found")
    problem(client.post("/incidents/nothing/retry"), 404, "incident_not_found")
    problem(client.get("/no-such-route"), 404, "not_found")
    problem(client.delete("/healthz"), 405, "method_not_allowed")


def test_task_data_beyond_the_limit_is_refused_and_the_instance_is_unchanged(
    client: FlaskClient, as_user: Callable[[str], FlaskClient]
) -> None:
    assert client.post("/process-definitions", json={"bpmn": diagrams.laned_user_task(),
                                                      "forms": diagrams.OPEN_FORM}).status_code == 201
    hospital = as_user("h1_officer")
    started = hospital.post("/process-instances", json={"definition_key": "tiny"}).get_json()
    task_id = started["tasks"][0]["id"]
    problem(hospital.post(f"/tasks/{task_id}/complete", json={"data": {"blob": "x" * 1_100_000}}), 422,
            "task_data_too_large")
    again = hospital.get(f"/process-instances/{started['id']}").get_json()
    assert again["tasks"] == started["tasks"] and again["updated_at"] == started["updated_at"]
    assert hospital.get(f"/tasks/{task_id}").get_json()["status"] == "open"
    problem(hospital.post(f"/tasks/{started['id']}/complete", json={}), 404, "task_not_found")


def test_form_errors_name_every_field_and_change_nothing(client: FlaskClient, as_user: Callable[[str], FlaskClient]
                                                        ) -> None:
    assert client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()}
                       ).status_code == 201
    hospital = as_user("h1_officer")
    started = hospital.post("/process-instances", json={"definition_key": "foundation_demo"}).get_json()
    task_id = started["tasks"][0]["id"]
    body = problem(hospital.post(f"/tasks/{task_id}/complete", json={"data": {"code": "C123", "extra": 1}}),
                   422, "form_invalid")
    fields = {e["field"] for e in body["errors"]}
    assert {"code", "amount"} <= fields
    assert hospital.get(f"/tasks/{task_id}").get_json()["status"] == "open"


@pytest.mark.parametrize(
    ("change", "code", "element"),
    [
        (lambda t: t.replace('name="bureau_officer"', 'name="janitor"'), "unknown_lane_role", "review"),
        (lambda t: t.replace('value="hospital_officer,admin"', 'value="hospital_officer,janitor"'),
         "unknown_start_role", "start"),
        (lambda t: t.replace('value="foundation-review.schema.json"', 'value="nowhere.schema.json"'),
         "missing_form", "review"),
    ],
)
def test_deploy_refuses_unknown_lane_roles_and_missing_forms(
    client: FlaskClient, change: Callable[[str], str], code: str, element: str
) -> None:
    body = problem(client.post("/process-definitions", json={"bpmn": change(diagram_text()),
                                                             "forms": diagram_forms()}), 422, code)
    assert body["element_id"] == element


def test_deploy_refuses_a_form_that_is_not_a_json_schema_or_refers_outside(client: FlaskClient) -> None:
    forms = diagram_forms()
    forms["foundation-review.schema.json"] = {"type": "object", "properties": {"x": {"$ref": "http://evil/x"}}}
    problem(client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": forms}), 422, "unsafe_form")
    forms["foundation-review.schema.json"] = {"type": 12}
    problem(client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": forms}), 422, "invalid_form")


def test_a_runaway_script_errors_the_instance_and_an_admin_retries_after_a_fix(
    services: Services, world: World, more_services: Callable[..., Services]
) -> None:
    strict = login(create_app(services=more_services(script_max_iterations=1000)), "admin")
    text = diagrams.script_task("n = 0\nwhile n < limit:\n    n = n + 1", "count_up")
    assert strict.post("/process-definitions", json={"bpmn": text}).status_code == 201
    started = strict.post("/process-instances", json={"definition_key": "tiny", "data": {"limit": 5000}})
    body = started.get_json()
    assert started.status_code == 201 and body["status"] == "errored"
    (incident,) = body["incidents"]
    assert (incident["element_id"], incident["code"], incident["status"]) == ("count_up", "script_iterations", "open")
    assert strict.get("/healthz").status_code == 200  # the server is unharmed
    listed = strict.get("/incidents", query_string={"status": "open"}).get_json()
    assert [i["id"] for i in listed] == [incident["id"]]
    # Retrying without a fix fails again and keeps the incident open.
    still = strict.post(f"/incidents/{incident['id']}/retry").get_json()
    assert still["status"] == "errored" and still["incidents"][0]["status"] == "open"
    # The fix: a higher bound (configuration changed and the service restarted).
    relaxed = login(create_app(services=more_services(script_max_iterations=10_000)), "admin")
    done = relaxed.post(f"/incidents/{incident['id']}/retry").get_json()
    assert done["status"] == "completed", done
    assert done["incidents"][0]["status"] == "resolved"
    problem(relaxed.post(f"/incidents/{incident['id']}/retry"), 409, "incident_resolved")


def test_the_clock_is_locked_without_clock_control(
    services: Services, world: World, more_services: Callable[..., Services]
) -> None:
    client = login(create_app(services=more_services(allow_clock_control=False)), "admin")
    problem(client.put("/clock", json={"now": "2026-11-24T09:00:00+08:00"}), 403, "clock_locked")
    assert client.get("/clock").get_json()["controllable"] is False
