"""The foundation diagram end to end: deploy, start, complete, message and timer through HTTP and the worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient

from api.cli import main as cli

from ..conftest import diagram_forms, diagram_text

Users = Callable[[str], FlaskClient]

CODE = "C09100100000000211790000049"


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def deploy(client: FlaskClient, text: str | None = None, status: int = 201) -> dict[str, Any]:
    body = {"bpmn": text or diagram_text(), "filename": "f.bpmn", "forms": diagram_forms()}
    return ok(client.post("/process-definitions", json=body), status)


def test_fast_path_through_http_and_the_worker(client: FlaskClient, as_user: Users, database_url: str) -> None:
    hospital = as_user("h1_officer")
    deployed = deploy(client)
    assert deployed["created"] is True and deployed["definition"]["version"] == 1
    lanes = {t["bpmn_id"]: t["lane"] for t in deployed["definition"]["user_tasks"]}
    assert lanes == {"submit": "hospital_officer", "review": "bureau_officer"}
    ok(client.put("/clock", json={"now": "2026-11-24T09:00:00+08:00"}))

    started = ok(hospital.post("/process-instances", json={"definition_key": "foundation_demo",
                                                           "business_key": "APP-2026-0001"}), 201)
    assert started["status"] == "waiting" and started["state_bytes"] <= 2048
    (task,) = started["tasks"]
    assert (task["bpmn_id"], task["lane"]) == ("submit", "hospital_officer")

    after = ok(hospital.post(f"/tasks/{task['id']}/complete", json={"data": {"code": CODE, "amount": 300}}))
    assert after["active_element_ids"] == ["wait_ack"]
    assert after["subscriptions"] == [{"message": "nhsa_ack", "correlation_key": CODE[:15], "element_id": "wait_ack"}]

    wrong = client.post("/messages", json={"name": "nhsa_ack", "correlation_key": "C99999999999999"})
    assert wrong.status_code == 404 and wrong.get_json()["code"] == "no_subscription"
    delivered = ok(client.post("/messages", json={"name": "nhsa_ack", "correlation_key": CODE[:15],
                                                  "payload": {"filing_no": "NHSA-2026-17"}}))
    assert delivered["delivered_to"] == [started["id"]]
    waiting = ok(client.get(f"/process-instances/{started['id']}"))
    assert waiting["active_element_ids"] == ["notice_period"]
    assert waiting["next_timer_at"] == "2026-12-03T16:00:00+00:00"

    env = {"YIBAO_DATABASE_URL": database_url, "YIBAO_ALLOW_CLOCK_CONTROL": "true"}
    early = CliRunner().invoke(cli, ["worker", "--until", "2026-12-03T23:59:00+08:00"], env=env)
    assert early.exit_code == 0, early.output
    assert ok(client.get(f"/process-instances/{started['id']}"))["status"] == "waiting"
    result = CliRunner().invoke(cli, ["worker", "--until", "2026-12-04T00:01:00+08:00"], env=env)
    assert result.exit_code == 0 and "fired 1 instance" in result.output, result.output

    done = ok(client.get(f"/process-instances/{started['id']}"))
    assert done["status"] == "completed"
    assert done["data"]["nhsa_ack"] == {"filing_no": "NHSA-2026-17"}
    assert done["data"]["entry_key"] == CODE[:15]
    assert set(done["completed_element_ids"]) >= {"submit", "derive", "route", "wait_ack", "notice_period", "end"}
    listed = ok(client.get("/process-instances", query_string={"status": "completed"}))
    assert listed["total"] == 1 and listed["items"][0]["business_key"] == "APP-2026-0001"


def test_review_path_through_http(client: FlaskClient, as_user: Users) -> None:
    deploy(client)
    hospital, officer = as_user("h1_officer"), as_user("officer")
    started = ok(hospital.post("/process-instances", json={"definition_key": "foundation_demo"}), 201)
    after = ok(hospital.post(f"/tasks/{started['tasks'][0]['id']}/complete",
                             json={"data": {"code": CODE, "amount": 250000}}))
    (review,) = after["tasks"]
    assert (review["bpmn_id"], review["lane"]) == ("review", "bureau_officer")
    queued = ok(officer.get(f"/tasks/{review['id']}"))
    assert (queued["priority"], queued["form"]) == (70, "foundation-review.schema.json")
    assert queued["due_at"] is not None
    done = ok(officer.post(f"/tasks/{review['id']}/complete", json={"data": {"decision": "include"}}))
    assert done["status"] == "completed"
    again = officer.post(f"/tasks/{review['id']}/complete", json={"data": {"decision": "include"}})
    assert again.status_code == 409 and again.get_json()["code"] == "task_completed"


def test_redeploying_the_same_file_is_a_no_op_and_a_change_is_a_new_version(client: FlaskClient, as_user: Users
                                                                            ) -> None:
    text = diagram_text()
    first = deploy(client, text)
    hospital = as_user("h1_officer")  # the first task is the hospital's (ACC-15)
    started = ok(hospital.post("/process-instances", json={"definition_key": "foundation_demo"}), 201)
    same = deploy(client, text, 200)
    assert same["created"] is False and same["definition"]["id"] == first["definition"]["id"]
    changed = deploy(client, text.replace("Submit application", "Submit the application"))
    assert changed["definition"]["version"] == 2
    # The running instance keeps the version it started on; a new one takes the latest.
    assert ok(client.get(f"/process-instances/{started['id']}"))["definition_version"] == 1
    newer = ok(hospital.post("/process-instances", json={"definition_key": "foundation_demo"}), 201)
    assert newer["definition_version"] == 2 and newer["tasks"][0]["name"] == "Submit the application"
    pinned = ok(hospital.post("/process-instances", json={"definition_key": "foundation_demo", "version": 1}), 201)
    assert pinned["definition_version"] == 1
    versions = ok(client.get("/process-definitions", query_string={"key": "foundation_demo"}))
    assert [v["version"] for v in versions] == [1, 2]
    detail = ok(client.get(f"/process-definitions/{first['definition']['id']}"))
    assert detail["bpmn_text"] == text
