"""A registration renewed from the physician's task queue (issue 8, ND-7) over HTTP on the simulated clock: the
renewal task's form carries the renewal's assessment, and completing it with ``renewed`` makes the same renewal as
POST /registrations/{id}/renewal — a new registration from the old end, no gap — or refuses and changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from workflows.context import Services

from ...registration_world import PSN, form_record, patient, record
from .http import Client, dispense, open_tasks, refused, reg, registered, run_worker_until, set_clock


def renewal_form(**changes: Any) -> dict[str, Any]:
    """The renewal task's data for ``renewed``: the patient still entitled, the renewal's clinical record."""
    return {"decision": "renewed", "patient_entitled": True, **form_record(), **changes}


@pytest.fixture
def r(as_user: Client, services: Services) -> dict[str, Any]:
    """A registration from 2026-08-31 in its last month (2027-08-10), its renewal task in the queue."""
    set_clock(as_user, date(2026, 8, 31))
    made = registered(as_user)
    run_worker_until(services, date(2027, 7, 31))
    set_clock(as_user, date(2027, 8, 10))
    return made


def task_of(as_user: Client, who: str, registration_id: str, bpmn_id: str) -> dict[str, Any]:
    (task,) = [t for t in open_tasks(as_user, who, registration_id) if t["bpmn_id"] == bpmn_id]
    return task


def registrations_of_patient(as_user: Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = as_user("h1_doctor").get(f"/registrations?psn_no={PSN}").get_json()["items"]
    return sorted(items, key=lambda i: i["start_date"])


def test_nd7_the_renewal_task_renews_from_the_queue_without_a_gap(
    as_user: Client, services: Services, r: dict[str, Any]
) -> None:
    task = task_of(as_user, "h1_doctor", r["id"], "renew")
    form = as_user("h1_doctor").get(f"/process-instances/{r['instance_id']}").get_json()
    assert task["form"] == "registration-renewal.schema.json" and form["status"] == "waiting"
    done = as_user("h1_doctor").post(f"/tasks/{task['id']}/complete", json={"data": renewal_form(dose="10 mg")})
    assert done.status_code == 200, done.get_json()
    # The response shows the instance as it is now: the renewal closed the reassessment task too (inside the step).
    now = as_user("admin").get(f"/process-instances/{r['instance_id']}").get_json()
    assert done.get_json()["tasks"] == [] and done.get_json() == now
    old, new = registrations_of_patient(as_user)
    assert old["id"] == r["id"]
    assert (new["status"], new["start_date"], new["end_date"], new["replaces_id"]) == (
        "pending", "2027-08-31", "2028-08-31", r["id"])
    assert new["prescription"]["dose"] == "10 mg" and new["instance_id"] is not None
    assert open_tasks(as_user, "h1_doctor", r["id"]) == []  # the renewal counted as the reassessment too
    current = reg(as_user, "h1_doctor", r["id"])
    assert (current["status"], current["last_reassessed_on"]) == ("active", "2027-08-10")
    kinds = [v["kind"] for v in as_user("h1_doctor").get(f"/registrations/{new['id']}/revisions").get_json()]
    assert kinds == ["registered"]
    history = as_user("admin").get(f"/process-instances/{new['instance_id']}/history").get_json()
    assert history[0]["action"] == "instance.started"
    run_worker_until(services, date(2027, 8, 31))
    assert reg(as_user, "h1_doctor", r["id"])["status"] == "expired"
    assert reg(as_user, "h1_doctor", new["id"])["status"] == "active"
    assert dispense(as_user, "h1_officer", "100.00", "RX-1").get_json()["registration_id"] == new["id"]


def test_nd7_declining_the_renewal_task_still_lets_the_registration_expire(
    as_user: Client, services: Services, r: dict[str, Any]
) -> None:
    task = task_of(as_user, "h1_doctor", r["id"], "renew")
    done = as_user("h1_doctor").post(f"/tasks/{task['id']}/complete",
                                     json={"data": {"decision": "declined", "note": "患者停药"}})
    assert done.status_code == 200, done.get_json()
    assert [t["bpmn_id"] for t in open_tasks(as_user, "h1_doctor", r["id"])] == ["reassess"]
    assert [x["id"] for x in registrations_of_patient(as_user)] == [r["id"]]
    run_worker_until(services, date(2027, 8, 31))
    assert reg(as_user, "h1_doctor", r["id"])["status"] == "expired"


@pytest.mark.parametrize(("who", "data", "rule", "field"), [
    pytest.param("h1_junior", renewal_form(), "ND-4", "physician", id="physician-not-senior"),
    pytest.param("h1_oncologist", renewal_form(), "ND-16", None, id="physician-not-specialist"),
    pytest.param("h1_doctor", renewal_form(patient_entitled=False), "ND-2", "entitled", id="not-entitled"),
])
def test_nd7_a_refused_renewal_from_the_queue_changes_nothing(
    as_user: Client, services: Services, r: dict[str, Any], who: str, data: dict[str, Any], rule: str,
    field: str | None
) -> None:
    task = task_of(as_user, who, r["id"], "renew")
    body = refused(as_user(who).post(f"/tasks/{task['id']}/complete", json={"data": data}), rule)
    assert field is None or body["field"] == field
    assert sorted(t["bpmn_id"] for t in open_tasks(as_user, "h1_doctor", r["id"])) == ["reassess", "renew"]
    assert [x["id"] for x in registrations_of_patient(as_user)] == [r["id"]]
    current = reg(as_user, "h1_doctor", r["id"])
    assert current["last_reassessed_on"] is None
    kinds = [v["kind"] for v in as_user("h1_doctor").get(f"/registrations/{r['id']}/revisions").get_json()]
    assert kinds == ["registered"]


def test_nd7_nd2_the_hospitals_patient_record_saying_not_entitled_refuses_the_renewal_from_the_queue(
    as_user: Client, r: dict[str, Any]
) -> None:
    recorded = as_user("h1_officer").put(f"/patients/{PSN}", json={"insurance_type": "employee",
                                                                   "insurance_region": "520100", "entitled": False})
    assert recorded.status_code in (200, 201), recorded.get_json()
    task = task_of(as_user, "h1_doctor", r["id"], "renew")
    body = refused(as_user("h1_doctor").post(f"/tasks/{task['id']}/complete", json={"data": renewal_form()}), "ND-2")
    assert body["field"] == "entitled"
    assert [x["id"] for x in registrations_of_patient(as_user)] == [r["id"]]


@pytest.mark.parametrize("data", [
    pytest.param({"decision": "renewed"}, id="no-record"),
    pytest.param(renewal_form(indication_confirmed=False), id="indication-not-confirmed"),
    pytest.param({"decision": "maybe"}, id="unknown-decision"),
])
def test_nd7_the_renewal_form_refuses_a_renewal_without_its_assessment(
    as_user: Client, r: dict[str, Any], data: dict[str, Any]
) -> None:
    task = task_of(as_user, "h1_doctor", r["id"], "renew")
    response = as_user("h1_doctor").post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert (response.status_code, response.get_json()["code"]) == (422, "form_invalid")
    assert [x["id"] for x in registrations_of_patient(as_user)] == [r["id"]]


def test_nd7_a_renewal_from_the_queue_after_a_reassessment_records_the_assessment_as_one(
    as_user: Client, services: Services
) -> None:
    set_clock(as_user, date(2026, 8, 31))
    r = registered(as_user)
    run_worker_until(services, date(2027, 3, 5))
    set_clock(as_user, date(2027, 3, 5))  # reassessed late: the next one would be due after the end (ND-8)
    reassess = task_of(as_user, "h1_doctor", r["id"], "reassess")
    assert as_user("h1_doctor").post(f"/tasks/{reassess['id']}/complete",
                                     json={"data": form_record()}).status_code == 200
    run_worker_until(services, date(2027, 7, 31))
    set_clock(as_user, date(2027, 8, 12))
    assert [t["bpmn_id"] for t in open_tasks(as_user, "h1_doctor", r["id"])] == ["renew"]
    task = task_of(as_user, "h1_colleague", r["id"], "renew")  # any senior physician of the hospital (ND-4)
    done = as_user("h1_colleague").post(f"/tasks/{task['id']}/complete", json={"data": renewal_form(dose="10 mg")})
    assert done.status_code == 200, done.get_json()
    revisions = as_user("h1_doctor").get(f"/registrations/{r['id']}/revisions").get_json()
    assert [(v["kind"], v["reason"]) for v in revisions][-1] == ("reassessed", "renewal")
    current = reg(as_user, "h1_doctor", r["id"])
    assert (current["last_reassessed_on"], current["prescription"]["dose"]) == ("2027-08-12", "10 mg")
    (_, new) = registrations_of_patient(as_user)
    assert (new["start_date"], new["physician_code"]) == ("2027-08-31", "D520102000004")


def test_nd7_the_api_renewal_closes_the_task_and_makes_exactly_one_renewal(
    as_user: Client, services: Services, r: dict[str, Any]
) -> None:
    renewed = as_user("h1_doctor").post(f"/registrations/{r['id']}/renewal",
                                        json={"patient": patient(), "record": record()})
    assert renewed.status_code == 201, renewed.get_json()
    assert [x["id"] for x in registrations_of_patient(as_user)] == [r["id"], renewed.get_json()["id"]]
    assert open_tasks(as_user, "h1_doctor", r["id"]) == []
    again = as_user("h1_doctor").post(f"/registrations/{r['id']}/renewal",
                                      json={"patient": patient(), "record": record()})
    refused(again, "ND-3")  # the renewal is registered already
    assert len(registrations_of_patient(as_user)) == 2


def test_nd7_a_renewal_from_the_queue_cannot_be_made_again_through_the_api(
    as_user: Client, r: dict[str, Any]
) -> None:
    task = task_of(as_user, "h1_doctor", r["id"], "renew")
    assert as_user("h1_doctor").post(f"/tasks/{task['id']}/complete", json={"data": renewal_form()}).status_code == 200
    again = as_user("h1_doctor").post(f"/registrations/{r['id']}/renewal",
                                      json={"patient": patient(), "record": record()})
    refused(again, "ND-3")  # the renewal is registered already
    assert len(registrations_of_patient(as_user)) == 2
