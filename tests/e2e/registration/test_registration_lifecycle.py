"""A registration's year over HTTP on the simulated clock (issue 8, "Done when"): register, settle past the limit,
the reassessment reminder, suspension and reassessment, renewal, expiry, change of hospital."""

from __future__ import annotations

from datetime import date

from workflows.context import Services

from ...registration_world import form_record, patient, record
from .http import (
    Client,
    dispense,
    open_tasks,
    refused,
    reg,
    registered,
    run_worker_until,
    set_clock,
)


def test_nd2_to_nd15_register_settle_suspend_reassess_and_change_hospital(
    as_user: Client, services: Services
) -> None:
    set_clock(as_user, date(2026, 8, 31))
    r = registered(as_user)
    assert (r["status"], r["end_date"], r["last_valid_day"], r["next_reassessment_due"]) == (
        "active", "2027-08-31", "2027-08-30", "2027-02-28")  # ND-7 and ND-8 from a month end

    # ND-9, ND-15: the fund pays 75 % above the 500 deductible, capped by the 13 000 limit; the rest is the patient's
    first = dispense(as_user, "h1_officer", "3000.00", "RX-1")
    assert first.status_code == 201
    assert {k: first.get_json()[k] for k in ("fund", "patient", "deductible_part", "ratio_part")} == {
        "fund": "1875.00", "patient": "1125.00", "deductible_part": "500.00", "ratio_part": "625.00"}
    second = dispense(as_user, "p1_pharmacist", "16000.00", "RX-2")  # ND-13: dual channel, designated by H1
    assert second.status_code == 201
    assert {k: second.get_json()[k] for k in ("fund", "patient", "over_limit_part", "dispenser_kind")} == {
        "fund": "11125.00", "patient": "4875.00", "over_limit_part": "875.00", "dispenser_kind": "pharmacy"}
    retry = dispense(as_user, "p1_pharmacist", "16000.00", "RX-2")  # ND-11: the same dispensing twice pays once
    assert (retry.status_code, retry.get_json()["id"], retry.get_json()["replayed"]) == (
        200, second.get_json()["id"], True)
    account = as_user("h1_doctor").get(f"/registrations/{r['id']}/annual-account").get_json()
    assert (account["fund_paid"], account["remaining"], len(account["dispensings"])) == ("13000.00", "0.00", 2)
    refused(dispense(as_user, "h1_officer", "100.00", "RX-3"), "ND-9")  # the limit is used up
    refused(dispense(as_user, "pu_pharmacist", "100.00", "RX-4"), "ND-13")  # a pharmacy not linked to H1
    reversal = as_user("h1_officer").post(f"/dispensings/{first.get_json()['id']}/reversal",
                                          json={"reason": "退药"})
    assert reversal.status_code == 200 and reversal.get_json()["reversed_at"]
    account = as_user("h1_doctor").get(f"/registrations/{r['id']}/annual-account").get_json()
    assert (account["fund_paid"], account["remaining"]) == ("11125.00", "1875.00")  # the reversal restores it

    # ND-8: the reassessment task reaches H1's physicians 30 days before it is due; overdue suspends
    run_worker_until(services, date(2027, 1, 28))
    assert open_tasks(as_user, "h1_doctor", r["id"]) == []
    run_worker_until(services, date(2027, 1, 29))
    (task,) = open_tasks(as_user, "h1_colleague", r["id"])  # any senior physician of the hospital
    assert (task["bpmn_id"], task["lane_role"], task["due_at"][:10]) == ("reassess", "physician", "2027-02-27")
    assert open_tasks(as_user, "h2_doctor", r["id"]) == []  # not another hospital's
    run_worker_until(services, date(2027, 2, 28))
    assert reg(as_user, "h1_doctor", r["id"])["status"] == "suspended"
    refused(dispense(as_user, "h1_officer", "1000.00", "RX-5"), "ND-8")
    done = as_user("h1_colleague").post(f"/tasks/{task['id']}/complete", json={"data": form_record(dose="10 mg")})
    assert done.status_code == 200, done.get_json()
    after = reg(as_user, "h1_doctor", r["id"])
    assert (after["status"], after["last_reassessed_on"], after["next_reassessment_due"]) == (
        "active", "2027-02-28", "2027-08-28")
    assert after["prescription"]["dose"] == "10 mg"
    assert dispense(as_user, "h1_officer", "1000.00", "RX-5").status_code == 201

    # ND-14: a change of hospital ends the old registration and starts one at H3 in the same benefit year
    set_clock(as_user, date(2027, 3, 10))
    moved = as_user("h3_doctor").post("/registrations/hospital-changes", json={
        "patient": patient(), "drug": "托法替布", "record": record(), "reason": "患者迁居"})
    assert moved.status_code == 201, moved.get_json()
    new = moved.get_json()
    old = reg(as_user, "h1_doctor", r["id"])
    assert (old["status"], old["end_reason"], old["ended_on"]) == ("ended", "hospital_changed", "2027-03-10")
    assert (new["status"], new["hospital_code"], new["end_date"], new["benefit_year_start"]) == (
        "active", "H52010300003", "2027-08-31", "2026-08-31")
    assert open_tasks(as_user, "h1_doctor", r["id"]) == []
    assert as_user("h1_doctor").get(f"/registrations/{new['id']}").status_code == 404  # H3's, not H1's
    refused(dispense(as_user, "h1_officer", "100.00", "RX-6"), "ND-11")  # H1 no longer dispenses against it
    h3_account = as_user("h3_doctor").get(f"/registrations/{new['id']}/annual-account").get_json()
    assert h3_account["remaining"] == "1500.00"  # ND-9: the year and its limit carried over


