"""Login, tokens and throttling; claiming, releasing, assigning and completing queue tasks; counts; metrics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from storage.identity_models import ApiToken
from workflows.context import Services

from ..conftest import diagram_forms, diagram_text
from ..factories import PASSWORD, World

Users = Callable[[str], FlaskClient]
CODE = "C09100100000000211790000049"


def test_login_gives_a_token_that_logout_revokes(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/sessions/me").status_code == 401
    wrong = client.post("/sessions", json={"username": "h1_officer", "password": "nope"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "invalid_credentials"
    unknown = client.post("/sessions", json={"username": "ghost", "password": "nope"})
    assert unknown.get_json()["code"] == "invalid_credentials"  # the same answer: no username oracle
    session = client.post("/sessions", json={"username": "h1_officer", "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {session['token']}"}
    me = client.get("/sessions/me", headers=headers).get_json()
    assert (me["username"], me["role"], me["org_code"]) == ("h1_officer", "hospital_officer", "H52010200001")
    assert client.delete("/sessions", headers=headers).status_code == 204
    revoked = client.get("/sessions/me", headers=headers)
    assert revoked.status_code == 401 and revoked.get_json()["code"] == "invalid_token"
    assert revoked.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(app: Flask, services: Services) -> None:
    client = app.test_client()
    token = client.post("/sessions", json={"username": "admin", "password": PASSWORD}).get_json()["token"]
    with services.uow() as uow:
        uow.session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        uow.commit()
    assert client.get("/sessions/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_claim_release_assign_and_complete_a_queue_task(client: FlaskClient, as_user: Users, world: World) -> None:
    client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()})
    h1 = as_user("h1_officer")
    started = h1.post("/process-instances", json={"definition_key": "foundation_demo"}).get_json()
    mine = h1.get("/tasks", query_string={"status": "open"}).get_json()
    assert mine["total"] == 1 and mine["items"][0]["lane_role"] == "hospital_officer"
    task = mine["items"][0]["id"]
    claimed = h1.post(f"/tasks/{task}/claim").get_json()
    assert (claimed["status"], claimed["assignee_id"]) == ("claimed", world.users["h1_officer"])
    assert h1.post(f"/tasks/{task}/claim").get_json()["code"] == "task_claimed"
    assert h1.get("/tasks", query_string={"assignee": "me"}).get_json()["total"] == 1
    assert h1.post(f"/tasks/{task}/unclaim").get_json()["status"] == "open"
    officer = as_user("officer")
    wrong = officer.post(f"/tasks/{task}/assign", json={"user_id": world.users["h2_officer"]})
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "not_eligible"
    assigned = officer.post(f"/tasks/{task}/assign", json={"user_id": world.users["h1_officer"]}).get_json()
    assert assigned["assignee_id"] == world.users["h1_officer"]
    done = h1.post(f"/tasks/{task}/complete", json={"data": {"code": CODE, "amount": 99999}}).get_json()
    assert done["tasks"][0]["bpmn_id"] == "review"
    row = h1.get(f"/tasks/{task}").get_json()
    assert (row["status"], row["completed_by"]) == ("completed", world.users["h1_officer"])
    listed = officer.get("/tasks/counts").get_json()
    counts = {(c["lane_role"], c["org_code"], c["status"]): c["count"] for c in listed}
    assert counts[("bureau_officer", "BUREAU-520000", "open")] == 1
    assert counts[("hospital_officer", "H52010200001", "open")] == 0  # every queue is listed, empty ones too
    assert counts[("hospital_officer", "H52030200002", "claimed")] == 0 and ("expert", None, "open") in counts
    assert sum(counts.values()) == 1
    history = [e["action"] for e in client.get(f"/process-instances/{started['id']}/history").get_json()]
    assert history == ["instance.started", "task.claimed:submit", "task.unclaimed:submit", "task.assigned:submit",
                       "task.completed:submit"]


def test_cancelling_an_instance_cancels_its_open_tasks(client: FlaskClient, as_user: Users) -> None:
    client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()})
    h1 = as_user("h1_officer")
    started = h1.post("/process-instances", json={"definition_key": "foundation_demo"}).get_json()
    assert client.post(f"/process-instances/{started['id']}/cancellation", json={"reason": ""}).status_code == 422
    cancelled = client.post(f"/process-instances/{started['id']}/cancellation",
                            json={"reason": "applied twice"}).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["tasks"] == []
    assert h1.get(f"/tasks/{started['tasks'][0]['id']}").get_json()["status"] == "cancelled"
    history = client.get(f"/process-instances/{started['id']}/history").get_json()
    assert history[-1]["action"] == "instance.cancelled" and history[-1]["reason"] == "applied twice"


def test_metrics_show_queues_and_requests_to_administrators(client: FlaskClient, as_user: Users) -> None:
    client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()})
    as_user("h1_officer").post("/process-instances", json={"definition_key": "foundation_demo"})
    text = client.get("/metrics").get_data(as_text=True)
    assert 'yibao_tasks{lane_role="hospital_officer"' in text
    assert 'yibao_instances{status="waiting"} 1.0' in text
    assert "yibao_http_requests_total" in text and "yibao_timer_lag_seconds" in text
    assert as_user("h1_officer").get("/metrics").status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200


def test_a_local_caller_without_a_token_gets_no_metrics(app: Flask) -> None:
    local = app.test_client()
    for address in ("127.0.0.1", "::1"):  # behind a reverse proxy on the same host, everyone is local
        response = local.get("/metrics", environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 401 and response.get_json()["code"] == "missing_token"


def test_the_scrapers_metrics_token_reads_metrics(more_services: Callable[..., Services]) -> None:
    from api import create_app

    scraper_token = "s" * 40
    scraper = create_app(services=more_services(metrics_token=scraper_token)).test_client()
    ok = scraper.get("/metrics", headers={"Authorization": f"Bearer {scraper_token}"})
    assert ok.status_code == 200 and "yibao_instances" in ok.get_data(as_text=True)
    wrong = scraper.get("/metrics", headers={"Authorization": f"Bearer {'t' * 40}"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "invalid_token"


def test_filters_combine_and_overdue_follows_the_service_clock(client: FlaskClient, as_user: Users) -> None:
    client.post("/process-definitions", json={"bpmn": diagram_text(), "forms": diagram_forms()})
    client.put("/clock", json={"now": "2026-11-24T09:00:00+08:00"})
    h1 = as_user("h1_officer")
    started = h1.post("/process-instances", json={"definition_key": "foundation_demo"}).get_json()
    h1.post(f"/tasks/{started['tasks'][0]['id']}/complete", json={"data": {"code": CODE, "amount": 99999}})
    officer = as_user("officer")
    assert officer.get("/tasks", query_string={"overdue": "true"}).get_json()["total"] == 0
    client.put("/clock", json={"now": "2026-12-01T09:00:00+08:00"})  # the review was due in 5 days
    overdue = officer.get("/tasks", query_string={"overdue": "true"}).get_json()
    assert [t["bpmn_id"] for t in overdue["items"]] == ["review"]
    both = officer.get("/tasks", query_string={"overdue": "true", "status": "completed"}).get_json()
    assert both["total"] == 0  # a completed task is never overdue: the two status conditions both hold
    done = officer.get("/tasks", query_string={"status": "completed", "sort": "-created"}).get_json()
    assert [t["bpmn_id"] for t in done["items"]] == ["submit"]
    assert "overdue" in client.get("/metrics").get_data(as_text=True)
