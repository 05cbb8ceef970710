"""Starting refuses lanes the starter's organization cannot work (ACC-15); an instance shows its current data and
its history as objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from ..bpmn import diagrams
from ..conftest import diagram_forms, diagram_text

Users = Callable[[str], FlaskClient]
CODE = "C09100100000000211790000049"
# Someone who works each lane's tasks in the test world.
WORKER = {"hospital_officer": "h1_officer", "pharmacist": "p1_pharmacist", "bureau_officer": "officer",
          "nhsa_officer": "nhsa", "expert": "expert"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(
    ("lane", "starter", "refused"),
    [
        ("hospital_officer", "admin", True),  # a bureau administrator: the hospital's queue would be the bureau's
        ("hospital_officer", "p1_pharmacist", True),
        ("pharmacist", "h1_officer", True),
        ("physician", "expert", True),  # an expert's organization is looked up: this one is the bureau
        ("hospital_officer", "h1_officer", False),
        ("pharmacist", "p1_pharmacist", False),
        ("bureau_officer", "h1_officer", False),  # the bureau's lane is the bureau's whoever starts
        ("nhsa_officer", "admin", False),
        ("expert", "admin", False),
    ],
)
def test_acc15_a_start_whose_lane_the_starters_organization_cannot_work_is_refused_naming_the_lane(
    client: FlaskClient, as_user: Users, lane: str, starter: str, refused: bool
) -> None:
    ok(client.post("/process-definitions", json={"bpmn": diagrams.laned_user_task(lane), "forms": diagrams.OPEN_FORM}),
       201)
    response = as_user(starter).post("/process-instances", json={"definition_key": "tiny"})
    if refused:
        body = ok(response, 409)
        assert (body["code"], body["lane"], body["rule"], body["field"]) == (
            "lane_unscopable", lane, "ACC-15", "definition_key")
        assert lane in body["detail"]
        assert ok(client.get("/process-instances"))["total"] == 0  # nothing was written
        assert ok(client.get("/tasks"))["total"] == 0
        return
    (task,) = ok(response, 201)["tasks"]
    worker = as_user(WORKER[lane])
    assert ok(worker.post(f"/tasks/{task['id']}/claim"))["assignee_id"] is not None  # someone can work it


def test_a_waiting_instance_shows_its_current_data_to_whoever_sees_it(client: FlaskClient, as_user: Users) -> None:
    ok(client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()}), 201)
    hospital, officer = as_user("h1_officer"), as_user("officer")
    started = ok(hospital.post("/process-instances", json={"definition_key": "foundation_demo",
                                                           "data": {"channel": "web"}}), 201)
    assert started["status"] == "waiting" and started["data"] == {"channel": "web"}
    after = ok(hospital.post(f"/tasks/{started['tasks'][0]['id']}/complete",
                             json={"data": {"code": CODE, "amount": 300}}))
    assert after["active_element_ids"] == ["wait_ack"]
    expected = {"channel": "web", "code": CODE, "amount": 300, "entry_key": CODE[:15], "needs_review": False}
    for reader in (hospital, officer, client):
        shown = ok(reader.get(f"/process-instances/{started['id']}"))
        assert shown["status"] == "waiting"
        assert expected.items() <= shown["data"].items() and "notice_ends_at" in shown["data"]
    assert as_user("h2_officer").get(f"/process-instances/{started['id']}").status_code == 404


def test_the_history_gives_before_and_after_as_objects(client: FlaskClient, as_user: Users) -> None:
    ok(client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()}), 201)
    hospital = as_user("h1_officer")
    started = ok(hospital.post("/process-instances", json={"definition_key": "foundation_demo"}), 201)
    task = started["tasks"][0]["id"]
    ok(hospital.post(f"/tasks/{task}/claim"))
    ok(hospital.post(f"/tasks/{task}/complete", json={"data": {"code": CODE, "amount": 300}}))
    history = ok(hospital.get(f"/process-instances/{started['id']}/history"))
    assert [(e["action"], e["before"], e["after"]) for e in history] == [
        ("instance.started", None, {"status": "waiting", "active": ["submit"]}),
        ("task.claimed:submit", {"status": "open"}, None),
        ("task.completed:submit", {"status": "waiting"}, {"status": "waiting", "active": ["wait_ack"]}),
    ]
    described = ok(client.get("/openapi.json"))["components"]["schemas"]["HistoryOut"]["properties"]
    for name in ("before", "after"):
        assert (described[name]["type"], described[name]["nullable"]) == ("object", True)
