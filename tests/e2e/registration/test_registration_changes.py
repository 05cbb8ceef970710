"""Update (ND-8), change of physician and cancellation (ND-14) over HTTP, each with its reason and the previous
values kept; a reassessment through the queue is checked like one through the API (ND-4, ND-8, ND-16)."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.context import Services

from ...registration_world import form_record, record
from .http import Client, dispense, open_tasks, refused, reg, registered, run_worker_until, set_clock


@pytest.fixture
def r(as_user: Client) -> dict[str, str]:
    set_clock(as_user, date(2026, 8, 31))
    return registered(as_user)



def test_nd8_an_update_keeps_the_previous_values_and_the_reason(as_user: Client, r: dict[str, str]) -> None:
    changed = record(prescription={"dose": "10 mg", "frequency": "每日1次", "quantity_per_fill": "28"})
    response = as_user("h1_colleague").post(f"/registrations/{r['id']}/updates",
                                            json={"record": changed, "reason": "调整剂量"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["prescription"]["dose"] == "10 mg"
    assert response.get_json()["next_reassessment_due"] == "2027-02-28"  # not a reassessment (ND-8)
    revisions = as_user("h1_officer").get(f"/registrations/{r['id']}/revisions").get_json()
    assert [v["kind"] for v in revisions] == ["registered", "updated"]
    assert (revisions[1]["reason"], revisions[1]["previous"]["dose"], revisions[1]["current"]["dose"]) == (
        "调整剂量", "5 mg", "10 mg")
    history = as_user("admin").get(f"/process-instances/{r['instance_id']}/history").get_json()
    assert history[-1]["action"] == "message.delivered:registration_amended"


@pytest.mark.parametrize(("who", "rule", "status"), [
    ("h1_junior", "ND-4", 422), ("h1_officer", "ND-8", 403), ("h1_oncologist", "ND-16", 422)])
def test_nd4_nd8_nd16_an_update_needs_a_senior_physician_of_the_hospital_with_the_specialty(
    as_user: Client, r: dict[str, str], who: str, rule: str, status: int
) -> None:
    response = as_user(who).post(f"/registrations/{r['id']}/updates", json={"record": record(), "reason": "x"})
    refused(response, rule, status)
    assert as_user("h2_doctor").post(f"/registrations/{r['id']}/updates",
                                     json={"record": record(), "reason": "x"}).status_code == 404


def test_nd14_a_change_of_physician_amends_the_registration_and_settlement_follows(
    as_user: Client, r: dict[str, str]
) -> None:
    refused(as_user("h1_officer").post(f"/registrations/{r['id']}/physician-change",
                                       json={"physician_code": "D520102000002", "reason": "调岗"}), "ND-4")
    refused(as_user("h1_officer").post(f"/registrations/{r['id']}/physician-change",
                                       json={"physician_code": "D520102000001", "reason": "调岗"}), "ND-14")
    response = as_user("h1_officer").post(f"/registrations/{r['id']}/physician-change",
                                          json={"physician_code": "D520102000004", "reason": "原医师调离"})
    assert response.status_code == 200 and response.get_json()["physician_code"] == "D520102000004"
    refused(dispense(as_user, "h1_officer", "100.00", "RX-1"), "ND-11")  # the old physician no longer prescribes
    assert dispense(as_user, "h1_officer", "100.00", "RX-1", physician="D520102000004").status_code == 201
    kinds = [v["kind"] for v in as_user("h1_officer").get(f"/registrations/{r['id']}/revisions").get_json()]
    assert kinds == ["registered", "physician_changed"]


def test_nd14_a_cancellation_ends_the_registration_its_tasks_and_its_settlement(
    as_user: Client, services: Services, r: dict[str, str]
) -> None:
    run_worker_until(services, date(2027, 1, 29))
    assert [t["bpmn_id"] for t in open_tasks(as_user, "h1_doctor", r["id"])] == ["reassess"]
    set_clock(as_user, date(2027, 2, 1))
    refused(as_user("h1_officer").post(f"/registrations/{r['id']}/cancellation", json={"reason": " "}), "ND-14")
    response = as_user("h1_officer").post(f"/registrations/{r['id']}/cancellation", json={"reason": "患者申请"})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["end_reason"], response.get_json()["end_note"]) == (
        "ended", "cancelled", "患者申请")
    assert open_tasks(as_user, "h1_doctor", r["id"]) == []
    refused(dispense(as_user, "h1_officer", "100.00", "RX-1"), "ND-14")
    again = as_user("h1_officer").post(f"/registrations/{r['id']}/cancellation", json={"reason": "again"})
    refused(again, "ND-14")


@pytest.mark.parametrize(("who", "rule"), [("h1_junior", "ND-4"), ("h1_oncologist", "ND-16")])
def test_nd8_a_reassessment_through_the_queue_is_refused_by_its_rule_and_the_task_stays(
    as_user: Client, services: Services, r: dict[str, str], who: str, rule: str
) -> None:
    run_worker_until(services, date(2027, 1, 29))
    (task,) = open_tasks(as_user, who, r["id"])
    refused(as_user(who).post(f"/tasks/{task['id']}/complete", json={"data": form_record()}), rule)
    assert [t["id"] for t in open_tasks(as_user, "h1_doctor", r["id"])] == [task["id"]]
    assert reg(as_user, "h1_doctor", r["id"])["last_reassessed_on"] is None


def test_nd8_the_reassessment_form_refuses_a_record_without_its_confirmation(
    as_user: Client, services: Services, r: dict[str, str]
) -> None:
    run_worker_until(services, date(2027, 1, 29))
    (task,) = open_tasks(as_user, "h1_doctor", r["id"])
    response = as_user("h1_doctor").post(f"/tasks/{task['id']}/complete",
                                         json={"data": form_record(indication_confirmed=False)})
    assert (response.status_code, response.get_json()["code"]) == (422, "form_invalid")


def test_nd7_a_renewal_is_refused_before_the_last_month(as_user: Client, r: dict[str, str]) -> None:
    set_clock(as_user, date(2027, 5, 1))
    response = as_user("h1_doctor").post(f"/registrations/{r['id']}/renewal",
                                         json={"patient": {"psn_no": r["psn_no"], "insurance_type": "employee",
                                                           "insurance_region": "520100", "entitled": True},
                                               "record": record()})
    assert refused(response, "ND-7")["field"] == "registration"


def test_nd14_a_generic_message_or_cancellation_cannot_stop_a_registration_in_force(
    as_user: Client, r: dict[str, str]
) -> None:
    message = as_user("officer").post("/messages", json={"name": "registration_ended", "correlation_key": r["id"],
                                                         "payload": {"reason": "cancelled"}})
    assert (message.status_code, refused(message, "ND-14", status=409)["code"]) == (409, "registration_in_force")
    cancel = as_user("admin").post(f"/process-instances/{r['instance_id']}/cancellation", json={"reason": "x"})
    refused(cancel, "ND-14", status=409)
    assert reg(as_user, "h1_doctor", r["id"])["status"] == "active"
    assert as_user("admin").get(f"/process-instances/{r['instance_id']}").get_json()["status"] == "waiting"