def test_nd7_a_year_passes_with_a_renewal_offered_then_the_registration_expires(
    as_user: Client, services: Services
) -> None:
    set_clock(as_user, date(2026, 8, 31))
    r = registered(as_user)
    run_worker_until(services, date(2027, 7, 31))
    assert sorted(t["bpmn_id"] for t in open_tasks(as_user, "h1_doctor", r["id"])) == ["reassess", "renew"]
    run_worker_until(services, date(2027, 8, 31))
    expired = reg(as_user, "h1_doctor", r["id"])
    assert (expired["status"], expired["next_reassessment_due"]) == ("expired", None)
    assert open_tasks(as_user, "h1_doctor", r["id"]) == []
    refused(dispense(as_user, "h1_officer", "100.00", "RX-1"), "ND-7")  # expired: nothing to settle against
    instance = as_user("admin").get(f"/process-instances/{expired['instance_id']}").get_json()
    assert instance["status"] == "completed" and "end_expired" in instance["completed_element_ids"]


def test_nd7_a_renewal_continues_without_a_gap_in_a_new_benefit_year(as_user: Client, services: Services) -> None:
    set_clock(as_user, date(2026, 8, 31))
    r = registered(as_user)
    run_worker_until(services, date(2027, 7, 31))
    set_clock(as_user, date(2027, 8, 10))
    renewed = as_user("h1_doctor").post(f"/registrations/{r['id']}/renewal",
                                        json={"patient": patient(), "record": record()})
    assert renewed.status_code == 201, renewed.get_json()
    new = renewed.get_json()
    assert (new["status"], new["start_date"], new["end_date"], new["replaces_id"]) == (
        "pending", "2027-08-31", "2028-08-31", r["id"])
    assert open_tasks(as_user, "h1_doctor", r["id"]) == []  # the renewal counted as the reassessment too
    assert reg(as_user, "h1_doctor", r["id"])["last_reassessed_on"] == "2027-08-10"
    run_worker_until(services, date(2027, 8, 31))
    assert reg(as_user, "h1_doctor", r["id"])["status"] == "expired"
    assert reg(as_user, "h1_doctor", new["id"])["status"] == "active"
    assert dispense(as_user, "h1_officer", "3000.00", "RX-1").get_json()["registration_id"] == new["id"]
    account = as_user("h1_doctor").get(f"/registrations/{new['id']}/annual-account").get_json()
    assert (account["year_start"], account["fund_paid"]) == ("2027-08-31", "1875.00")  # a new year, deductible too


